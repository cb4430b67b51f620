"""The paper channel's domain: scan batches, the letter drafts recognised from them, and registering a reviewed
draft as a case. Plain values in, no OCR and no Flask here: the web layer recognises and hands over the results.

Exactly once: every input file is stored before anything reads it; a batch's files are marked done in the same
transaction as the drafts made from them; a draft's key is unique per batch, and, hashed, is the dedup key of the
letter it becomes, so the same pages never make two cases.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from cases import intake, services
from cases.actors import Actor
from cases.policy import Policy
from cases.drafts import AttachmentDraft, Channel, LetterDraft
from cases.errors import N_, NotFound, ValidationError
from cases.models import Case, Letter, QuarantineItem, utcnow
from cases.models_scans import ScanBatch, ScanItem

#: ``letter``: the files are the pages of one letter; ``batch``: each file and each blank separator page starts a
#: new letter; ``files``: each file is one letter (the command line's default).
MODES = ("letter", "batch", "files")


@dataclass
class ScanPage:
    """A recognised page as plain values: the cleaned image and its words ``(text, conf, left, top, w, h)``."""

    image_png: bytes
    confidence: float
    width: int
    height: int
    language: str | None = None
    rotation: int = 0
    words: list[tuple[str, float, int, int, int, int]] = field(default_factory=list)


@dataclass
class ScanResult:
    """One recognised letter of a batch, ready to become a draft for review."""

    key: str
    file_index: int
    originals: list[dict[str, str]]  # [{"filename", "sha256"}] of the stored inputs
    text: str
    confidence: float | None
    pages: list[ScanPage]
    pdf: bytes | None = None
    sender_name: str = ""
    sender_address: str = ""
    notes: list[str] = field(default_factory=list)


def letter_key(shas: Sequence[str], group: int = 0) -> str:
    """The identity of a letter made of these stored files (in order) and separator group: a 64-hex digest."""
    return hashlib.sha256(("scan:" + "+".join(shas) + f":{group}").encode()).hexdigest()


# --- batches -------------------------------------------------------------------------------------------------------
def create_batch(session: Session, policy: Policy, files: Sequence[tuple[str, bytes]], *, mode: str = "letter",
                 created_by: int | None = None, source: str = "upload", dedup_key: str | None = None) -> ScanBatch:
    """Store every file, then record the batch (status ``queued``). The caller commits and queues the job.

    With ``dedup_key`` an existing batch of that key is returned instead of a new one.
    """
    if mode not in MODES:
        raise ValidationError(N_("Unknown scan mode: %(mode)s"), mode=mode)
    if not files:
        raise ValidationError(N_("No files to scan."))
    if dedup_key is not None:
        existing = session.scalar(select(ScanBatch).where(ScanBatch.dedup_key == dedup_key))
        if existing is not None:
            return existing
    stored = [{"filename": (name or "scan")[:255], "sha256": policy.store.put(data), "done": False}
              for name, data in files]
    batch = ScanBatch(created_by=created_by, source=source, mode=mode, status="queued", files=stored,
                      dedup_key=dedup_key, total_pages=0, done_pages=0, error="")
    session.add(batch)
    session.flush()
    return batch


def get_batch(session: Session, batch_id: int) -> ScanBatch:
    batch = session.get(ScanBatch, batch_id)
    if batch is None:
        raise NotFound(N_("No such scan batch."))
    return batch


def pending_files(batch: ScanBatch) -> list[int]:
    """Indexes of the batch's files not yet turned into drafts (or quarantined)."""
    return [i for i, f in enumerate(batch.files or []) if not f.get("done")]


def claim(session: Session, batch_id: int, stale_after: timedelta = timedelta(minutes=10)) -> bool:
    """Take the batch for one job: queued, failed, or running with a heartbeat older than ``stale_after`` (its
    worker died). One conditional UPDATE, so of two jobs racing for a batch only one runs it. Commits."""
    now = utcnow()
    result = session.execute(update(ScanBatch).where(
        ScanBatch.id == batch_id,
        or_(ScanBatch.status.in_(("queued", "failed")),
            and_(ScanBatch.status == "running",
                 or_(ScanBatch.heartbeat_at.is_(None), ScanBatch.heartbeat_at < now - stale_after))))
        .values(status="running", error="", done_pages=0, heartbeat_at=now))
    session.commit()
    return result.rowcount == 1


