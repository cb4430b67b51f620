"""Turning letter drafts into cases: a new case, or a further letter on the case it answers."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import String, bindparam, cast, func, insert, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from cases import events, outbox
from cases.context import SYSTEM, Actor, Policy
from cases.drafts import AttachmentDraft, Channel, HeldBytes, LetterDraft
from cases.errors import CaseError, UploadRejected, ValidationError
from cases.models import (Attachment, Case, CaseKind, CaseSequence, Category, Citizen, Event, Letter, OutboxItem,
                          QuarantineItem, Reply)
from cases.numbering import case_numbers, find_case_token, new_tracking_code, next_case_number
from cases.sniff import sniff
from cases.workflow import Status


@dataclass(frozen=True)
class IntakeResult:
    """What happened to a draft: ``new_case``, ``attached`` (to an existing case) or ``duplicate``."""

    outcome: str
    case: Case | None


def _clip(text: str | None, length: int) -> str:
    return (text or "").strip()[:length]


def store_file(policy: Policy, item: AttachmentDraft, allowed_types: frozenset[str] | None = None) -> tuple[str, str]:
    """Sniff and store one file; returns (content type, sha256). ``allowed_types``: refuse any other type.

    Bytes held elsewhere (``HeldBytes``) are registered through the store's ``hold``; a store without one
    refuses them (``CaseError``), as it could not give the file back."""
    content_type = sniff(item.head)
    if allowed_types is not None and content_type not in allowed_types:
        raise UploadRejected(f"“{item.filename}” is not an image or PDF (its content is {content_type}).")
    if isinstance(item.data, HeldBytes):
        hold = getattr(policy.store, "hold", None)
        if hold is None:
            raise CaseError(f"“{item.filename}” was left in its raw message, which this file store cannot read")
        return content_type, hold(item.data)
    return content_type, policy.store.put(item.data)


def store_attachments(session: Session, policy: Policy, case: Case, files: list[AttachmentDraft], *,
                      letter: Letter | None = None, feedback_id: int | None = None,
                      allowed_types: frozenset[str] | None = None) -> list[Attachment]:
    """Store files on ``case``; with ``allowed_types`` a file whose bytes are another type is refused."""
    stored = []
    for item in files:
        content_type, digest = store_file(policy, item, allowed_types)
        attachment = Attachment(case=case, letter_id=letter.id if letter else None, feedback_id=feedback_id,
                                filename=_clip(item.filename, 255) or "attachment", content_type=content_type,
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


def preferred_reply(draft: LetterDraft) -> str:
    """How to answer the sender of ``draft``: as asked, else by email, post or phone, whichever we can."""
    if draft.preferred_reply in {"email", "post", "phone"}:
        return draft.preferred_reply
    if draft.sender_email:
        return "email"
    if draft.sender_address:
        return "post"
    return "phone"


def receive(session: Session, policy: Policy, draft: LetterDraft, *, actor: Actor = SYSTEM,
            allowed_types: frozenset[str] | None = None, dedup_key: str | None = None,
            dedup_guarded: bool = False, unique_raw: bool = False) -> IntakeResult:
    """Register a draft: attach it to the case it answers, skip it as a duplicate, or open a new case.

    ``dedup_key``: the adapter's own identity of the item (email: Message-ID plus a content hash, since senders
    reuse Message-IDs); when given it decides what is a duplicate and is stored on the letter (unique).
    ``dedup_guarded``: the caller runs this in a savepoint and turns an ``IntegrityError`` on the unique dedup key
    into "duplicate" itself (the mail store does), so the lookup before the insert is skipped.
    ``unique_raw``: the draft's stored raw bytes cannot match an earlier letter's (the web form stores each post
    with its moment of arrival), so the lookup of an identical earlier letter is skipped.
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
    return IntakeResult("new_case", _open_case(session, policy, draft, actor, allowed_types, dedup_key))


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


def _kind(value: str | None) -> CaseKind:
    try:
        return CaseKind(value) if value else CaseKind.CONSULTATION
    except ValueError as exc:
        raise ValidationError(f"Unknown case kind: {value}") from exc


def _build_case(session: Session, policy: Policy, draft: LetterDraft, actor: Actor, dedup_key: str | None,
                number: str, category: Category | None) -> tuple[Case, Letter]:
    """A new case with its citizen, first letter and "received" event, added to the session (not flushed)."""
    received_at = draft.received_at or datetime.now(timezone.utc)
    due = policy.calendar.add_working_days(policy.local_date(received_at), policy.dispatch_days)
    citizen = Citizen(**citizen_row(draft))
    case = Case(**case_row(draft, kind=_kind(draft.kind), category_id=category.id if category else None,
                           received_at=received_at, due=due, tracking_code=new_tracking_code()),
                number=number, citizen=citizen, category=category)
    session.add(case)
    letter = _letter_from_draft(draft, actor, dedup_key)
    letter.case = case
    session.add(letter)
    events.record(session, case, actor, "received", to_status=Status.RECEIVED.value, internal=False,
                  note="; ".join(draft.notes),
                  data={"channel": draft.channel.value, "due_date": case.due_date.isoformat()})
    return case, letter


