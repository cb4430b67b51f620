"""Put many letter PDFs into one print job ("print today's post")."""
from __future__ import annotations

import io

import pypdfium2 as pdfium

from cases.sniff import PDFIUM_LOCK
from reply_render.errors import LetterError


def combine_pdfs(pdfs: list[bytes], *, duplex: bool = False) -> bytes:
    """One PDF with every page of ``pdfs`` in order.

    With ``duplex`` each letter starts on a front side: a blank page follows any letter with an odd page
    count, so no letter is printed on the back of another citizen's. Raises ``LetterError`` naming the
    position of an input that is not a readable PDF.
    """
    if not pdfs:
        raise LetterError("there are no letters to combine")
    with PDFIUM_LOCK:
        return _combine(pdfs, duplex)


def _combine(pdfs: list[bytes], duplex: bool) -> bytes:
    combined = pdfium.PdfDocument.new()
    sources = []
    try:
        for position, data in enumerate(pdfs, start=1):
            try:
                source = pdfium.PdfDocument(bytes(data))
            except (pdfium.PdfiumError, TypeError, ValueError) as error:
                raise LetterError(f"letter {position} is not a readable PDF: {error}") from error
            sources.append(source)
            count = len(source)
            if count == 0:
                raise LetterError(f"letter {position} has no pages")
            combined.import_pages(source)
            if duplex and count % 2 and position < len(pdfs):
                width, height = source[count - 1].get_size()
                combined.new_page(width, height)
        buffer = io.BytesIO()
        combined.save(buffer)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()
        combined.close()
