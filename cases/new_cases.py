"""The one place a new case is written, for every channel: one draft (a web letter, a phone call, a scan, an
Open311 request) or a fetch batch of email.

A new case is a citizen row, the case row (with its number and tracking code), its first letter, the
"received" event, its attachments and its outbox items (indexing, and whatever ``extra_outbox`` adds, such as an
acknowledgement). The rows are built as plain dicts and written with SQLAlchemy Core, one statement per table
for the whole batch. Attachments are checked and stored before any row is written, so a refused file leaves no
half-made case. Runs inside the caller's transaction; the caller commits.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.orm import Session

from cases import outbox, rollups
from cases.callers import address_key, phone_key
from cases.actors import SYSTEM, Actor
from cases.policy import Policy
from cases.drafts import AttachmentDraft, HeldBytes, LetterDraft
from cases.errors import N_, CaseError, UploadRejected, ValidationError
from cases.models import Attachment, Case, CaseKind, Category, Citizen, Event, Letter, OutboxItem
from cases.models_places import CasePlace
from cases.case_places import place_rows
from cases.numbering import case_numbers, new_tracking_codes
from cases.workflow import Status

# A draft's attachments as stored: (attachment, content type, sha256), one list per draft.
StoredFiles = list[list[tuple[AttachmentDraft, str, str]]]

# Outbox items a new case opens besides its indexing, e.g. the acknowledgement: (case id, draft) -> row values
# (``topic``, ``key``, ``payload``).
OutboxRows = Callable[[int, LetterDraft], Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class NewCase:
    """A case just opened: what the citizen is told."""

    id: int
    number: str
    tracking_code: str


def clip(text: str | None, length: int) -> str:
    """``text`` stripped and cut to what its column holds."""
    return (text or "").strip()[:length]


def store_file(policy: Policy, item: AttachmentDraft, allowed_types: frozenset[str] | None = None) -> tuple[str, str]:
    """Sniff and store one file; returns (content type, sha256). ``allowed_types``: refuse any other type.

    Bytes held elsewhere (``HeldBytes``) are registered through the store's ``hold``; a store without one
    refuses them (``CaseError``), as it could not give the file back."""
    content_type = item.content_type()
    if allowed_types is not None and content_type not in allowed_types:
        raise UploadRejected(N_("“%(file)s” is not a type accepted here (its content is %(type)s)."),
                             file=item.filename, type=content_type)
    if isinstance(item.data, HeldBytes):
        hold = getattr(policy.store, "hold", None)
        if hold is None:
            raise CaseError(N_("“%(file)s” was left in its raw message, which this file store cannot read"),
                            file=item.filename)
        return content_type, hold(item.data)
    return content_type, policy.store.put(item.data)


def store_files(policy: Policy, drafts: Sequence[LetterDraft],
                allowed_types: frozenset[str] | None = None) -> StoredFiles:
    """Sniff and store the attachments of ``drafts`` (``UploadRejected`` for a type not allowed) for
    ``open_cases``. A caller that can store them before its transaction begins does so: on SQLite every
    transaction holds the machine's one write turn, and a file's fsync inside it makes every writer wait for the
    disk."""
    return [[(item, *store_file(policy, item, allowed_types)) for item in draft.attachments] for draft in drafts]


def case_kind(value: str | None) -> CaseKind:
    """The kind a draft names (a consultation when it names none); an unknown kind is refused."""
    try:
        return CaseKind(value) if value else CaseKind.CONSULTATION
    except ValueError as exc:
        raise ValidationError(N_("Unknown case kind: %(kind)s"), kind=value) from exc


def preferred_reply(draft: LetterDraft) -> str:
    """How to answer the sender of ``draft``: as asked, else by email, post or phone, whichever we can."""
    if draft.preferred_reply in {"email", "post", "phone"}:
        return draft.preferred_reply
    if draft.sender_email:
        return "email"
    if draft.sender_address:
        return "post"
    return "phone"


def citizen_row(draft: LetterDraft) -> dict[str, Any]:
    """The citizen row of ``draft``'s sender."""
    return {"name": clip(draft.sender_name, 200), "phone": clip(draft.sender_phone, 50),
            "phone_key": phone_key(draft.sender_phone or ""), "email": clip(draft.sender_email, 254).lower(),
            "address": (draft.sender_address or "").strip(), "address_key": address_key(draft.sender_address or ""),
            "preferred_reply": preferred_reply(draft)}


