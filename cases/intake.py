"""Turning letter drafts into cases: a new case, or a further letter on the case it answers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cases import events, outbox
from cases.actors import SYSTEM, Actor
from cases.policy import Policy
from cases.drafts import AttachmentDraft, Channel, LetterDraft
from cases.models import Attachment, Case, Citizen, Letter, QuarantineItem, Reply
from cases.new_cases import OutboxRows, clip, letter_row, open_case, store_file
from cases.numbering import find_case_token


@dataclass(frozen=True)
class IntakeResult:
    """What happened to a draft: ``new_case``, ``attached`` (to an existing case) or ``duplicate``."""

    outcome: str
    case: Case | None


def store_attachments(session: Session, policy: Policy, case: Case, files: list[AttachmentDraft], *,
                      letter: Letter | None = None, feedback_id: int | None = None,
                      allowed_types: frozenset[str] | None = None) -> list[Attachment]:
    """Store files on ``case``; with ``allowed_types`` a file whose bytes are another type is refused."""
    stored = []
    for item in files:
        content_type, digest = store_file(policy, item, allowed_types)
        attachment = Attachment(case=case, letter_id=letter.id if letter else None, feedback_id=feedback_id,
                                filename=clip(item.filename, 255) or "attachment", content_type=content_type,
                                size=item.size, sha256=digest, text=item.text)
        session.add(attachment)
        stored.append(attachment)
    return stored


def _find_answered_case(session: Session, draft: LetterDraft) -> Case | None:
    """The case this draft answers: by our Message-IDs it refers to, else by the case number in its subject."""
    if draft.in_reply_to:
        case = session.scalar(select(Case).join(Reply).where(Reply.message_id.in_(draft.in_reply_to)).limit(1))
        if case is not None:
            return case
    token = draft.case_token or find_case_token(draft.subject)
    # The number alone is public on letters; the sender (address, or phone for an SMS) must be the case's citizen.
    sms = draft.channel == Channel.SMS
    if token and (draft.sender_phone if sms else draft.sender_email):
        return session.scalar(select(Case).join(Citizen).where(Case.number == token, Citizen.phone == draft.sender_phone
                                                               if sms else Citizen.email == draft.sender_email.lower()))
    return None


def may_answer_case(draft: LetterDraft) -> bool:
    """Whether ``receive`` would look for a case this draft answers (it refers to our mail or names a number)."""
    return draft.channel == Channel.EMAIL and bool(draft.in_reply_to or draft.case_token
                                                   or find_case_token(draft.subject))


def is_duplicate(session: Session, external_id: str | None, raw_sha256: str | None) -> bool:
    """Whether a letter with this Message-ID or these exact raw bytes is already on file."""
    conditions = []
    if external_id:
        conditions.append(Letter.external_id == external_id)
    if raw_sha256:
        conditions.append(Letter.raw_sha256 == raw_sha256)
    if not conditions:
        return False
    return session.scalar(select(Letter.id).where(or_(*conditions)).limit(1)) is not None


def _letter_from_draft(draft: LetterDraft, actor: Actor, dedup_key: str | None = None) -> Letter:
    return Letter(**letter_row(draft, actor, draft.received_at or datetime.now(timezone.utc)), dedup_key=dedup_key)


def receive(session: Session, policy: Policy, draft: LetterDraft, *, actor: Actor = SYSTEM,
            allowed_types: frozenset[str] | None = None, dedup_key: str | None = None,
            dedup_guarded: bool = False, unique_raw: bool = False,
            extra_outbox: OutboxRows | None = None) -> IntakeResult:
    """Register a draft: attach it to the case it answers, skip it as a duplicate, or open a new case.

    ``dedup_key``: the adapter's own identity of the item (email: Message-ID plus a content hash, since senders
    reuse Message-IDs); when given it decides what is a duplicate and is stored on the letter (unique).
    ``dedup_guarded``: the caller runs this in a savepoint and turns an ``IntegrityError`` on the unique dedup key
    into "duplicate" itself (the mail store does), so the lookup before the insert is skipped.
    ``unique_raw``: the draft's stored raw bytes cannot match an earlier letter's (the web form stores each post
    with its moment of arrival), so the lookup of an identical earlier letter is skipped.
    ``extra_outbox``: outbox items a new case opens besides its indexing (see ``cases.new_cases.open_cases``).
    Runs inside the caller's transaction; the caller commits. Indexing is queued in the outbox.
    """
    if dedup_key is not None:
        if dedup_guarded:
            pass
        elif session.scalar(select(Letter.id).where(Letter.dedup_key == dedup_key).limit(1)) is not None:
            return IntakeResult("duplicate", None)
    elif not unique_raw and is_duplicate(session, draft.external_id, draft.raw_sha256):
        return IntakeResult("duplicate", None)
    existing = _find_answered_case(session, draft) if draft.channel in (Channel.EMAIL, Channel.SMS) else None
    if existing is not None:
        return IntakeResult("attached", _attach(session, policy, existing, draft, actor, allowed_types, dedup_key))
    new = open_case(session, policy, draft, actor=actor, dedup_key=dedup_key, allowed_types=allowed_types,
                    extra_outbox=extra_outbox)
    return IntakeResult("new_case", session.get(Case, new.id))


def _attach(session: Session, policy: Policy, case: Case, draft: LetterDraft, actor: Actor,
            allowed_types: frozenset[str] | None, dedup_key: str | None = None) -> Case:
    letter = _letter_from_draft(draft, actor, dedup_key)
    letter.case = case
    session.add(letter)
    session.flush()
    store_attachments(session, policy, case, draft.attachments, letter=letter, allowed_types=allowed_types)
    note = "automatic message (never answered)" if draft.automatic else ""
    events.record(session, case, actor, "letter_added", note=note,
                  data={"channel": draft.channel.value, "letter_id": letter.id})
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))
    return case


def quarantine(session: Session, policy: Policy, *, source: str, data: bytes, reason: str, filename: str = "",
               extra: dict | None = None) -> QuarantineItem:
    """Keep an item that could not become a letter, with its reason; the original bytes are stored first."""
    digest = policy.store.put(data)
    item = QuarantineItem(source=source, reason=reason[:4000], raw_sha256=digest, filename=clip(filename, 255),
                          data=extra or {})
    session.add(item)
    return item
