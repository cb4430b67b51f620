"""Scanned pages made for tests: letters, blank and corrupt pages, fake OCR results."""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from cases import scans
from tests.ocr_fixtures import draw_page, encode, font_for


LETTER_LINES = ["Dear Mayor, the street", "light on our road is", "broken and it is dark.", "",
                "Sincerely,", "Ana Ruiz", "12 Elm Street, Springfield"]


SECOND_LINES = ["The lamp near the bakery", "has been out since March."]


OTHER_LINES = ["Dear Mayor, the bus stop", "shelter on Oak Avenue", "lost its roof in the storm."]


def letter_page(lines: list[str] = LETTER_LINES, smudged: bool = True) -> Image.Image:
    """A small page; with ``smudged`` a crossed-out word and a scribble that tesseract reads with low confidence."""
    page = draw_page(lines, size_in=(5.83, 5.0), pt=16)
    if smudged:
        draw = ImageDraw.Draw(page)
        draw.text((520, 172), "Lamppost", font=font_for("eng", 33), fill=0)
        draw.line((515, 194, 700, 186), fill=0, width=5)
        rnd = random.Random(3)
        draw.line([(560 + i * 12, 228 + rnd.randint(0, 30)) for i in range(14)], fill=0, width=3)
    return page


def png(page: Image.Image) -> bytes:
    return encode(page, "PNG")


def tiff(pages: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return buf.getvalue()


def blank_page() -> Image.Image:
    return draw_page([""], size_in=(5.83, 5.0))


def corrupt_png() -> bytes:
    """A PNG cut short: its type is right (the upload accepts it), its content unreadable."""
    return png(letter_page(OTHER_LINES, smudged=False))[:400]


def fake_result(key: str, text: str = "Dear Mayor, hello.") -> scans.ScanResult:
    tiny = encode(Image.new("L", (20, 10), 255), "PNG")
    return scans.ScanResult(key=key, file_index=0, originals=[], text=text, confidence=42.0,
                            pages=[scans.ScanPage(image_png=tiny, confidence=42.0, width=20, height=10,
                                                  words=[("Dear", 91.0, 1, 1, 5, 5), ("Mayrr", 12.0, 8, 1, 5, 5)])],
                            pdf=None, sender_name="Ana", sender_address="1 Elm St")
