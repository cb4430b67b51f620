"""Recognising files: pages of one or many files in parallel, one single-threaded tesseract per worker.

Threads are enough: the heavy work happens in tesseract subprocesses and Pillow releases the GIL while it
works on pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from .errors import OcrError
from .loading import PageSource, open_pages
from .models import OcrDocument, OcrPage
from .pipeline import recognise_page
from .settings import OcrSettings
from .tesseract import check_languages

Progress = Callable[[int, int], None]


def _open(data: bytes, settings: OcrSettings) -> tuple[str, list[PageSource]] | OcrError:
    try:
        return open_pages(data, settings)
    except OcrError as exc:
        return exc


def _page(source: PageSource, settings: OcrSettings) -> OcrPage | OcrError:
    try:
        return recognise_page(source, settings)
    except OcrError as exc:
        return exc if exc.reason.startswith("page ") else type(exc)(f"page {source.number}: {exc.reason}")
    except MemoryError:
        return OcrError(f"page {source.number}: out of memory while recognising")


def recognise_many(
    items: list[bytes],
    settings: OcrSettings | None = None,
    on_progress: Progress | None = None,
) -> list[OcrDocument | OcrError]:
    """Recognise many files; returns, in order, an ``OcrDocument`` or the ``OcrError`` saying why not.

    All files are opened and checked first (PDFs rasterised), then every page of every file goes to a pool of
    ``settings.worker_count()`` workers. ``on_progress(done, total)`` counts pages: it is called once with
    ``done=0`` when the total is known and after each page, always from the calling thread.
    A configured language that tesseract lacks raises ``EngineError`` at once (a setup fault, not a bad file).
    """
    settings = settings or OcrSettings()
    check_languages(settings)
    results: list[OcrDocument | OcrError | None] = [None] * len(items)
    with ThreadPoolExecutor(max_workers=settings.worker_count(), thread_name_prefix="letter-ocr") as pool:
        opened = list(pool.map(lambda data: _open(data, settings), items))
        jobs = {}
        for index, entry in enumerate(opened):
            if isinstance(entry, OcrError):
                results[index] = entry
                continue
            kind, sources = entry
            results[index] = OcrDocument(kind=kind, pages=[])
            for source in sources:
                jobs[pool.submit(_page, source, settings)] = index
        total, done = len(jobs), 0
        if on_progress:
            on_progress(0, total)
        for future in as_completed(jobs):
            index = jobs[future]
            page = future.result()
            current = results[index]
            if isinstance(page, OcrError):
                # The first failing page decides the file's error (the rest of its pages still finish).
                if not isinstance(current, OcrError):
                    results[index] = page
            elif isinstance(current, OcrDocument):
                current.pages.append(page)
            done += 1
            if on_progress:
                on_progress(done, total)
    for result in results:
        if isinstance(result, OcrDocument):
            result.pages.sort(key=lambda p: p.number)
    return results  # type: ignore[return-value]


def recognise(data: bytes, settings: OcrSettings | None = None) -> OcrDocument:
    """Recognise one file (PNG, JPEG, TIFF or PDF bytes), its pages in parallel. Raises ``OcrError``."""
    result = recognise_many([data], settings)[0]
    if isinstance(result, OcrError):
        raise result
    return result
