"""The OCR job: a batch's stored files -> letter_ocr (one single-threaded tesseract per core) -> drafts for review.

Runs in the background worker; progress is written to the batch every few pages so the status page can show it.
A file that cannot be read goes to quarantine with its reason; the others carry on.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

from cases import scans
from cases.models_scans import ScanBatch
from cases.scans import ScanPage, ScanResult, letter_key
from letter_ocr import (OcrDocument, OcrError, OcrPage, OcrSettings, guess_sender, recognise_many, searchable_pdf,
                        split_at_blank_pages)
from web.app_state import state

Progress = Callable[[int, int], None]
ENGINE_NAMES = {"ppocr": "PP-OCR", "tesseract": "Tesseract"}
#: commit progress at most this often (seconds), and always at the first and last page
PROGRESS_EVERY = 1.0


def ocr_settings(app: Flask) -> OcrSettings:
    """Recognition settings from ``OCR_LANGUAGES``, ``OCR_ENGINES`` and ``OCR_WORKERS``; the per-page PDFs are
    kept from the same pass, so the searchable PDF needs no second recognition."""
    cfg = app.config
    languages = cfg.get("OCR_LANGUAGES") or ("eng", "spa", "chi_sim")
    if isinstance(languages, str):
        languages = [code.strip() for code in languages.replace("+", ",").split(",") if code.strip()]
    engines = cfg.get("OCR_ENGINES") or {}
    if isinstance(engines, str):  # "chi_sim:ppocr,eng:tesseract"
        engines = dict(pair.split(":", 1) for pair in engines.replace(" ", "").split(",") if ":" in pair)
    workers = int(cfg.get("OCR_WORKERS") or 0) or None
    return OcrSettings(languages=tuple(languages), engines={str(k): str(v) for k, v in engines.items()},
                       workers=workers, make_pdf=True)


def _scan_page(page: OcrPage) -> ScanPage:
    return ScanPage(image_png=page.image_png, confidence=page.confidence, width=page.width, height=page.height,
                    language=page.language, rotation=page.rotation,
                    words=[(w.text, w.conf, w.left, w.top, w.width, w.height) for w in page.words])


def _result(pages: list[OcrPage], kind: str, key: str, file_index: int, originals: list[dict[str, str]],
            settings: OcrSettings, notes: list[str]) -> ScanResult:
    document = OcrDocument(kind=kind, pages=pages)
    notes = list(notes)
    try:
        pdf = searchable_pdf(document, settings)
    except OcrError as exc:
        pdf = None
        notes.append(f"no searchable PDF: {exc.reason}")
    name, address = guess_sender(document.text)
    languages = ", ".join(document.languages)
    if languages:
        notes.append(f"OCR languages: {languages}")
    engines = sorted({ENGINE_NAMES.get(p.engine, p.engine) for p in pages if p.engine})
    if engines:
        notes.append(f"OCR engine: {', '.join(engines)}")
    return ScanResult(key=key, file_index=file_index, originals=originals, text=document.text,
                      confidence=document.confidence if any(p.words for p in pages) else None,
                      pages=[_scan_page(p) for p in pages], pdf=pdf, sender_name=name or "",
                      sender_address=address or "", notes=notes)


@dataclass
class BatchSummary:
    """What one run of the job did."""

    batch_id: int
    drafts: list[int] = field(default_factory=list)
    quarantined: list[int] = field(default_factory=list)
    error: str = ""


class _Progress:
    """Writes progress to the batch row, a commit at most every ``PROGRESS_EVERY`` seconds."""

    def __init__(self, app: Flask, batch_id: int, also: Progress | None):
        self.app, self.batch_id, self.also = app, batch_id, also
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done in (0, total) or now - self.last >= PROGRESS_EVERY:
            self.last = now
            with state(self.app).sessions() as session:
                scans.report_progress(session, self.batch_id, done, total)
        if self.also:
            self.also(done, total)


def run_batch(app: Flask, batch_id: int, on_progress: Progress | None = None) -> BatchSummary:
    """Recognise the batch's pending files and record drafts and failures. Safe to run again at any point."""
    summary = BatchSummary(batch_id)
    policy = state(app).policy
    settings = ocr_settings(app)
    with state(app).sessions() as session:
        if not scans.claim(session, batch_id):
            return summary  # done, unknown, or another job is reading it
        batch = session.get(ScanBatch, batch_id)
        pending = scans.pending_files(batch)
        files = [dict(batch.files[i]) for i in pending]
        mode = batch.mode
        # No transaction stays open while tesseract works: on SQLite it would block every other writer.
        session.commit()
    try:
        datas = [policy.store.get(f["sha256"]) for f in files]
        results = recognise_many(datas, settings, on_progress=_Progress(app, batch_id, on_progress))
    except OcrError as exc:  # a setup fault (missing language, no tesseract): the batch waits for a re-run
        with state(app).sessions() as session:
            scans.fail(session, batch_id, exc.reason)
        summary.error = exc.reason
        return summary
    except Exception as exc:
        with state(app).sessions() as session:
            scans.fail(session, batch_id, f"{type(exc).__name__}: {exc}")
        raise
    with state(app).sessions() as session:
        batch = session.get(ScanBatch, batch_id)
        if mode == "letter":
            _record_letter(session, policy, batch, pending, files, results, settings, summary)
        else:
            for index, entry, result in zip(pending, files, results):
                _record_file(session, policy, batch, index, entry, result, settings, summary)
                session.commit()  # file by file: a crash later keeps what is done
        scans.finish(session, batch)
    return summary


