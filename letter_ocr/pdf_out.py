"""Searchable PDF of a recognised letter: tesseract's PDF renderer per page (page image plus an invisible
text layer; for a page PP-OCR read, the layer is made from its words), pages joined with pypdfium2. Only our own tesseract output is parsed here."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image

from . import tesseract
from .batch import recognise
from .errors import CorruptFile, EngineError
from .models import OcrDocument, OcrPage
from .pdf_page import PDFIUM_LOCK
from .pdf_text import searchable_page
from .settings import OcrSettings


def _page_pdf(page: OcrPage, settings: OcrSettings) -> bytes:
    if page.pdf:
        return page.pdf
    image = Image.open(io.BytesIO(page.image_png), formats=["PNG"])
    image.load()
    if page.engine == "ppocr":  # its words and boxes are all a text layer needs
        return searchable_page(image, [(w.text, w.left, w.top, w.width, w.height) for w in page.words], page.dpi,
                               tesseract.glyphless_font(settings), f"page {page.number}")
    lang = page.language or "+".join(settings.languages)
    if page.source == "text-layer" or "+" in lang:
        lang = page.language or settings.languages[0]
    return tesseract.render_pdf(image, lang, settings, page.dpi, f"page {page.number}")


def searchable_pdf(data_or_document: bytes | OcrDocument, settings: OcrSettings | None = None) -> bytes:
    """A PDF with the cleaned page images and a selectable, searchable text layer.

    Accepts file bytes (recognised first) or an ``OcrDocument`` (pages already recognised; with
    ``settings.make_pdf`` the per-page PDFs from that pass are reused, otherwise tesseract renders each page
    again). Blank separator pages are kept as image-only pages. Raises ``OcrError``.
    """
    settings = settings or OcrSettings()
    document = data_or_document if isinstance(data_or_document, OcrDocument) else recognise(data_or_document, settings)
    if not document.pages:
        raise CorruptFile("the document has no pages")
    parts = [_page_pdf(page, settings) for page in document.pages]  # may run tesseract: outside the lock
    with PDFIUM_LOCK:
        out = pdfium.PdfDocument.new()
        try:
            for data in parts:
                part = pdfium.PdfDocument(data)
                try:
                    out.import_pages(part)
                finally:
                    part.close()
            buf = io.BytesIO()
            out.save(buf)
            return buf.getvalue()
        except pdfium.PdfiumError as exc:
            raise EngineError(f"assembling the searchable PDF failed ({exc})") from None
        finally:
            out.close()
