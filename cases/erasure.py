"""Erasing one case's personal data while the case, its redacted text and its statistics remain.

Used by the retention period (``cases.retention``) and on a citizen's request (``cases.citizen_data``). What goes:
the citizen's record, the senders' contact fields, the case's files (scans, attachments, reply PDFs) and the raw
originals (emails, web-form posts, sent mail), wherever they are stored (a file of their own, or inside a pack).
What stays: the case row (kind, category, unit, dates, status, rating: every statistic), and its texts (subject,
letters, feedback, replies, event notes, internal notes), redacted with the citizen's own details and the publication
rules, and the case's area, its point rounded to about 100 m when the citizen gave it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases import audit, events, outbox, texts
from cases.actors import Actor
from cases.case_places import blur_place
from cases.disclosure import known_personal
from cases.errors import N_
from cases.models import Attachment, Case, Letter, QuarantineItem, Reply
from cases.models_letters import PostalBatch, ReplyLetter
from cases.models_privacy import CaseErasure
from cases.models_scans import ScanItem
from cases.models_work import CaseNote
from cases.redaction import Known, redact
from cases.files.store import FileStore

RETENTION, REQUEST = "retention", "request"


@dataclass(frozen=True)
class Erased:
    """What one erasure took away."""

    number: str
    letters: int
    attachments: int
    files: int  # stored files (or packed blobs) erased
    citizen: bool  # the citizen's record itself went (no other case referred to it)

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "letters": self.letters, "attachments": self.attachments,
                "files": self.files, "citizen": self.citizen}


def is_erased(session: Session, case: Case) -> bool:
    """Whether ``case``'s personal data was erased already."""
    return session.get(CaseErasure, case.id) is not None


def case_files(session: Session, case: Case) -> set[str]:
    """Every stored file that belongs to ``case``: originals, attachments, scans, reply PDFs, sent mail."""
    digests = {letter.raw_sha256 for letter in case.letters if letter.raw_sha256}
    digests |= {a.sha256 for a in case.attachments}
    digests |= {r.pdf_sha256 for r in case.replies if r.pdf_sha256}
    digests |= {str(e.data["raw_sha256"]) for e in case.events if (e.data or {}).get("raw_sha256")}
    for item in session.scalars(select(ScanItem).where(ScanItem.case_id == case.id)):
        digests |= {item.sha256, item.pdf_sha or ""} | {o.get("sha256", "") for o in item.originals or []}
        digests |= {p.get("image_sha", "") for p in item.pages or []}
    return {d for d in digests if d}


def erase_case(session: Session, store: FileStore, case: Case, actor: Actor, reason: str, *, note: str = "",
               address: str = "") -> Erased:
    """Erase ``case``'s personal data (see the module's docstring), logged as an event and in the access log
    (``note``: the request it answers); the caller commits.

    Stored files go before the commit: should the commit fail, the case is not marked erased and the next run
    erases it again (what is gone stays gone). A file another live case or an open quarantine item still uses
    (the same scan sent twice) is kept. The case is queued for re-indexing, so search forgets the old text."""
    known = known_personal(case)
    digests = case_files(session, case)
    batches = {r.letter.batch_id for r in case.replies if getattr(r, "letter", None) and r.letter.batch_id}
    _redact_texts(session, case, known)
    attachments = len(case.attachments)
    for attachment in list(case.attachments):
        session.delete(attachment)
    citizen = case.citizen
    case.citizen = None
    session.flush()
    citizen_gone = False
    if citizen is not None and not session.scalar(select(func.count()).where(Case.citizen_id == citizen.id)):
        session.delete(citizen)
        citizen_gone = True
    for batch in session.scalars(select(PostalBatch).where(PostalBatch.id.in_(batches))) if batches else ():
        digests.add(batch.pdf_sha256)  # the day's combined print run holds this citizen's letter
    session.flush()
    files = sum(1 for digest in sorted(digests - _still_used(session, digests, case.id)) if store.delete(digest))
    session.add(CaseErasure(case_id=case.id, reason=reason, files=files))
    events.record(session, case, actor, "personal_data_erased", note=reason,
                  data={"reason": reason, "files": files, "attachments": attachments})
    audit.record(session, actor, audit.ERASE_RETENTION if reason == RETENTION else audit.ERASE_CITIZEN,
                 case_number=case.number, target=texts.text(N_("case %(case)s"), case=case.number), address=address,
                 data={"files": files, "note": note} if note else {"files": files})
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))
    return Erased(number=case.number, letters=len(case.letters), attachments=attachments, files=files,
                  citizen=citizen_gone)


def _redact_texts(session: Session, case: Case, known: Known) -> None:
    def clean(text: str | None) -> str:
        return redact(text, known).text if text else (text or "")

    case.subject = clean(case.subject)[:300]
    for letter in case.letters:
        letter.subject, letter.body, letter.body_html = clean(letter.subject)[:300], clean(letter.body), None
        letter.sender_name = letter.sender_email = letter.sender_phone = letter.sender_address = ""
        letter.notes = [clean(note) for note in letter.notes or []]
    for feedback in case.feedback:
        feedback.body = clean(feedback.body)
    for reply in case.replies:
        reply.subject, reply.body, reply.pdf_sha256 = clean(reply.subject)[:300], clean(reply.body), None
        details = session.get(ReplyLetter, reply.id)
        if details is not None:
            details.tracking_url, details.email_html = "", None
            details.call_outcome, details.review_note = clean(details.call_outcome), clean(details.review_note)
    for event in case.events:
        event.note = clean(event.note)
        if (event.data or {}).get("raw_sha256"):
            event.data = {k: v for k, v in event.data.items() if k != "raw_sha256"}
    for internal_note in session.scalars(select(CaseNote).where(CaseNote.case_id == case.id)):
        internal_note.body = clean(internal_note.body)
    blur_place(session, case.id, clean)
    for item in session.scalars(select(ScanItem).where(ScanItem.case_id == case.id)):
        item.text, item.sender_name, item.sender_address = clean(item.text), "", ""
        item.pages, item.originals, item.pdf_sha, item.filename = [], [], None, ""


def _still_used(session: Session, digests: set[str], case_id: int) -> set[str]:
    """Those of ``digests`` that something outside the erased case still refers to."""
    if not digests:
        return set()
    wanted = list(digests)
    erased = select(CaseErasure.case_id)
    used = set(session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(wanted))))
    used |= set(session.scalars(select(Letter.raw_sha256).where(
        Letter.raw_sha256.in_(wanted), Letter.case_id != case_id, Letter.case_id.not_in(erased))))
    used |= set(session.scalars(select(Reply.pdf_sha256).where(Reply.pdf_sha256.in_(wanted))))
    used |= set(session.scalars(select(QuarantineItem.raw_sha256).where(
        QuarantineItem.raw_sha256.in_(wanted), QuarantineItem.resolved_at.is_(None))))
    used |= set(session.scalars(select(ScanItem.sha256).where(
        ScanItem.sha256.in_(wanted), (ScanItem.case_id.is_(None)) | (ScanItem.case_id != case_id))))
    return used
