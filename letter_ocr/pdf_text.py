"""An invisible text layer for a page another engine than tesseract read: a one-page PDF holding only the words,
each stretched over its box, in the form tesseract's own ``textonly_pdf`` has (a glyph-less Type 0 font whose
character codes are the Unicode code points, text render mode 3), so ``pdf_page.page_pdf`` lays it over the
page image the same way. Selecting, searching and copying text in a PDF viewer then finds the words where they
are on the page."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from PIL import Image

from .pdf_page import page_pdf

#: resolution assumed for a page that does not say its own (a typical scan).
DEFAULT_DPI = 300
# The code -> Unicode map is the identity, in ranges that each keep to one high byte (as the PDF reference asks,
# and PDFium honours) and at most 100 to a block.
_RANGES = [b"<%02X00> <%02XFF> <%02X00>" % (high, high, high) for high in range(256)]
_TO_UNICODE = (
    b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    + b"".join(b"%d beginbfrange\n" % len(_RANGES[i:i + 100]) + b"\n".join(_RANGES[i:i + 100]) + b"\nendbfrange\n"
               for i in range(0, 256, 100))
    + b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
)


_EVERY_CODE_TO_GLYPH_1 = b"\x00\x01" * 65536


def _hex(text: str) -> str:
    # One 16-bit code per character; the rare character outside the Basic Multilingual Plane has no code here.
    return "".join(f"{ord(c):04X}" if ord(c) <= 0xFFFF else "FFFD" for c in text)


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"


def text_layer_pdf(words: Iterable[tuple[str, int, int, int, int]], width: int, height: int, dpi: int | None,
                   font: bytes) -> bytes:
    """A one-page PDF of ``width`` x ``height`` pixels at ``dpi`` holding ``words`` (text, left, top, width,
    height in pixels, in reading order) as invisible text in the glyph-less TrueType ``font`` (every code is
    drawn with its glyph 1; PDFium drops text whose glyphs the font lacks). A word followed by another
    Latin-script word gets a space, so copied text keeps its word breaks."""
    scale = 72 / (dpi or DEFAULT_DPI)
    page_w, page_h = width * scale, height * scale
    items = [w for w in words if w[0]]
    ops = ["BT", "3 Tr"]
    for i, (text, left, top, w, h) in enumerate(items):
        following = items[i + 1][0] if i + 1 < len(items) else ""
        if text[-1].isascii() and text[-1].isalnum() and following[:1].isascii() and following[:1].isalnum():
            text += " "
        size = max(1.0, h * scale)
        stretch = 100 * (w * scale) / (size * 0.5 * len(text))  # the font's one glyph is half an em wide
        # Baseline a fifth of the box above its bottom edge: where descenders end for Latin, near it for Chinese.
        x, y = left * scale, page_h - (top + h) * scale + 0.2 * size
        ops.append(f"/F1 {size:.2f} Tf {stretch:.2f} Tz 1 0 0 1 {x:.2f} {y:.2f} Tm <{_hex(text)}> Tj")
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>" % (page_w, page_h),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        _stream(content),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 8 0 R /DW 500 /CIDToGIDMap 9 0 R >>",
        _stream(_TO_UNICODE),
        b"<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 500 1000] /ItalicAngle 0 "
        b"/Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 10 0 R >>",
        _stream(_EVERY_CODE_TO_GLYPH_1),
        _stream(font)[:-len(b"\nendstream")].replace(b"/FlateDecode >>", b"/FlateDecode /Length1 %d >>" % len(font), 1)
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def searchable_page(image: Image.Image, words: Iterable[tuple[str, int, int, int, int]], dpi: int | None,
                    font: bytes, what: str = "page") -> bytes:
    """A one-page searchable PDF: ``image`` with ``words`` (boxes in its pixels) as the invisible text layer
    (``font``: see ``text_layer_pdf``)."""
    layer = text_layer_pdf(words, image.width, image.height, dpi, font)
    return page_pdf(image, layer, (0, 0, image.width, image.height), what)
