"""PP-OCR through RapidOCR: the PP-OCRv4 detection, recognition and line-orientation models that ship inside the
``rapidocr-onnxruntime`` wheel, run by ONNX Runtime on the CPU (nothing is downloaded). Reads Chinese, and the
Latin letters and digits mixed into it, far better than tesseract's ``chi_sim`` on brush-script (Kai) fonts,
faint copies and photos.

One engine per process, made on first use and shared by the recognition threads: ONNX Runtime sessions may be
run from several threads at once, and each run uses ``threads`` threads (1 by default, as ``OMP_THREAD_LIMIT=1``
keeps each tesseract to one), so ``OcrSettings.workers`` pages at a time use that many cores.

Lines come back in reading order: horizontal lines top to bottom and left to right within a row; a page set in
vertical columns (most lines much taller than wide) column by column from right to left, each top to bottom.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from PIL import Image

from .errors import EngineError
from .models import OcrWord  # a character of Chinese or a word of Latin script

_ENGINES: dict[int, object] = {}
_LOCK = threading.Lock()

#: a detected line at least this many times taller than wide is a vertical column.
_TALL = 1.5
#: ASCII punctuation the recogniser often gives inside Chinese text, and its full-width form.
_FULL_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"})
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_HALF_IN_HAN = re.compile(rf"(?<=[{_HAN}])[,:;!?()]|[,:;!?()](?=[{_HAN}])")


@dataclass
class PpLine:
    """A detected text line: its text, confidence 0-100, axis-aligned box and words."""

    text: str
    conf: float
    left: int
    top: int
    right: int
    bottom: int
    words: list[OcrWord]

    @property
    def vertical(self) -> bool:
        return (self.bottom - self.top) >= _TALL * (self.right - self.left) and len(self.text) > 1


def available() -> bool:
    """True when the ONNX engine and its models are installed."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def engine(threads: int = 1):
    """The process's RapidOCR instance for ``threads`` ONNX Runtime threads (made once, then shared)."""
    with _LOCK:
        found = _ENGINES.get(threads)
        if found is None:
            try:
                import cv2
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise EngineError(f"the PP-OCR engine is not installed ({exc})") from None
            cv2.setNumThreads(threads)  # OpenCV's own pool would otherwise take every core for resizes and warps
            found = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=threads, print_verbose=False)
            _ENGINES[threads] = found
        return found


def _box(points) -> tuple[int, int, int, int]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return int(min(xs)), int(min(ys)), int(round(max(xs))), int(round(max(ys)))


def full_width(text: str) -> str:
    """ASCII commas, colons, stops... next to Chinese characters in their full-width form, as Chinese is set."""
    return _HALF_IN_HAN.sub(lambda m: m.group(0).translate(_FULL_WIDTH), text)


def _line(row) -> PpLine:
    points, text, score = row[0], row[1], float(row[2])
    left, top, right, bottom = _box(points)
    words: list[OcrWord] = []
    if len(row) >= 6 and row[3] and len(row[3]) == len(row[4]):
        for quad, word, conf in zip(row[3], row[4], row[5]):
            x0, y0, x1, y1 = _box(quad)
            words.append(OcrWord(full_width(word), round(float(conf) * 100, 2), x0, y0,
                                max(1, x1 - x0), max(1, y1 - y0)))
    if not words:  # no per-word boxes: the whole line is one word
        words = [OcrWord(full_width(text), round(score * 100, 2), left, top, max(1, right - left),
                        max(1, bottom - top))]
    return PpLine(full_width(text), round(score * 100, 2), left, top, right, bottom, words)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> float:
    """How much of the shorter of two spans the other one covers (0-1)."""
    inter = min(a1, b1) - max(a0, b0)
    return max(0, inter) / max(1, min(a1 - a0, b1 - b0))


def reading_order(lines: list[PpLine]) -> tuple[list[list[PpLine]], bool]:
    """Lines grouped into rows (or columns) in reading order; ``True`` when the page is set in columns."""
    if not lines:
        return [], False
    longish = [line for line in lines if len(line.text) > 2] or lines
    vertical = sum(line.vertical for line in longish) > len(longish) / 2
    groups: list[list[PpLine]] = []
    if vertical:
        # Columns right to left; pieces of one column (a gap cut it in two) top to bottom.
        for line in sorted(lines, key=lambda l: (-(l.left + l.right) / 2, l.top)):
            if groups and _overlap(line.left, line.right, groups[-1][0].left, groups[-1][0].right) > 0.5:
                groups[-1].append(line)
            else:
                groups.append([line])
        for group in groups:
            group.sort(key=lambda l: l.top)
    else:
        for line in sorted(lines, key=lambda l: (l.top + l.bottom) / 2):
            if groups and _overlap(line.top, line.bottom, groups[-1][0].top, groups[-1][0].bottom) > 0.5:
                groups[-1].append(line)
            else:
                groups.append([line])
        for group in groups:
            group.sort(key=lambda l: l.left)
    return groups, vertical


def to_text(groups: list[list[PpLine]], vertical: bool) -> str:
    """Rows (columns) as lines of text; a blank line where the gap to the next row is a line and a half or
    more (a new paragraph, the address block, the closing)."""
    if not groups:
        return ""
    sizes = sorted((l.right - l.left) if vertical else (l.bottom - l.top) for g in groups for l in g)
    typical = max(1, sizes[len(sizes) // 2])
    out: list[str] = []
    previous_end = None
    for group in groups:
        start = max(l.right for l in group) if vertical else min(l.top for l in group)
        end = min(l.left for l in group) if vertical else max(l.bottom for l in group)
        if previous_end is not None:
            gap = (previous_end - start) if vertical else (start - previous_end)
            if gap >= 1.5 * typical:
                out.append("")
        out.append(("" if vertical else " ").join(l.text for l in group))
        previous_end = end
    return "\n".join(out).strip()


def read(image: Image.Image, threads: int = 1, what: str = "page") -> tuple[list[list[PpLine]], bool]:
    """Recognise a grey page: rows (or columns) of lines in reading order, and whether the page is set in
    columns.

    The line-orientation model is not used: it would turn each line of an upside-down page the right way up
    and leave the lines in reverse order. An upside-down page reads as nothing at all instead (every line under
    the recogniser's score threshold), which the caller notices."""
    import numpy as np

    rgb = np.asarray(image.convert("RGB"))
    try:
        result, _ = engine(threads)(rgb, use_cls=False, return_word_box=True)
    except EngineError:
        raise
    except Exception as exc:  # onnxruntime and OpenCV raise their own types on a page they cannot handle
        raise EngineError(f"{what}: PP-OCR failed ({type(exc).__name__}: {exc})") from None
    lines = [_line(row) for row in result or [] if str(row[1]).strip()]
    return reading_order(lines)


def mean_confidence(groups: list[list[PpLine]]) -> float:
    """Mean word confidence of a reading (0 when nothing was read)."""
    confs = [w.conf for group in groups for line in group for w in line.words]
    return sum(confs) / len(confs) if confs else 0.0


def shift(groups: list[list[PpLine]], dx: int, dy: int) -> None:
    """Move every line and word box by (``dx``, ``dy``): a reading of a crop put back on its page."""
    for group in groups:
        for line in group:
            line.left, line.right, line.top, line.bottom = line.left + dx, line.right + dx, line.top + dy, \
                line.bottom + dy
            for word in line.words:
                word.left, word.top = word.left + dx, word.top + dy
