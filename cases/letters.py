"""Reply letters on the domain side: versioned template storage, the values a letter about a case is filled
with, and the life of a reply after it is written (approval, print batches, phone calls).

Plain Python and SQLAlchemy: rendering and validating templates is the web layer's job, so functions that
must not store an unchecked template take the validator as an argument.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from cases import events, services
from cases.actors import Actor
from cases.policy import Policy
from cases.errors import N_, NotFound, ValidationError
from cases.models import Case, Reply
from cases.models_letters import (
    AWAITING_APPROVAL,
    RELEASED,
    SENT,
    TO_CALL,
    TO_PRINT,
    LetterTemplate,
    PostalBatch,
    ReplyLetter,
)
from cases.workflow import Status

__all__ = [
    "AWAITING_APPROVAL", "RELEASED", "ReplyDraft", "TemplateProblems", "active_template", "active_templates",
    "approve", "citizen_language", "default_purpose", "guess_language", "is_released", "postal_queue",
    "record_call", "record_postal_batch", "reply_context", "restore_template", "save_template", "send_back",
    "submit_reply", "template_versions", "tracking_url", "awaiting_reply", "find_reply",
]

_PURPOSE = re.compile(r"[a-z_]{1,40}")
_LANG = re.compile(r"[a-z]{2}")
MAX_TEMPLATE_CHARS = 50_000
MAX_NOTE_CHARS = 2_000


class TemplateProblems(ValidationError):
    """A template was refused; ``problems`` lists every reason (shown beside the editor's field)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("The template was not saved: " + "; ".join(self.problems))


# --- template storage ----------------------------------------------------------------------------------------

def active_template(session: Session, purpose: str, lang: str) -> LetterTemplate | None:
    """The version in use for ``purpose`` in ``lang``; ``None`` means the shipped default applies."""
    return session.scalar(select(LetterTemplate).where(
        LetterTemplate.purpose == purpose, LetterTemplate.lang == lang, LetterTemplate.active.is_(True)))


def active_templates(session: Session) -> dict[tuple[str, str], LetterTemplate]:
    """Every active version keyed by (purpose, lang)."""
    rows = session.scalars(select(LetterTemplate).where(LetterTemplate.active.is_(True)))
    return {(row.purpose, row.lang): row for row in rows}


def template_versions(session: Session, purpose: str, lang: str) -> list[LetterTemplate]:
    """Every saved version of ``purpose`` in ``lang``, newest first."""
    return list(session.scalars(select(LetterTemplate).options(selectinload(LetterTemplate.created_by)).where(
        LetterTemplate.purpose == purpose, LetterTemplate.lang == lang).order_by(LetterTemplate.version.desc())))


def save_template(session: Session, actor: Actor, purpose: str, lang: str, source: str, *,
                  validator: Callable[[str], list[str]], note: str = "") -> LetterTemplate:
    """Save ``source`` as the new active version of ``purpose`` in ``lang``; the previous version is kept.

    ``validator`` returns the problems of a template (empty: fine); with any problem nothing is saved and
    :class:`TemplateProblems` lists them. Only administrators edit templates.
    """
    if actor.role != "admin":
        raise NotFound(N_("No such template."))
    if not _PURPOSE.fullmatch(purpose or "") or not _LANG.fullmatch(lang or ""):
        raise NotFound(N_("No such template."))
    if not isinstance(source, str) or not source.strip():
        raise TemplateProblems(["the template is empty"])
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateProblems([f"the template is longer than {MAX_TEMPLATE_CHARS} characters"])
    problems = list(validator(source))
    if problems:
        raise TemplateProblems(problems)
    current = active_template(session, purpose, lang)
    if current is not None and current.source == source:
        return current  # saving without a change adds no version
    last = session.scalar(select(func.max(LetterTemplate.version)).where(
        LetterTemplate.purpose == purpose, LetterTemplate.lang == lang)) or 0
    session.execute(update(LetterTemplate).where(
        LetterTemplate.purpose == purpose, LetterTemplate.lang == lang, LetterTemplate.active.is_(True))
        .values(active=False))
    row = LetterTemplate(purpose=purpose, lang=lang, version=last + 1, source=source, note=(note or "").strip()[:300],
                         created_by_id=actor.user_id, active=True)
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise ValidationError(N_("Someone else saved this template at the same moment; please reload and try "
                              "again.")) from error
    return row


def restore_template(session: Session, actor: Actor, template_id: int, *,
                     validator: Callable[[str], list[str]]) -> LetterTemplate:
    """Make an older version current again, as a new version (history only grows)."""
    old = session.get(LetterTemplate, template_id)
    if old is None:
        raise NotFound(N_("No such template."))
    return save_template(session, actor, old.purpose, old.lang, old.source, validator=validator,
                         note=f"restored version {old.version}")


# --- the values a letter about a case is filled with ----------------------------------------------------------

def tracking_url(base_url: str, number: str, code: str) -> str:
    """The citizen's tracking address for a case (number and code filled in)."""
    return f"{(base_url or '').rstrip('/')}/track?{urlencode({'number': number, 'code': code})}"


def default_purpose(case: Case) -> str:
    """The letter a case in its present state calls for."""
    return {
        Status.RECEIVED: "acknowledgement", Status.REGISTERED: "acknowledgement", Status.RETURNED: "return_notice",
        Status.MERGED: "merged_duplicate", Status.REPLIED: "satisfaction_request",
    }.get(case.status, "reply")


def _local_date(policy: Policy, moment: datetime | None) -> date | None:
    return policy.local_date(moment) if moment is not None else None


def reply_context(case: Case, policy: Policy, *, officer_name: str, office_name: str, office_phone: str = "",
                  base_url: str = "", today: date | None = None) -> dict[str, Any]:
    """Every placeholder value for a letter about ``case`` (dates as dates; the renderer writes them out).

    ``kind`` is the code value (``complaint``); the caller words it in the letter's language.
    """
    citizen = case.citizen
    feedback = case.feedback[-1].body if case.feedback else ""
    return_reason = next((e.note for e in reversed(case.events) if e.action == "return" and e.note), "")
    merged_into = case.merged_into_id and _case_number(case, case.merged_into_id)
    return {
        "citizen_name": citizen.name if citizen else "",
        "citizen_address": citizen.address if citizen else "",
        "case_number": case.number,
        "case_subject": case.subject,
        "kind": case.kind.value,
        "received_date": _local_date(policy, case.received_at),
        "due_date": case.due_date,
        "reply_date": today or policy.today(),
        "unit": case.unit.name if case.unit else "",
        "unit_feedback": feedback,
        "officer_name": officer_name,
        "office_name": office_name,
        "office_phone": office_phone,
        "tracking_code": case.tracking_code,
        "tracking_url": tracking_url(base_url, case.number, case.tracking_code),
        "primary_case_number": merged_into or "",
        "return_reason": return_reason,
    }


def _case_number(case: Case, case_id: int) -> str:
    from sqlalchemy.orm import object_session

    session = object_session(case)
    other = session.get(Case, case_id) if session is not None else None
    return other.number if other is not None else ""


_SPANISH_WORDS = re.compile(r"\b(el|la|los|las|de|del|que|por|para|una|con|está|muy|hay|señor|gracias)\b",
                            re.IGNORECASE)
_ENGLISH_WORDS = re.compile(r"\b(the|and|is|of|to|in|for|on|it|this|please|with|has|have)\b", re.IGNORECASE)


def guess_language(texts: Iterable[str]) -> str | None:
    """'zh', 'es' or 'en' for the language the citizen wrote in, ``None`` if the text says too little."""
    text = " ".join(t for t in texts if t)[:5000]
    if not text.strip():
        return None
    cjk = sum(1 for ch in text if unicodedata.east_asian_width(ch) == "W" and ch.isalpha())
    letters = sum(1 for ch in text if ch.isalpha())
    if letters and cjk / letters > 0.2:
        return "zh"
    spanish = len(_SPANISH_WORDS.findall(text)) + 3 * sum(text.count(ch) for ch in "ñ¿¡")
    english = len(_ENGLISH_WORDS.findall(text))
    if spanish == english == 0:
        return None
    return "es" if spanish > english else "en"


def citizen_language(case: Case) -> str | None:
    """The language of the citizen's own letters on ``case`` (automatic letters ignored), or ``None``."""
    return guess_language([case.subject] + [f"{ltr.subject}\n{ltr.body}" for ltr in case.letters
                                            if not ltr.automatic])


# --- a reply's life --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReplyDraft:
    """A reply as the clerk sends it: the final text, how it goes out, and the letter it came from."""

    subject: str
    body: str
    channel: str
    purpose: str = "reply"
    lang: str = "en"
    tracking_url: str = ""
    template_version: int | None = None
    email_html: str | None = None


def is_released(reply: Reply) -> bool:
    """Whether the reply went (or is going) to the citizen, and so belongs on the tracking page."""
    return reply.status in RELEASED


def submit_reply(session: Session, policy: Policy, case: Case, actor: Actor, draft: ReplyDraft, *,
                 needs_approval: bool, pdf_sha256: str | None = None) -> Reply:
    """Record the reply with its letter details; it waits for approval or goes out (see ``services.reply``)."""
    template = f"{draft.purpose}.{draft.lang}" + (f"@v{draft.template_version}" if draft.template_version else "")
    reply = services.reply(session, policy, case, actor, body=draft.body, subject=draft.subject,
                           channel=draft.channel, template=template[:100], needs_approval=needs_approval,
                           pdf_sha256=pdf_sha256)
    session.add(ReplyLetter(reply=reply, purpose=draft.purpose, lang=draft.lang, tracking_url=draft.tracking_url,
                            template_version=draft.template_version, email_html=draft.email_html))
    session.flush()
    return reply


def awaiting_reply(case: Case) -> Reply | None:
    """The reply on ``case`` waiting for a supervisor, if any."""
    return services.awaiting_reply(case)


def _letter(reply: Reply) -> ReplyLetter:
    letter = reply.letter  # type: ignore[attr-defined]
    if letter is None:  # a reply recorded before letters had details (or by a bare service call)
        # Set from the reply's side, so the row follows the reply into its session (set from the letter's side
        # through the backref, it would not, and would never be written).
        letter = reply.letter = ReplyLetter()  # type: ignore[attr-defined]
    return letter


def approve(session: Session, policy: Policy, case: Case, actor: Actor, *, note: str = "",
            pdf_sha256: str | None = None) -> Reply:
    """A supervisor lets the waiting reply go out (the postal PDF, if any, is made by the caller first)."""
    reply = services.approve_reply(session, policy, case, actor, note=note, pdf_sha256=pdf_sha256)
    letter = _letter(reply)
    letter.review_note, letter.reviewed_by_id, letter.reviewed_at = note.strip(), actor.user_id, _now()
    session.flush()
    return reply


def send_back(session: Session, policy: Policy, case: Case, actor: Actor, note: str) -> Reply:
    """A supervisor returns the waiting reply to the clerk with ``note``; the clerk writes it again."""
    reply = services.return_reply(session, policy, case, actor, note[:MAX_NOTE_CHARS])
    letter = _letter(reply)
    letter.review_note, letter.reviewed_by_id, letter.reviewed_at = note.strip(), actor.user_id, _now()
    session.flush()
    return reply


def _now() -> datetime:
    return datetime.now(timezone.utc)


def postal_queue(session: Session) -> list[Reply]:
    """Postal replies waiting to be printed, oldest first, with their cases and citizens loaded."""
    return list(session.scalars(select(Reply).where(Reply.status == TO_PRINT, Reply.channel == "post")
                                .options(selectinload(Reply.case).selectinload(Case.citizen))
                                .order_by(Reply.id)))


def record_postal_batch(session: Session, actor: Actor, reply_ids: Sequence[int], pdf_sha256: str) -> PostalBatch:
    """Mark the postal replies ``reply_ids`` (printed together as the stored PDF ``pdf_sha256``) as sent.

    Each case gets a ``reply_posted`` event. A reply another clerk printed in the meantime makes the whole
    batch fail with a reason, so no letter is posted twice.
    """
    if actor.role not in {"clerk", "supervisor", "admin"}:
        raise NotFound(N_("No such page."))
    if not reply_ids:
        raise ValidationError(N_("There are no letters to print."))
    replies = list(session.scalars(select(Reply).where(Reply.id.in_(list(reply_ids))).with_for_update()))
    if len(replies) != len(set(reply_ids)) or any(r.status != TO_PRINT for r in replies):
        raise ValidationError(N_("Some of these letters were printed by someone else meanwhile; print again."))
    batch = PostalBatch(created_by_id=actor.user_id, pdf_sha256=pdf_sha256, count=len(replies))
    session.add(batch)
    session.flush()
    now = _now()
    for reply in sorted(replies, key=lambda r: r.id):
        reply.status, reply.sent_at = SENT, now
        _letter(reply).batch = batch
        events.record(session, reply.case, actor, "reply_posted", internal=False,
                      data={"reply_id": reply.id, "batch": batch.id})
    session.flush()
    return batch


def record_call(session: Session, case: Case, actor: Actor, reply_id: int, outcome: str) -> Reply:
    """The clerk phoned the citizen and read the reply: note the outcome, mark the reply sent."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError(N_("Say how the call went (reached, message left, ...)."))
    reply = next((r for r in case.replies if r.id == reply_id and r.channel == "phone"), None)
    if reply is None:
        raise NotFound(N_("No such reply."))
    if reply.status != TO_CALL:
        raise ValidationError(N_("This reply was already given by phone."))
    reply.status, reply.sent_at = SENT, _now()
    _letter(reply).call_outcome = outcome[:MAX_NOTE_CHARS]
    events.record(session, case, actor, "reply_called", note=outcome[:MAX_NOTE_CHARS],
                  data={"reply_id": reply.id})
    session.flush()
    return reply


def find_reply(case: Case, reply_id: int) -> Reply:
    """The reply ``reply_id`` of ``case``; :class:`NotFound` if it belongs to another case."""
    reply = next((r for r in case.replies if r.id == reply_id), None)
    if reply is None:
        raise NotFound(N_("No such reply."))
    return reply

