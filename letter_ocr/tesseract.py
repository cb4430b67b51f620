"""Running tesseract: one single-threaded process per call, with a time limit, killed as a group on timeout.

The command line is built as pytesseract builds it and its output parsers are reused, but the process is
started here: pytesseract always hands the child ``os.environ``, and tesseract must get ``OMP_THREAD_LIMIT=1``
(its OpenMP threads compete with the other pages' processes and slow every page down; bench/ocr_quality.py) without
changing the environment
of the whole application.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass

from PIL import Image
from pytesseract.pytesseract import file_to_dict, osd_to_dict

from .errors import EngineError, OcrTimeout
from .settings import OcrSettings


@dataclass
class TessWord:
    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int
    paragraph: int
    line: int


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def run(args: list[str], settings: OcrSettings, what: str, timeout: float | None = None) -> bytes:
    """Run tesseract with ``args``; returns stdout. Raises ``OcrTimeout`` or ``EngineError``."""
    timeout = settings.tesseract_timeout if timeout is None else timeout
    try:
        proc = subprocess.Popen(
            [settings.tesseract_cmd, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(),
            start_new_session=True,  # so a timeout kills tesseract and anything it started
        )
    except OSError as exc:
        raise EngineError(f"tesseract could not be started ({exc})") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.communicate()
        raise OcrTimeout(f"{what}: tesseract took longer than {timeout:g} s") from None
    if proc.returncode:
        message = " ".join(err.decode("utf-8", "replace").split())[-300:]
        raise EngineError(f"{what}: tesseract failed (exit {proc.returncode}): {message}")
    return out


_LANG_CACHE: dict[str, set[str]] = {}
_LANG_LOCK = threading.Lock()


_DATA_DIR: dict[str, str] = {}


def _list_languages(settings: OcrSettings) -> None:
    with _LANG_LOCK:
        if settings.tesseract_cmd not in _LANG_CACHE:
            out = run(["--list-langs"], settings, "listing languages", timeout=30).decode("utf-8", "replace")
            lines = out.splitlines()
            # 'List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (4):'
            head = lines[0] if lines else ""
            _DATA_DIR[settings.tesseract_cmd] = head.split('"')[1] if head.count('"') >= 2 else ""
            _LANG_CACHE[settings.tesseract_cmd] = {line.strip() for line in lines[1:] if line.strip()}


def installed_languages(settings: OcrSettings) -> set[str]:
    """Languages tesseract has data for (asked once per executable)."""
    _list_languages(settings)
    return _LANG_CACHE[settings.tesseract_cmd]


def glyphless_font(settings: OcrSettings) -> bytes:
    """Tesseract's own glyph-less font (``pdf.ttf`` beside its language data), which its searchable PDFs embed
    for the invisible text. Raises ``EngineError`` when it is missing."""
    _list_languages(settings)
    path = os.path.join(_DATA_DIR.get(settings.tesseract_cmd, ""), "pdf.ttf")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise EngineError(f"tesseract's PDF font is missing ({exc.strerror})") from None


def check_languages(settings: OcrSettings) -> None:
    """Raise ``EngineError`` naming any configured language tesseract does not have."""
    missing = [lang for lang in settings.languages if lang not in installed_languages(settings)]
    if missing:
        raise EngineError(f"tesseract has no data for language(s): {', '.join(missing)}")


def _options(settings: OcrSettings, extra: dict[str, str] | None = None) -> list[str]:
    args: list[str] = []
    for name, value in {**(extra or {}), **settings.tesseract_options}.items():
        args += ["-c", f"{name}={value}"]
    return args


def parse_tsv(tsv: str) -> list[TessWord]:
    """Tesseract TSV -> words with a confidence (layout-only rows dropped)."""
    if not tsv.strip():
        return []
    table = file_to_dict(tsv, "\t", -1)
    words = []
    for i, level in enumerate(table.get("level", [])):
        text = str(table["text"][i]).strip()
        if level != 5 or not text:
            continue
        words.append(
            TessWord(
                text=text,
                conf=float(table["conf"][i]),
                left=int(table["left"][i]),
                top=int(table["top"][i]),
                width=int(table["width"][i]),
                height=int(table["height"][i]),
                block=int(table["block_num"][i]),
                paragraph=int(table["par_num"][i]),
                line=int(table["line_num"][i]),
            )
        )
    return words


def recognise_image(
    image: Image.Image,
    lang: str,
    settings: OcrSettings,
    *,
    psm: int = 3,
    dpi: int | None = None,
    want_pdf: bool = False,
    text_only_pdf: bool = False,
    options: dict[str, str] | None = None,
    what: str = "page",
) -> tuple[list[TessWord], bytes | None]:
    """OCR one image: word list, plus tesseract's searchable PDF of it when ``want_pdf`` (only the invisible
    text, without the image, when ``text_only_pdf``). ``options`` are ``-c`` settings of the pipeline's own;
    ``settings.tesseract_options`` win over them."""
    with tempfile.TemporaryDirectory(prefix="letter-ocr-") as tmp:
        # Uncompressed bitmaps: nothing to encode here or decode in tesseract.
        path = os.path.join(tmp, "page.pbm" if image.mode == "1" else "page.pgm")
        image.save(path)
        base = os.path.join(tmp, "out")
        args = [path, base, "-l", lang, "--psm", str(psm)]
        if dpi:
            args += ["--dpi", str(dpi)]
        if want_pdf and text_only_pdf:
            args += ["-c", "textonly_pdf=1"]
        args += _options(settings, options) + ["tsv"] + (["pdf"] if want_pdf else [])
        run(args, settings, what)
        with open(base + ".tsv", encoding="utf-8", errors="replace") as fh:
            words = parse_tsv(fh.read())
        pdf = None
        if want_pdf:
            with open(base + ".pdf", "rb") as fh:
                pdf = fh.read()
        return words, pdf


def render_pdf(image: Image.Image, lang: str, settings: OcrSettings, dpi: int | None, what: str) -> bytes:
    """Tesseract's searchable PDF (image plus invisible text layer) of one page."""
    return recognise_image(image, lang, settings, dpi=dpi, want_pdf=True, what=what)[1] or b""


@dataclass
class Orientation:
    rotate: int  # degrees to turn the image clockwise to make it upright (tesseract's "Rotate")
    orientation_confidence: float
    script: str
    script_confidence: float


def detect_orientation(image: Image.Image, settings: OcrSettings, what: str = "page") -> Orientation | None:
    """Tesseract OSD (orientation and script); ``None`` when the page has too little text to tell."""
    with tempfile.TemporaryDirectory(prefix="letter-ocr-osd-") as tmp:
        path = os.path.join(tmp, "page.pbm" if image.mode == "1" else "page.pgm")
        image.save(path)
        try:
            out = run([path, "stdout", "--psm", "0", "-l", "osd"], settings, f"{what} (orientation)")
        except EngineError as exc:
            if "Too few characters" in str(exc) or "Invalid resolution" in str(exc):
                return None
            raise
    info = osd_to_dict(out.decode("utf-8", "replace"))
    if "rotate" not in info:
        return None
    return Orientation(
        rotate=int(info["rotate"]) % 360,
        orientation_confidence=float(info.get("orientation_conf", 0.0)),
        script=str(info.get("script", "")),
        script_confidence=float(info.get("script_conf", 0.0)),
    )
