"""PDF rasteriser run in its own short-lived process (see ``pdf_raster``): a hostile PDF that crashes, hangs or
bloats pdfium takes only this process down. Standard library and pypdfium2 only.

Protocol: argv[1] is a JSON object of limits and the output folder; the PDF arrives on stdin. For each page it
writes ``page-NNNN.gray`` (raw 8-bit grayscale) and prints one JSON manifest on stdout.
"""

from __future__ import annotations

import json
import os
import sys


def _limit_resources(memory: int, cpu_seconds: int) -> None:
    try:
        import resource

        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if cpu_seconds:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    except (ImportError, ValueError, OSError):
        pass


def _fail(code: str, reason: str) -> None:
    print(json.dumps({"ok": False, "code": code, "reason": reason}))
    sys.exit(0)


def _layer_words(textpage, text: str, page_height: float, scale: float) -> list:
    """Group the text layer's characters into words with pixel boxes (top-left origin)."""
    words: list = []
    count = textpage.count_chars()
    if count != len(text):
        return words
    current, box = [], None
    for i, ch in enumerate(text):
        if ch.isspace():
            if current:
                words.append(["".join(current), *box])
            current, box = [], None
            continue
        try:
            left, bottom, right, top = textpage.get_charbox(i)
        except Exception:
            continue
        x0, y0 = int(left * scale), int((page_height - top) * scale)
        x1, y1 = int(right * scale + 0.999), int((page_height - bottom) * scale + 0.999)
        box = [x0, y0, x1, y1] if box is None else [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        current.append(ch)
    if current:
        words.append(["".join(current), *box])
    return [[w, x0, y0, max(1, x1 - x0), max(1, y1 - y0)] for w, x0, y0, x1, y1 in words]


def main() -> None:
    opts = json.loads(sys.argv[1])
    _limit_resources(opts["memory"], opts["cpu_seconds"])
    import pypdfium2 as pdfium

    data = sys.stdin.buffer.read()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            _fail("unsupported_format", "the PDF is encrypted with a password")
        _fail("corrupt_file", f"damaged PDF ({message})")
    count = len(pdf)
    if count == 0:
        _fail("corrupt_file", "the PDF has no pages")
    if count > opts["max_pages"]:
        _fail("too_many_pages", f"the PDF has {count} pages, over the limit of {opts['max_pages']}")
    pages = []
    for index in range(count):
        page = pdf[index]
        width_pt, height_pt = page.get_size()
        if not (width_pt > 0 and height_pt > 0):
            _fail("corrupt_file", f"page {index + 1} has no size")
        dpi = float(opts["dpi"])
        # Shrink huge page formats rather than render past the pixel limit.
        pixels = width_pt * height_pt * (dpi / 72) ** 2
        if pixels > opts["max_pixels"]:
            dpi *= (opts["max_pixels"] / pixels) ** 0.5
        if dpi < 36:
            _fail("too_many_pixels", f"page {index + 1} is too large ({width_pt:.0f}x{height_pt:.0f} points)")
        scale = dpi / 72
        text, words = "", []
        try:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            if len("".join(text.split())) >= opts["text_min_chars"]:
                words = _layer_words(textpage, text, height_pt, scale)
            else:
                text = ""
        except pdfium.PdfiumError:
            text = ""
        image = page.render(scale=scale, grayscale=True, may_draw_forms=True).to_pil().convert("L")
        name = f"page-{index + 1:04d}.gray"
        with open(os.path.join(opts["out"], name), "wb") as fh:
            fh.write(image.tobytes())
        pages.append(
            {"file": name, "width": image.width, "height": image.height, "dpi": round(dpi), "text": text, "words": words}
        )
    print(json.dumps({"ok": True, "pages": pages}))


if __name__ == "__main__":
    main()