def _category(session: Session, draft: LetterDraft) -> Category | None:
    return session.scalar(select(Category).where(Category.name == draft.category)) if draft.category else None


def _open_case(session: Session, policy: Policy, draft: LetterDraft, actor: Actor,
               allowed_types: frozenset[str] | None, dedup_key: str | None = None) -> Case:
    received_at = draft.received_at or datetime.now(timezone.utc)
    number = next_case_number(session, policy.local_date(received_at).year)
    case, letter = _build_case(session, policy, draft, actor, dedup_key, number, _category(session, draft))
    # One flush gives the ids the rest needs (letter for attachments, case for the outbox key); what is added
    # after it goes in with the caller's next flush or commit.
    session.flush()
    store_attachments(session, policy, case, draft.attachments, letter=letter, allowed_types=allowed_types)
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id), fresh=True)
    return case


def open_cases(session: Session, policy: Policy, entries: Sequence[tuple[LetterDraft, str | None]], *,
               actor: Actor = SYSTEM) -> list[Case]:
    """Open one new case per ``(draft, dedup_key)`` with few round trips: numbers in one UPDATE per year, every
    case, citizen, letter and event in one flush (multi-row inserts), then attachments and index hand-offs.

    Unlike ``receive`` it neither looks for duplicates nor for the case a draft answers: the caller has decided
    these are new, runs this in a savepoint and redoes the drafts one by one with ``receive`` if it fails (a
    dedup key already on file raises ``IntegrityError``). Runs inside the caller's transaction; the caller commits.
    """
    now = datetime.now(timezone.utc)
    numbers = case_numbers(session, [policy.local_date(draft.received_at or now).year for draft, _ in entries])
    categories: dict[str, Category | None] = {}
    built = []
    for (draft, key), number in zip(entries, numbers):
        if draft.category and draft.category not in categories:
            categories[draft.category] = _category(session, draft)
        built.append(_build_case(session, policy, draft, actor, key, number, categories.get(draft.category or "")))
    session.flush()
    for (draft, _), (case, letter) in zip(entries, built):
        store_attachments(session, policy, case, draft.attachments, letter=letter)
        outbox.enqueue(session, outbox.INDEX_CASE, str(case.id), fresh=True)
    return [case for case, _ in built]


# The rows of a new case as the Core paths write them (``open_new_case`` here, ``cases.mail_bulk`` for mail
# batches), column for column what ``receive`` writes through the ORM.

def citizen_row(draft: LetterDraft) -> dict[str, Any]:
    """The citizen row of ``draft``'s sender."""
    return {"name": _clip(draft.sender_name, 200), "phone": _clip(draft.sender_phone, 50),
            "email": _clip(draft.sender_email, 254).lower(), "address": (draft.sender_address or "").strip(),
            "preferred_reply": preferred_reply(draft)}


def case_row(draft: LetterDraft, *, kind: CaseKind, category_id: int | None, received_at: datetime, due: date,
             tracking_code: str) -> dict[str, Any]:
    """The case row of ``draft`` (without its number and citizen, which the caller fills in)."""
    return {"tracking_code": tracking_code, "kind": kind, "category_id": category_id,
            "subject": _clip(draft.subject, 300) or _clip(draft.body, 80) or "(no subject)",
            "status": Status.RECEIVED, "channel": draft.channel, "urgent": draft.urgent,
            "consent_to_publish": draft.consent_to_publish, "received_at": received_at, "due_date": due}


def letter_row(draft: LetterDraft, actor: Actor, received_at: datetime) -> dict[str, Any]:
    """The letter row of ``draft`` (without its case and dedup key)."""
    return {"channel": draft.channel, "subject": _clip(draft.subject, 300), "body": draft.body or "",
            "body_html": draft.body_html, "sender_name": _clip(draft.sender_name, 200),
            "sender_email": _clip(draft.sender_email, 254).lower(), "sender_phone": _clip(draft.sender_phone, 50),
            "sender_address": (draft.sender_address or "").strip(), "received_at": received_at,
            "raw_sha256": draft.raw_sha256, "external_id": draft.external_id, "automatic": draft.automatic,
            "ocr_confidence": draft.ocr_confidence, "notes": list(draft.notes), "recorded_by_id": actor.user_id}


