"""Recognition of paper letters: scans and photos (PNG, JPEG, TIFF, HEIC, PDF) -> cleaned pages -> tesseract, or
PP-OCR for Chinese (``OcrSettings.engines``) -> text with confidence and word boxes. Knows nothing of cases or the
database.

Public API::

    sniff_type(data) -> "png" | "jpeg" | "tiff" | "heif" | "pdf"
    recognise(data, settings=None) -> OcrDocument
    recognise_many(items, settings=None, on_progress=None) -> list[OcrDocument | OcrError]
    searchable_pdf(data_or_document, settings=None) -> bytes
    split_at_blank_pages(pages_or_document, max_ink=None, max_chars=3) -> list[list[OcrPage]]
    guess_sender(text) -> (name | None, address | None)

Every failure on bad input is an ``OcrError`` (subclasses below) with a human-readable ``reason``.
"""

from .batch import recognise, recognise_many
from .errors import (
    CorruptFile,
    EngineError,
    FileTooLarge,
    OcrError,
    OcrTimeout,
    TooManyPages,
    TooManyPixels,
    TooSmall,
    UnsupportedFormat,
)
from .models import OcrDocument, OcrPage, OcrWord
from .pdf_out import searchable_pdf
from .sender import guess_sender
from .settings import OcrSettings
from .sniff import sniff_type
from .split import is_blank, split_at_blank_pages

__all__ = [
    "CorruptFile",
    "EngineError",
    "FileTooLarge",
    "OcrDocument",
    "OcrError",
    "OcrPage",
    "OcrSettings",
    "OcrTimeout",
    "OcrWord",
    "TooManyPages",
    "TooManyPixels",
    "TooSmall",
    "UnsupportedFormat",
    "guess_sender",
    "is_blank",
    "recognise",
    "recognise_many",
    "searchable_pdf",
    "sniff_type",
    "split_at_blank_pages",
]
