"""Splitting a scanned batch into letters at blank separator pages."""

from __future__ import annotations

from collections.abc import Sequence

from .models import OcrDocument, OcrPage


def is_blank(page: OcrPage, max_ink: float | None = None, max_chars: int = 3) -> bool:
    """A separator page: marked blank by the pipeline (less ink than ``OcrSettings.blank_ink_ratio``), or, when
    ``max_ink`` is given, any page under that ink ratio whose recognised text has at most ``max_chars``
    letters or digits (a speck or a page number does not make a letter)."""
    if page.blank:
        return True
    if max_ink is None:
        return False
    return page.ink_ratio < max_ink and sum(c.isalnum() for c in page.text) <= max_chars


def split_at_blank_pages(
    pages: Sequence[OcrPage] | OcrDocument, max_ink: float | None = None, max_chars: int = 3
) -> list[list[OcrPage]]:
    """Split recognised pages into letters at blank pages. Separator pages are dropped, as are empty groups
    (several blank pages in a row, or a blank first/last page)."""
    if isinstance(pages, OcrDocument):
        pages = pages.pages
    letters: list[list[OcrPage]] = []
    current: list[OcrPage] = []
    for page in pages:
        if is_blank(page, max_ink, max_chars):
            if current:
                letters.append(current)
            current = []
        else:
            current.append(page)
    if current:
        letters.append(current)
    return letters