def received_event_row(draft: LetterDraft, actor: Actor, due: date) -> dict[str, Any]:
    """The ``received`` event row of a new case (without its case)."""
    return {"actor_id": actor.user_id, "action": "received", "from_status": None,
            "to_status": Status.RECEIVED.value, "note": "; ".join(draft.notes), "internal": False,
            "data": {"actor": actor.name or actor.role, "channel": draft.channel.value, "due_date": due.isoformat()}}


def attachment_row(case_id: int, letter_id: int, item: AttachmentDraft, content_type: str,
                   sha256: str) -> dict[str, Any]:
    """The attachment row of a stored ``item`` of a letter."""
    return {"case_id": case_id, "letter_id": letter_id, "feedback_id": None,
            "filename": _clip(item.filename, 255) or "attachment", "content_type": content_type,
            "size": item.size, "sha256": sha256, "text": item.text}


@dataclass(frozen=True)
class NewCase:
    """A case opened by ``open_new_case``: what the citizen is told."""

    id: int
    number: str
    tracking_code: str


def open_new_case(session: Session, policy: Policy, draft: LetterDraft, *, actor: Actor = SYSTEM,
                  allowed_types: frozenset[str] | None = None) -> NewCase:
    """Open a new case for ``draft`` without ORM objects (SQLAlchemy Core): the rows ``receive`` writes for a
    new case, for the busiest path (the public letter form).

    Unlike ``receive`` it neither looks for duplicates nor for a case the draft answers: the caller knows the
    draft is new. Attachments are checked and stored before any row is written. The case number is taken in the
    statement that inserts the case, so the year's counter row (whose lock every new case waits for) is held
    from there to the commit only; on PostgreSQL a letter without attachments is one statement (one round
    trip). Runs inside the caller's transaction; the caller commits. Indexing is queued in the outbox.
    """
    received_at = draft.received_at or datetime.now(timezone.utc)
    day = policy.local_date(received_at)
    due = policy.calendar.add_working_days(day, policy.dispatch_days)
    kind = _kind(draft.kind)
    files = [(item, *store_file(policy, item, allowed_types)) for item in draft.attachments]
    category_id = session.scalar(select(Category.id).where(Category.name == draft.category)) if draft.category else None
    citizen = citizen_row(draft)
    code = new_tracking_code()
    case = case_row(draft, kind=kind, category_id=category_id, received_at=received_at, due=due, tracking_code=code)
    letter = letter_row(draft, actor, received_at)
    event = received_event_row(draft, actor, due)
    connection = session.connection()
    if connection.dialect.name == "postgresql" and not files:
        case_id, number = _open_in_one_statement(connection, day.year, citizen, case, letter, event)
        return NewCase(id=case_id, number=number, tracking_code=code)
    statements = _row_statements()
    citizen_id = connection.execute(statements["citizen"], citizen).scalar_one()
    case_id, number = _insert_numbered_case(session, day.year, {**case, "citizen_id": citizen_id})
    if files:
        letter_id = connection.execute(statements["letter_id"], {**letter, "case_id": case_id}).scalar_one()
        connection.execute(statements["attachment"], [attachment_row(case_id, letter_id, item, content_type, digest)
                                                      for item, content_type, digest in files])
    else:
        connection.execute(statements["letter"], {**letter, "case_id": case_id})
    connection.execute(statements["event"], {**event, "case_id": case_id})
    connection.execute(statements["item"], {"topic": outbox.INDEX_CASE, "key": str(case_id), "payload": {}})
    return NewCase(id=case_id, number=number, tracking_code=code)