def report_progress(session: Session, batch_id: int, done: int, total: int) -> None:
    """Record ``done`` of ``total`` pages and commit at once (the status page reads it from another process)."""
    session.execute(update(ScanBatch).where(ScanBatch.id == batch_id).values(
        done_pages=done, total_pages=total, heartbeat_at=utcnow()))
    session.commit()


def _mark_done(batch: ScanBatch, indexes: Sequence[int]) -> None:
    files = [dict(f) for f in batch.files]
    for i in indexes:
        files[i]["done"] = True
    batch.files = files  # a new list, so the JSON column is written


def add_results(session: Session, policy: Policy, batch: ScanBatch, file_indexes: Sequence[int],
                results: Sequence[ScanResult]) -> list[ScanItem]:
    """Store page images and PDFs, add a draft per result (skipping keys already there) and mark the files done.

    The caller commits: drafts and the files' done marks land together.
    """
    known = set(session.scalars(select(ScanItem.key).where(ScanItem.batch_id == batch.id)))
    added = []
    for result in results:
        if result.key in known:
            continue
        pages = []
        for page in result.pages:
            pages.append({"image_sha": policy.store.put(page.image_png), "confidence": round(page.confidence, 1),
                          "language": page.language, "rotation": page.rotation, "width": page.width,
                          "height": page.height,
                          "words": [[w[0], round(float(w[1]), 1), *map(int, w[2:6])] for w in page.words]})
        first = result.originals[0] if result.originals else {"filename": "", "sha256": ""}
        item = ScanItem(batch_id=batch.id, key=result.key, file_index=result.file_index,
                        filename=first["filename"][:255], sha256=first["sha256"], originals=list(result.originals),
                        status="review", text=result.text, confidence=result.confidence, pages=pages,
                        sender_name=(result.sender_name or "")[:200], sender_address=result.sender_address or "",
                        pdf_sha=policy.store.put(result.pdf) if result.pdf else None, notes=list(result.notes),
                        reason="")
        session.add(item)
        known.add(result.key)
        added.append(item)
    _mark_done(batch, file_indexes)
    session.flush()
    return added


def quarantine_file(session: Session, policy: Policy, batch: ScanBatch, file_index: int, reason: str,
                    code: str = "ocr_error") -> ScanItem:
    """A file that could not be recognised: into quarantine with its reason (the original is already stored),
    recorded on the batch as a ``quarantined`` item, the file marked done. The caller commits."""
    entry = batch.files[file_index]
    key = letter_key([entry["sha256"]], -1 - file_index)
    existing = session.scalar(select(ScanItem).where(ScanItem.batch_id == batch.id, ScanItem.key == key))
    if existing is not None:
        _mark_done(batch, [file_index])
        return existing
    data = policy.store.get(entry["sha256"])
    q = intake.quarantine(session, policy, source="scan", data=data, reason=f"{entry['filename']}: {reason}",
                          filename=entry["filename"],
                          extra={"origin": f"scan batch {batch.id}", "batch_id": batch.id, "code": code,
                                 "file_index": file_index})
    session.flush()
    item = ScanItem(batch_id=batch.id, key=key, file_index=file_index, filename=entry["filename"][:255],
                    sha256=entry["sha256"], originals=[{"filename": entry["filename"], "sha256": entry["sha256"]}],
                    status="quarantined", text="", pages=[], sender_name="", sender_address="", notes=[],
                    reason=reason, quarantine_id=q.id)
    session.add(item)
    _mark_done(batch, [file_index])
    session.flush()
    return item


def finish(session: Session, batch: ScanBatch) -> None:
    """The job is over (drafts and quarantined files recorded)."""
    batch.status, batch.finished_at = "done", utcnow()
    session.commit()


def fail(session: Session, batch_id: int, error: str) -> None:
    """The job itself failed (a setup fault such as a missing OCR language); it can be run again."""
    session.rollback()
    session.execute(update(ScanBatch).where(ScanBatch.id == batch_id).values(status="failed", error=error[:4000]))
    session.commit()


def requeue(session: Session, batch: ScanBatch) -> None:
    """Queue a failed or stuck batch again; the caller commits and queues the job."""
    batch.status, batch.error = "queued", ""


# --- review and registration ---------------------------------------------------------------------------------------
def items_to_review(session: Session, limit: int = 200) -> Sequence[ScanItem]:
    return session.scalars(select(ScanItem).where(ScanItem.status == "review").order_by(ScanItem.id)
                           .limit(limit)).all()


