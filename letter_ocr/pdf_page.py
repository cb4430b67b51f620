"""One page of the searchable PDF from a reading of only the written area: the whole cleaned page image (Pillow
writes a 1-bit page with CCITT G4) with tesseract's text-only PDF of the written area laid over it, shifted to
where that area is on the page (pypdfium2).

Tesseract's own searchable PDF needs the whole page read, margins included; reading only the written area is
what keeps a page as cheap as bare tesseract (see ``pipeline._read``)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image

from .errors import EngineError


def page_pdf(image: Image.Image, text_pdf: bytes, box: tuple[int, int, int, int], what: str = "page") -> bytes:
    """A one-page PDF: ``image`` as the page, and the invisible text of ``text_pdf`` (tesseract's
    ``textonly_pdf`` output for ``image.crop(box)``) placed over the area ``box``."""
    try:
        text_doc = pdfium.PdfDocument(text_pdf)
        try:
            # Tesseract sized the text page from the resolution it used (given or estimated): keep that scale.
            scale = text_doc[0].get_width() / (box[2] - box[0])
            page_image = io.BytesIO()
            image.save(page_image, "PDF", resolution=72 / scale)
            out = pdfium.PdfDocument(page_image.getvalue())
            try:
                page = out[0]
                layer = text_doc.page_as_xobject(0, out).as_pageobject()
                # PDF space starts at the bottom left; the box is counted from the top left.
                layer.transform(pdfium.PdfMatrix().translate(box[0] * scale, (image.height - box[3]) * scale))
                page.insert_obj(layer)
                page.gen_content()
                buf = io.BytesIO()
                out.save(buf)
                return buf.getvalue()
            finally:
                out.close()
        finally:
            text_doc.close()
    except pdfium.PdfiumError as exc:
        raise EngineError(f"{what}: making the searchable page failed ({exc})") from None