def _record_file(session, policy, batch: ScanBatch, index: int, entry: dict, result: OcrDocument | OcrError,
                 settings: OcrSettings, summary: BatchSummary) -> None:
    """Batch mode: each file is one letter or, split at blank separator pages, several; ``files`` mode: one."""
    if isinstance(result, OcrError):
        summary.quarantined.append(scans.quarantine_file(session, policy, batch, index, result.reason,
                                                         result.code).id)
        return
    if batch.mode == "batch":
        groups = split_at_blank_pages(result)
    else:
        groups = [[p for p in result.pages if not p.blank]] if any(not p.blank for p in result.pages) else []
    originals = [{"filename": entry["filename"], "sha256": entry["sha256"]}]
    results = []
    for group_no, pages in enumerate(groups):
        notes = [f"scanned from {entry['filename']}"]
        if len(groups) > 1:
            notes.append(f"letter {group_no + 1} of {len(groups)} in the file (blank separator pages)")
        results.append(_result(pages, result.kind, letter_key([entry["sha256"]], group_no), index, originals,
                               settings, notes))
    if not results:
        summary.quarantined.append(scans.quarantine_file(session, policy, batch, index,
                                                         "only blank pages: nothing to read", "blank").id)
        return
    summary.drafts += [item.id for item in scans.add_results(session, policy, batch, [index], results)]


def _record_letter(session, policy, batch: ScanBatch, pending: list[int], files: list[dict],
                   results: list[OcrDocument | OcrError], settings: OcrSettings, summary: BatchSummary) -> None:
    """Letter mode: the files are the pages of one letter, in order; a file that fails is quarantined and noted."""
    pages: list[OcrPage] = []
    notes, originals, kind = [], [], "png"
    for index, entry, result in zip(pending, files, results):
        if isinstance(result, OcrError):
            summary.quarantined.append(scans.quarantine_file(session, policy, batch, index, result.reason,
                                                             result.code).id)
            notes.append(f"{entry['filename']} could not be read and is in quarantine: {result.reason}")
            continue
        originals.append({"filename": entry["filename"], "sha256": entry["sha256"]})
        kind = result.kind
        pages += [p for p in result.pages if not p.blank]
    if pages:
        # Pages of several files are renumbered in reading order (image and word boxes are per page anyway).
        for number, page in enumerate(pages, start=1):
            page.number = number
        key = letter_key([o["sha256"] for o in originals])
        draft = _result(pages, kind, key, pending[0], originals, settings, notes)
        summary.drafts += [item.id for item in scans.add_results(session, policy, batch, pending, [draft])]
    elif originals:
        for index, entry in zip(pending, files):
            if not batch.files[index].get("done"):
                summary.quarantined.append(scans.quarantine_file(
                    session, policy, batch, index, "only blank pages: nothing to read", "blank").id)
    session.commit()


def recognise_quarantined(app: Flask, data: bytes, filename: str, sha256: str, file_index: int) -> list[ScanResult]:
    """Read a quarantined file again (for the quarantine's retry); raises ``OcrError`` when it still fails."""
    settings = ocr_settings(app)
    result = recognise_many([data], settings)[0]
    if isinstance(result, OcrError):
        raise result
    originals = [{"filename": filename, "sha256": sha256}]
    groups = split_at_blank_pages(result)
    if not groups:
        raise OcrError("only blank pages: nothing to read")
    return [_result(pages, result.kind, letter_key([sha256], n), file_index, originals, settings,
                    [f"scanned from {filename}", "read again from the quarantine"])
            for n, pages in enumerate(groups)]
