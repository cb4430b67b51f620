"""One page of the searchable PDF from a reading of only the written area: the whole cleaned page image (Pillow
writes a 1-bit page with CCITT G4) with tesseract's text-only PDF of the written area laid over it, shifted to
where that area is on the page (pypdfium2).

Tesseract's own searchable PDF needs the whole page read, margins included; reading only the written area is
what keeps a page as cheap as bare tesseract (see ``pipeline._read``).

PDFium must never be called from two threads at once, not even on different documents, and pages are composed
in the recognition threads: every use of pypdfium2 in this package holds ``PDFIUM_LOCK`` and closes what it
opened before letting go.
"""

from __future__ import annotations

import io
import threading

import pypdfium2 as pdfium
from PIL import Image

from .errors import EngineError

PDFIUM_LOCK = threading.Lock()


def page_pdf(image: Image.Image, text_pdf: bytes, box: tuple[int, int, int, int], what: str = "page") -> bytes:
    """A one-page PDF: ``image`` as the page, and the invisible text of ``text_pdf`` (tesseract's
    ``textonly_pdf`` output for ``image.crop(box)``) placed over the area ``box``."""
    page_image = io.BytesIO()
    with PDFIUM_LOCK:
        opened: list = []
        try:
            text_doc = pdfium.PdfDocument(text_pdf)
            opened.append(text_doc)
            text_page = text_doc[0]
            opened.insert(0, text_page)
            # Tesseract sized the text page from the resolution it used (given or estimated): keep that scale.
            scale = text_page.get_width() / (box[2] - box[0])
            image.save(page_image, "PDF", resolution=72 / scale)
            out = pdfium.PdfDocument(page_image.getvalue())
            opened.append(out)
            page = out[0]
            opened.insert(0, page)
            xobject = text_doc.page_as_xobject(0, out)
            opened.insert(0, xobject)
            layer = xobject.as_pageobject()
            # PDF space starts at the bottom left; the box is counted from the top left.
            layer.transform(pdfium.PdfMatrix().translate(box[0] * scale, (image.height - box[3]) * scale))
            page.insert_obj(layer)
            page.gen_content()
            buf = io.BytesIO()
            out.save(buf)
            return buf.getvalue()
        except pdfium.PdfiumError as exc:
            raise EngineError(f"{what}: making the searchable page failed ({exc})") from None
        finally:
            for thing in opened:  # children before their documents
                thing.close()