def column_defaults(table: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    """The Python-side default of every column of ``table`` not in ``given``, as an INSERT would fill them
    (an INSERT ... SELECT or a driver-level executemany does not fill them itself)."""
    defaults = {}
    for column in table.columns:
        default = column.default
        if column.key in given or column.primary_key or default is None:
            continue
        if default.is_scalar:
            defaults[column.key] = default.arg
        elif default.is_callable:
            defaults[column.key] = default.arg(None)
    return defaults


def _row_from(table: Any, name: str, source: Any = None, **computed: Any) -> Any:
    """An ``INSERT ... SELECT`` of one row into ``table``: every column but the id and ``computed`` (SQL
    expressions over other CTEs, ``source`` their FROM clause if several) from a bound parameter ``name_column``."""
    columns = [c for c in table.columns if not c.primary_key and c.key not in computed]
    select_row = select(*(bindparam(f"{name}_{c.key}", type_=c.type) for c in columns), *computed.values())
    if source is not None:
        select_row = select_row.select_from(source)
    return insert(table).from_select([*(c.key for c in columns), *computed], select_row, include_defaults=False)


@cache
def _one_statement() -> Any:
    """The statement of ``_open_in_one_statement``, built once: building it (some sixty typed parameters)
    costs more than running it."""
    sequence = CaseSequence.__table__
    counter = (pg_insert(sequence).values(year=bindparam("year"), last=1)
               .on_conflict_do_update(index_elements=[sequence.c.year], set_={"last": sequence.c.last + 1})
               .returning(sequence.c.last).cte("counter"))
    person = _row_from(Citizen.__table__, "citizen").returning(Citizen.__table__.c.id).cte("person")
    number = bindparam("number_prefix", type_=String) + func.lpad(cast(counter.c.last, String), 6, "0")
    table = Case.__table__
    new = (_row_from(table, "case", person.join(counter, true()), number=number, citizen_id=person.c.id)
           .returning(table.c.id, table.c.number).cte("new_case"))
    follow = [_row_from(Letter.__table__, "letter", case_id=new.c.id).cte("new_letter"),
              _row_from(Event.__table__, "event", case_id=new.c.id).cte("new_event"),
              _row_from(OutboxItem.__table__, "item", key=cast(new.c.id, String)).cte("new_item")]
    return select(new.c.id, new.c.number).add_cte(*follow)


def _parameters(table: Any, name: str, values: Mapping[str, Any], *computed: str) -> dict[str, Any]:
    """``values`` and the other columns' defaults as the parameters ``_row_from(table, name)`` expects."""
    row = {**column_defaults(table, {**values, **dict.fromkeys(computed)}), **values}
    return {f"{name}_{c.key}": row.get(c.key) for c in table.columns if not c.primary_key and c.key not in computed}


def _open_in_one_statement(connection: Any, year: int, citizen: dict[str, Any], case: dict[str, Any],
                           letter: dict[str, Any], event: dict[str, Any]) -> tuple[int, str]:
    """PostgreSQL: citizen, number, case, letter, event and outbox item in one statement of data-modifying
    CTEs; returns (case id, number). The counter is an upsert, so a year's first case creates its row."""
    params = {"year": year, "number_prefix": f"{year:04d}-",
              **_parameters(Citizen.__table__, "citizen", citizen),
              **_parameters(Case.__table__, "case", case, "number", "citizen_id"),
              **_parameters(Letter.__table__, "letter", letter, "case_id"),
              **_parameters(Event.__table__, "event", event, "case_id"),
              **_parameters(OutboxItem.__table__, "item", {"topic": outbox.INDEX_CASE, "payload": {}}, "key")}
    row = connection.execute(_one_statement(), params).one()
    return int(row[0]), str(row[1])


@cache
def _row_statements() -> dict[str, Any]:
    """The statements of ``open_new_case``'s row-by-row path, built once (columns not given get their defaults
    when they run, as with any Core INSERT)."""
    sequence = CaseSequence.__table__
    return {"citizen": insert(Citizen.__table__).returning(Citizen.__table__.c.id),
            "case": insert(Case.__table__).returning(Case.__table__.c.id),
            "letter": insert(Letter.__table__), "letter_id": insert(Letter.__table__).returning(Letter.__table__.c.id),
            "attachment": insert(Attachment.__table__), "event": insert(Event.__table__),
            "item": insert(OutboxItem.__table__),
            "counter": (update(sequence).where(sequence.c.year == bindparam("counter_year"))
                        .values(last=sequence.c.last + 1).returning(sequence.c.last))}


def _insert_numbered_case(session: Session, year: int, values: dict[str, Any]) -> tuple[int, str]:
    """Insert a case row with the next number of ``year``; returns (id, number). The year's first case goes
    through ``next_case_number``, which creates the counter row."""
    connection, statements = session.connection(), _row_statements()
    last = connection.execute(statements["counter"], {"counter_year": year}).scalar()
    number = f"{year:04d}-{last:06d}" if last is not None else next_case_number(session, year)
    case_id = connection.execute(statements["case"], {**values, "number": number}).scalar_one()
    return int(case_id), number


def quarantine(session: Session, policy: Policy, *, source: str, data: bytes, reason: str, filename: str = "",
               extra: dict | None = None) -> QuarantineItem:
    """Keep an item that could not become a letter, with its reason; the original bytes are stored first."""
    digest = policy.store.put(data)
    item = QuarantineItem(source=source, reason=reason[:4000], raw_sha256=digest, filename=_clip(filename, 255),
                          data=extra or {})
    session.add(item)
    return item
