"""Exceptions of the OCR library: every failure on bad input is an ``OcrError`` with a human-readable reason."""

from __future__ import annotations


class OcrError(Exception):
    """A file could not be recognised. ``reason`` is a short, human-readable explanation for staff."""

    code = "ocr_error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self):  # keep the subclass and reason when pickled (process pools, job queues)
        return (type(self), (self.reason,))


class UnsupportedFormat(OcrError):
    """The bytes are not one of the accepted formats (PNG, JPEG, TIFF, PDF)."""

    code = "unsupported_format"


class FileTooLarge(OcrError):
    """The file is bigger than ``OcrSettings.max_bytes``."""

    code = "file_too_large"


class TooManyPixels(OcrError):
    """An image or rendered page exceeds the pixel limit (a decompression bomb or an absurd page size)."""

    code = "too_many_pixels"


class TooSmall(OcrError):
    """An image or page too small to hold any writing (tesseract cannot even open some of them)."""

    code = "too_small"


class TooManyPages(OcrError):
    """A TIFF or PDF has more pages than ``OcrSettings.max_pages``."""

    code = "too_many_pages"


class CorruptFile(OcrError):
    """The file is damaged, truncated or cannot be decoded."""

    code = "corrupt_file"


class OcrTimeout(OcrError):
    """A tesseract call or the PDF rasteriser ran past its time limit and was killed."""

    code = "timeout"


class EngineError(OcrError):
    """Tesseract is missing, lacks a language, or failed on a page."""

    code = "engine_error"
