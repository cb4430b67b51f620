"""Keeping the statistics rollups in the same transaction as the change that moves a figure.

Every session notes the cases a flush touched (a case, a reply or a direct answer written through the ORM) and
the case writer notes the cases it inserts (``touch``). Before the transaction commits, and before a statistics
query reads the rollups (``settle``), each noted case is counted again from the database (``cases.rollup_counts``);
the difference from what it contributed last time (``StatCase``) is added to its day's and month's row, and to
its unit's open cases (``StatOpen``). Noting a
case that did not change costs a lookup and writes nothing, so noting too many is harmless; a change that no
session notes is what ``flask --app web stats check`` would find.

Rows are changed by adding to them (``UPDATE ... SET n = n + delta`` through an upsert), in key order, so that
concurrent transactions on PostgreSQL wait for each other's row locks rather than lose an update or deadlock.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Delete, Insert, Select, bindparam, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cases.models import Case, Event, Reply
from cases.models_desk import DirectAnswer
from cases.models_rollups import KEY, MEASURES, NO_DUE, StatCase, StatDay, StatMonth, StatOpen, StatReturn, StatState
from cases.rollup_counts import cases_counted, returns as counted_returns

TOUCHED = "stat_touched"  # session.info key: ids of cases to count again before the commit
RETURNS = "stat_returns"  # session.info key: ids of return events to count before the commit
CHUNK = 500
OPEN_MEASURES = ("cases", "supervised", "extensions")

# ((day, *KEY), measures, (unit, due date) or None while off a unit's clock, (1, supervised, extension waiting))
Contribution = tuple[tuple[Any, ...], tuple[int, ...], tuple[int, date] | None, tuple[int, int, int]]


def touch(session: Session, case_ids: Iterable[int]) -> None:
    """Note cases whose figures may have changed in this transaction (for writes that bypass the ORM)."""
    session.info.setdefault(TOUCHED, set()).update(case_ids)


def zone(session: Session, *, lock: bool = False) -> str | None:
    """The zone the rollups count days in, or None if they are not built. ``lock``: on PostgreSQL hold a share
    lock on it until the commit, so a rebuild (which takes it exclusively) never runs beside a change.

    Run on the session's connection, not through the ORM: the row is only ever written with Core statements, so
    nothing pending in the session can change it, and the ORM's execution costs several times the query."""
    return session.connection().execute(_zone_query(lock and _dialect(session) == "postgresql")).scalar()


# The statements below run on every change that moves a figure (every letter): each is built once, since building
# a statement costs more than SQLite takes to run it.
@cache
def _zone_query(locked: bool) -> Select:
    stmt = select(StatState.zone).where(StatState.id == 1)
    return stmt.with_for_update(read=True) if locked else stmt


@cache
def _last_counted(locked: bool) -> Select:
    """The ``StatCase`` rows of the cases bound as ``case_ids`` (locked until the commit: PostgreSQL)."""
    stmt = select(StatCase.__table__).where(StatCase.case_id.in_(bindparam("case_ids", expanding=True)))
    return stmt.with_for_update() if locked else stmt


@cache
def _forget_counted() -> Delete:
    return delete(StatCase.__table__).where(StatCase.case_id.in_(bindparam("case_ids", expanding=True)))


@cache
def _count_in() -> Insert:
    return StatCase.__table__.insert()