def recent_batches(session: Session, limit: int = 20) -> Sequence[ScanBatch]:
    return session.scalars(select(ScanBatch).order_by(ScanBatch.id.desc()).limit(limit)).all()


def get_item(session: Session, item_id: int) -> ScanItem:
    item = session.get(ScanItem, item_id)
    if item is None:
        raise NotFound(N_("No such scanned letter."))
    return item


def _attachments(item: ScanItem, policy: Policy, ocr_text: str) -> list[AttachmentDraft]:
    files = []
    for original in item.originals or []:
        files.append(AttachmentDraft(filename=original["filename"] or "scan", data=policy.store.get(original["sha256"]),
                                     text=ocr_text or None))
    if item.pdf_sha:
        stem = (item.filename.rsplit(".", 1)[0] if item.filename else "") or f"scan-{item.id}"
        files.append(AttachmentDraft(filename=f"{stem}-searchable.pdf", data=policy.store.get(item.pdf_sha),
                                     declared_type="application/pdf", text=ocr_text or None))
    return files


def register(session: Session, policy: Policy, item: ScanItem, actor: Actor, *, subject: str, body: str,
             kind: str | None = None, category_id: int | None = None, urgent: bool = False,
             sender_name: str = "", sender_address: str = "", sender_phone: str = "", sender_email: str = "",
             checked: bool = True) -> Case:
    """Make a case of a draft: a paper letter with the original file(s) and the searchable PDF as attachments
    (their text is the OCR text, so the archive search finds them). ``checked``: a clerk reviewed it, so the case
    is registered at once (as a phone call is); otherwise it waits in the desk's new queue.

    Registering the same pages twice returns the case they already made. The caller commits.
    """
    if item.status == "registered" and item.case_id:
        case = session.get(Case, item.case_id)
        if case is not None:
            return case
    if item.status == "quarantined":
        raise ValidationError(N_("This file could not be read; see the quarantine."))
    body = (body or "").strip()
    if not body:
        raise ValidationError(N_("The letter text is empty."))
    notes = list(item.notes or [])
    if item.confidence is not None:
        notes.append(f"OCR confidence {item.confidence:.0f}%")
    draft = LetterDraft(channel=Channel.PAPER, subject=(subject or "").strip() or body.splitlines()[0][:80],
                        body=body, sender_name=sender_name.strip(), sender_address=sender_address.strip(),
                        sender_phone=sender_phone.strip(), sender_email=sender_email.strip(), kind=kind,
                        urgent=urgent, raw_sha256=item.sha256 or None, ocr_confidence=item.confidence,
                        attachments=_attachments(item, policy, item.text), notes=notes)
    result = intake.receive(session, policy, draft, actor=actor, dedup_key=item.key)
    if result.outcome == "duplicate":
        case = session.scalar(select(Case).join(Letter).where(Letter.dedup_key == item.key).limit(1))
        if case is None:  # pragma: no cover - the dedup key exists, so its case does
            raise ValidationError(N_("This letter is already registered."))
    else:
        case = result.case
        if checked:
            services.register(session, policy, case, actor, kind=kind, category_id=category_id, urgent=urgent)
    item.status, item.case_id, item.registered_at, item.registered_by = "registered", case.id, utcnow(), actor.user_id
    return case


def item_for_quarantine(session: Session, quarantine: QuarantineItem) -> ScanItem | None:
    """The batch entry a quarantined scan file came from (None for a quarantine item of another origin)."""
    return session.scalar(select(ScanItem).where(ScanItem.quarantine_id == quarantine.id))


def replace_quarantined(session: Session, policy: Policy, item: ScanItem, results: Sequence[ScanResult]) -> list[ScanItem]:
    """A quarantined file that now reads: its drafts join the batch for review. The caller commits."""
    batch = item.batch
    added = add_results(session, policy, batch, [], results)
    item.status = "retried"
    return added


def page_image(item: ScanItem, number: int) -> str:
    """The stored image digest of page ``number`` (1-based) of a draft; ``NotFound`` when there is none."""
    if not 1 <= number <= len(item.pages or []):
        raise NotFound(N_("No such page."))
    return item.pages[number - 1]["image_sha"]


def low_words(page: dict[str, Any], threshold: float) -> list[str]:
    """The words of a stored page read with less than ``threshold`` confidence."""
    return [w[0] for w in page.get("words", []) if w[1] < threshold]
