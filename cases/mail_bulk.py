"""New cases from a batch of email drafts in a few multi-row INSERTs (SQLAlchemy Core), for the mail store.

Registering mail one ORM object graph at a time cost more than fetching and parsing it; here a fetch batch's new
cases become one UPDATE for their numbers and one INSERT per table (citizens, cases, letters, events,
attachments, outbox), rows built as plain dicts. The rows are the ones ``cases.intake.open_cases`` writes, column
for column; column defaults (timestamps, version, flags) come from the tables as with the ORM. Runs inside the
caller's transaction (the mail store runs it in a savepoint and redoes the batch one message at a time through
``cases.intake.receive`` if it fails, e.g. on a dedup key already on file).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.orm import Session

from cases import outbox
from cases.context import SYSTEM, Actor, Policy
from cases.drafts import LetterDraft
from cases.intake import (attachment_row, case_row, citizen_row, column_defaults, letter_row,
                          received_event_row, store_file)
from cases.models import Attachment, Case, CaseKind, Citizen, Event, Letter, OutboxItem
from cases.numbering import case_numbers, new_tracking_codes

# Outbox items a new case opens besides its indexing, e.g. the acknowledgement: (case id, draft) -> row values
# (``topic``, ``key``, ``payload``).
OutboxRows = Callable[[int, LetterDraft], Sequence[dict[str, Any]]]


def can_bulk_open(draft: LetterDraft) -> bool:
    """Whether this path registers the draft exactly as ``intake.receive`` would open a case for it: an email
    that refers to no case of ours, with no category to look up and no case kind to check."""
    from cases.intake import may_answer_case

    return not may_answer_case(draft) and not draft.category and not draft.kind


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of column values) into ``table`` in one statement.

    On a driver with positional ``?`` parameters (SQLite) the rows go straight to the driver's executemany, each
    value through its column's own default and bind processing: SQLAlchemy's per-row parameter handling cost
    as much as SQLite's inserting. Other drivers get a Core multi-row INSERT."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.paramstyle != "qmark":
        connection.execute(insert(table), rows)
        return
    given = set().union(*rows)
    defaults = column_defaults(table, dict.fromkeys(given))  # once: the rows of a batch share a creation time
    columns = [c for c in table.columns if c.key in given or c.key in defaults]
    fillers = [(c.key, defaults.get(c.key), c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns]
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    values = []
    for row in rows:
        record = []
        for name, default, processor in fillers:
            value = row[name] if name in row else default
            record.append(processor(value) if processor is not None else value)
        values.append(tuple(record))
    connection.exec_driver_sql(sql, values)


def _ids(session: Session, model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one statement; their new ids in the order of ``rows``."""
    if not rows:
        return []
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # SQLite cannot promise RETURNING in row order, so SQLAlchemy would insert row by row. Our transaction
        # holds the database's write lock (BEGIN IMMEDIATE), so the ids after the current largest are ours to
        # give, and the rows go in with one executemany.
        top = connection.execute(select(func.max(table.c.id))).scalar() or 0
        ids = list(range(top + 1, top + 1 + len(rows)))
        _insert(connection, table, [{**row, "id": new_id} for row, new_id in zip(rows, ids)])
        return ids
    result = connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def open_cases(session: Session, policy: Policy, entries: Sequence[tuple[LetterDraft, str | None]], *,
               actor: Actor = SYSTEM, extra_outbox: OutboxRows | None = None) -> list[int]:
    """Open one new case per ``(draft, dedup_key)``; returns the new case ids in order.

    Every draft must pass ``can_bulk_open`` (the caller has also ruled out duplicates). Attachments are stored in
    ``policy.store`` first. A dedup key already on file raises ``IntegrityError``.
    """
    if not entries:
        return []
    now = datetime.now(timezone.utc)
    received = [draft.received_at or now for draft, _ in entries]
    local = [policy.local_date(moment) for moment in received]
    numbers = case_numbers(session, [day.year for day in local])
    codes = new_tracking_codes(len(entries))

    citizen_ids = _ids(session, Citizen, [citizen_row(d) for d, _ in entries])
    due = [policy.calendar.add_working_days(day, policy.dispatch_days) for day in local]
    case_ids = _ids(session, Case, [
        {**case_row(d, kind=CaseKind.CONSULTATION, category_id=None, received_at=received[i], due=due[i],
                    tracking_code=codes[i]), "number": numbers[i], "citizen_id": citizen_ids[i]}
        for i, (d, _) in enumerate(entries)])
    letter_ids = _ids(session, Letter, [{**letter_row(d, actor, received[i]), "case_id": case_ids[i], "dedup_key": key}
                                        for i, (d, key) in enumerate(entries)])
    connection = session.connection()  # Core on the tables: the ORM's bulk machinery costs more per row
    _insert(connection, Event.__table__, [{**received_event_row(d, actor, due[i]), "case_id": case_ids[i]}
                                          for i, (d, _) in enumerate(entries)])
    files = [attachment_row(case_ids[i], letter_ids[i], item, *store_file(policy, item))
             for i, (d, _) in enumerate(entries) for item in d.attachments]
    if files:
        _insert(connection, Attachment.__table__, files)
    items = [{"topic": outbox.INDEX_CASE, "key": str(case_id), "payload": {}} for case_id in case_ids]
    if extra_outbox is not None:
        for case_id, (draft, _) in zip(case_ids, entries):
            items.extend(extra_outbox(case_id, draft))
    _insert(connection, OutboxItem.__table__, items)
    return case_ids