@cache
def _upsert(dialect_name: str, table: Any, key: tuple[str, ...], names: tuple[str, ...]) -> Insert:
    """``INSERT`` of one row of ``table`` that adds its ``names`` to those of the row with the same ``key``."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table.__table__)
    return stmt.on_conflict_do_update(
        index_elements=list(key), set_={name: table.__table__.c[name] + stmt.excluded[name] for name in names})


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def settle(session: Session) -> None:
    """Count again the cases noted in this transaction and add the differences to the rollups; count the
    returns recorded in it."""
    if session.info.get(TOUCHED) or session.new or session.dirty or session.deleted:
        session.flush()
    ids = session.info.pop(TOUCHED, None)
    events = session.info.pop(RETURNS, None)
    if not ids and not events:
        return
    kept_in = zone(session, lock=True)
    if kept_in is None:
        return
    ordered = sorted(ids or ())
    for n in range(0, len(ordered), CHUNK):
        _recount(session, kept_in, ordered[n:n + CHUNK])
    if events:
        added = {(_as_date(day), unit_id): [n] for day, unit_id, n in session.execute(
            counted_returns(session, kept_in).where(Event.id.in_(events)))}
        _add(session, StatReturn, ["day", "unit_id"], ("returns",), added)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _split(row: Any) -> Contribution:
    key = (_as_date(row.day), *(_plain(getattr(row, name)) for name in KEY))
    on_clock = (int(row.open_unit), _as_date(row.open_due)) if row.open_unit else None
    return (key, tuple(int(getattr(row, name)) for name in MEASURES), on_clock,
            (1 if on_clock else 0, int(row.open_supervised), int(row.open_extensions)))


def _recount(session: Session, kept_in: str, ids: list[int]) -> None:
    connection = session.connection()
    now = {row.case_id: _split(row) for row in connection.execute(cases_counted(session, kept_in),
                                                                   {"case_ids": ids})}
    last = {row.case_id: _split(row) for row in connection.execute(_last_counted(_dialect(session) == "postgresql"),
                                                                    {"case_ids": ids})}
    changed = [case_id for case_id in ids if now.get(case_id) != last.get(case_id)]
    if not changed:
        return
    deltas: dict[tuple[Any, ...], list[int]] = {}
    months: dict[tuple[Any, ...], list[int]] = {}
    open_deltas: dict[tuple[Any, ...], list[int]] = {}
    for case_id in changed:
        for contribution, sign in ((last.get(case_id), -1), (now.get(case_id), 1)):
            if contribution is None:
                continue
            key, measures, on_clock, open_measures = contribution
            _sum_into(deltas, key, measures, sign)
            _sum_into(months, (key[0].replace(day=1), *key[1:]), measures, sign)
            if on_clock is not None:
                _sum_into(open_deltas, on_clock, open_measures, sign)
    counted_before = [case_id for case_id in changed if case_id in last]
    if counted_before:  # a new case (every letter) has no row to replace
        connection.execute(_forget_counted(), {"case_ids": counted_before})
    rows = [{"case_id": case_id, **_case_row(now[case_id])} for case_id in changed if case_id in now]
    if rows:
        connection.execute(_count_in(), rows)
    _add(session, StatDay, ["day", *KEY], MEASURES, deltas)
    _add(session, StatMonth, ["day", *KEY], MEASURES, months)
    _add(session, StatOpen, ["unit_id", "due_date"], OPEN_MEASURES, open_deltas)


def _sum_into(target: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], values: Iterable[int],
              sign: int) -> None:
    values = tuple(values)
    total = target.setdefault(key, [0] * len(values))
    for i, value in enumerate(values):
        total[i] += sign * value


def _case_row(contribution: Contribution) -> dict[str, Any]:
    key, measures, on_clock, open_measures = contribution
    return {"day": key[0], **dict(zip(KEY, key[1:])), **dict(zip(MEASURES, measures)),
            "open_unit": on_clock[0] if on_clock else 0, "open_due": on_clock[1] if on_clock else NO_DUE,
            "open_supervised": open_measures[1], "open_extensions": open_measures[2]}


def _add(session: Session, table: Any, key: list[str], names: Sequence[str],
         deltas: dict[tuple[Any, ...], list[int]]) -> None:
    """Add ``deltas`` (key values -> values of ``names``) to ``table``'s rows, creating missing ones, in key
    order (one statement run for all the rows: the driver's executemany)."""
    rows = [{**dict(zip(key, k)), **dict(zip(names, total))} for k, total in sorted(deltas.items()) if any(total)]
    if rows:
        session.connection().execute(_upsert(_dialect(session), table, tuple(key), tuple(names)), rows)


def _note_flushed(session: Session, _context: Any) -> None:
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Case):
            ids.add(obj.id)
        elif isinstance(obj, (Reply, DirectAnswer)):
            ids.add(obj.case_id)
    ids.discard(None)
    if ids:
        touch(session, ids)
    returned = [obj.id for obj in session.new if isinstance(obj, Event) and obj.action == "return"]
    if returned:
        session.info.setdefault(RETURNS, []).extend(returned)


def _before_commit(session: Session) -> None:
    settle(session)


def _forget(session: Session, transaction: Any) -> None:
    # Only when the whole transaction ends: a rolled back savepoint leaves the outer transaction's changes (the
    # cases are counted again from the database; a return event rolled back with a savepoint is not found).
    if transaction.parent is None:
        session.info.pop(TOUCHED, None)
        session.info.pop(RETURNS, None)


def install() -> None:
    """Listen on every session (idempotent): note flushed cases, settle before each commit, forget what a
    transaction noted when it ends."""
    if not event.contains(Session, "after_flush", _note_flushed):
        event.listen(Session, "after_flush", _note_flushed)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _forget)


install()