def case_row(draft: LetterDraft, *, kind: CaseKind, category_id: int | None, received_at: datetime, due: date,
             tracking_code: str) -> dict[str, Any]:
    """The case row of ``draft`` (without its number and citizen)."""
    return {"tracking_code": tracking_code, "kind": kind, "category_id": category_id,
            "subject": clip(draft.subject, 300) or clip(draft.body, 80) or "(no subject)",
            "status": Status.RECEIVED, "channel": draft.channel, "urgent": draft.urgent,
            "consent_to_publish": draft.consent_to_publish, "received_at": received_at, "due_date": due}


def letter_row(draft: LetterDraft, actor: Actor, received_at: datetime) -> dict[str, Any]:
    """The letter row of ``draft`` (without its case and dedup key); also used for a letter added to a case."""
    return {"channel": draft.channel, "subject": clip(draft.subject, 300), "body": draft.body or "",
            "body_html": draft.body_html, "sender_name": clip(draft.sender_name, 200),
            "sender_email": clip(draft.sender_email, 254).lower(), "sender_phone": clip(draft.sender_phone, 50),
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
            "filename": clip(item.filename, 255) or "attachment", "content_type": content_type,
            "size": item.size, "sha256": sha256, "text": item.text}


def column_defaults(table: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    """The Python-side default of every column of ``table`` not in ``given``, as an ORM insert fills them
    (a driver-level executemany does not fill them itself)."""
    defaults = {}
    for key, default in _defaults(table, frozenset(given)):
        defaults[key] = default.arg(None) if default.is_callable else default.arg
    return defaults


@cache
def _defaults(table: Table, given: frozenset[str]) -> tuple[tuple[str, Any], ...]:
    """(column key, Python-side default) of the columns of ``table`` not in ``given`` that have one."""
    return tuple((c.key, c.default) for c in table.columns
                 if c.key not in given and not c.primary_key and c.default is not None
                 and (c.default.is_scalar or c.default.is_callable))


@cache
def _driver_insert(table: Table, dialect: Any, given: frozenset[str]) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """The driver-level INSERT of ``table`` for rows holding the columns ``given`` (the others get their
    defaults), and (column key, bind processor) in the order of its ``?``s; built once per shape of row."""
    defaulted = {key for key, _ in _defaults(table, given)}
    columns = [c for c in table.columns if c.key in given or c.key in defaulted]
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    return sql, tuple((c.key, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns)


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of column values) into ``table`` in one statement.

    On a driver with positional ``?`` parameters (SQLite) the rows go straight to the driver's executemany, each
    value through its column's own default and bind processing, which costs a fraction of SQLAlchemy's per-row
    parameter handling for a mail batch. Other drivers get a Core multi-row INSERT."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.paramstyle != "qmark":
        connection.execute(insert(table), rows)
        return
    given = frozenset().union(*rows)
    defaults = column_defaults(table, given)  # once: the rows of a batch share a creation time
    sql, fillers = _driver_insert(table, dialect, given)
    values = []
    for row in rows:
        record = []
        for name, processor in fillers:
            value = row[name] if name in row else defaults.get(name)
            record.append(processor(value) if processor is not None else value)
        values.append(tuple(record))
    connection.exec_driver_sql(sql, values)


@cache
def _insert_returning_id(table: Table) -> Any:
    """``INSERT ... RETURNING id`` of ``table``, built once: every single case (a web letter, a call) runs it twice."""
    return insert(table).returning(table.c.id)


def _ids(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one statement; their new ids in the order of ``rows``."""
    if len(rows) == 1:
        return [connection.execute(_insert_returning_id(table), rows[0]).scalar_one()]
    if connection.dialect.name != "sqlite":
        result = connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return [row[0] for row in result]
    # SQLite cannot promise RETURNING in row order for a multi-row insert. The case-number UPDATE that starts
    # every batch took SQLite's single write lock for this transaction, so no other connection can insert until
    # we commit: the ids after the current largest are ours to give.
    top = connection.execute(select(func.max(table.c.id))).scalar() or 0
    ids = list(range(top + 1, top + 1 + len(rows)))
    _insert(connection, table, [{**row, "id": new_id} for row, new_id in zip(rows, ids)])
    return ids


def _category_ids(session: Session, drafts: Sequence[LetterDraft]) -> dict[str, int | None]:
    names = {d.category for d in drafts if d.category}
    if not names:
        return {}
    found = {name: category_id for name, category_id in
             session.execute(select(Category.name, Category.id).where(Category.name.in_(names)))}
    return {name: found.get(name) for name in names}


def open_cases(session: Session, policy: Policy, entries: Sequence[tuple[LetterDraft, str | None]], *,
               actor: Actor = SYSTEM, allowed_types: frozenset[str] | None = None,
               extra_outbox: OutboxRows | None = None, files: StoredFiles | None = None) -> list[NewCase]:
    """Open one new case per ``(draft, dedup_key)``, in order.

    The caller has decided these drafts are new (no duplicate, no case they answer). ``allowed_types``: refuse
    attachments of any other type (``UploadRejected``) before anything is written; ``files``: the attachments
    as ``store_files`` stored them already. A dedup key already on file
    raises ``IntegrityError``. Case numbers come first, one UPDATE per year: on PostgreSQL the year's counter row
    is locked from there to the commit, on SQLite the write lock is taken.
    """
    if not entries:
        return []
    drafts = [draft for draft, _ in entries]
    if files is None:
        files = store_files(policy, drafts, allowed_types)
    kinds = [case_kind(draft.kind) for draft in drafts]
    categories = _category_ids(session, drafts)
    now = datetime.now(timezone.utc)
    received = [draft.received_at or now for draft in drafts]
    local = [policy.local_date(moment) for moment in received]
    due = [policy.calendar.add_working_days(day, policy.dispatch_days) for day in local]
    numbers = case_numbers(session, [day.year for day in local], digits=policy.case_number_digits)
    codes = new_tracking_codes(len(drafts))
    connection = session.connection()

    citizen_ids = _ids(connection, Citizen.__table__, [citizen_row(d) for d in drafts])
    case_ids = _ids(connection, Case.__table__, [
        {**case_row(d, kind=kinds[i], category_id=categories.get(d.category or ""), received_at=received[i],
                    due=due[i], tracking_code=codes[i]), "number": numbers[i], "citizen_id": citizen_ids[i]}
        for i, d in enumerate(drafts)])
    letters = [{**letter_row(d, actor, received[i]), "case_id": case_ids[i], "dedup_key": key}
               for i, (d, key) in enumerate(entries)]
    if any(files):
        letter_ids = _ids(connection, Letter.__table__, letters)
        _insert(connection, Attachment.__table__, [
            attachment_row(case_ids[i], letter_ids[i], item, content_type, digest)
            for i, stored in enumerate(files) for item, content_type, digest in stored])
    else:
        _insert(connection, Letter.__table__, letters)
    _insert(connection, Event.__table__, [{**received_event_row(d, actor, due[i]), "case_id": case_ids[i]}
                                          for i, d in enumerate(drafts)])
    items = [{"topic": outbox.INDEX_CASE, "key": str(case_id), "payload": {}} for case_id in case_ids]
    places = place_rows(session, list(zip(case_ids, drafts)))
    _insert(connection, CasePlace.__table__, places)
    items.extend({"topic": outbox.SURGE_CHECK, "key": str(row["case_id"]), "payload": {}}
                 for row in places if row["area_id"] is not None)
    if extra_outbox is not None:
        for case_id, draft in zip(case_ids, drafts):
            items.extend(extra_outbox(case_id, draft))
    _insert(connection, OutboxItem.__table__, items)
    rollups.touch(session, case_ids)  # written without the ORM: counted into the statistics before the commit
    return [NewCase(id=case_id, number=number, tracking_code=code)
            for case_id, number, code in zip(case_ids, numbers, codes)]


def open_case(session: Session, policy: Policy, draft: LetterDraft, *, actor: Actor = SYSTEM,
              dedup_key: str | None = None, allowed_types: frozenset[str] | None = None,
              extra_outbox: OutboxRows | None = None, files: StoredFiles | None = None) -> NewCase:
    """``open_cases`` for one draft."""
    return open_cases(session, policy, [(draft, dedup_key)], actor=actor, allowed_types=allowed_types,
                      extra_outbox=extra_outbox, files=files)[0]
