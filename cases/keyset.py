"""Keyset pagination: a page is "the next rows after this one" in a fixed order (newest first), found through an
index on (time, id) whatever the page's depth, instead of an OFFSET that reads and drops every row before it.

A cursor is the last row's time and id as text (``2026-05-01T08:00:00+00:00~123``); a cursor that does not parse
gives the first page. Counting stops at ``COUNT_CAP``: an exact count of a million rows is a full index scan.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar, Union

from sqlalchemy import ColumnElement, Select, false, func, literal_column, or_, select, true, union_all
from sqlalchemy.orm import Session

T = TypeVar("T")
COUNT_CAP = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    """A page of rows, the cursor of the next page (None on the last), and how many rows match (at most
    ``COUNT_CAP``; ``more`` when there are more than that)."""

    rows: Sequence[T]
    next_cursor: str | None
    count: int
    more: bool


@dataclass(frozen=True, eq=False)
class Listed:
    """A branch of rows named by their ids (``condition``: ``id IN`` a list or a subquery of ids): read by
    primary key and sorted by time. Given as a plain condition, a planner may walk the time index newest first
    and test every row against the ids, a cost that grows with the table (PostgreSQL does once the list is a few
    hundred ids)."""

    condition: ColumnElement[bool]


@dataclass(frozen=True, eq=False)
class Each:
    """A branch made of disjoint parts (the units of a subtree; one unit's cases in each of some statuses), each
    part's rows read newest first through an index ending in the time: the page takes the newest rows of each
    part, the count reads ``condition`` (all the parts) once, one index range per part stopped at the cap."""

    condition: ColumnElement[bool]
    parts: tuple[ColumnElement[bool], ...]


Branch = Union[ColumnElement[bool], Listed, Each]


def condition_of(branch: Branch) -> ColumnElement[bool]:
    return branch.condition if isinstance(branch, (Listed, Each)) else branch


def any_of(branches: Sequence[Branch]) -> ColumnElement[bool]:
    """The rows of any of ``branches`` (none: no row), as one condition."""
    return or_(false(), *(condition_of(branch) for branch in branches))


def cursor_of(moment: datetime, row_id: int) -> str:
    return f"{moment.isoformat()}~{row_id}"


def parse_cursor(text: str | None) -> tuple[datetime, int] | None:
    """(time, id) of a cursor, or None for a missing or malformed one."""
    if not text or len(text) > 80 or "~" not in text:
        return None
    moment, _, row_id = text.rpartition("~")
    try:
        when = datetime.fromisoformat(moment)
        number = int(row_id)
    except ValueError:
        return None
    if not 0 < number < 2**63:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc), number


def after_row(time_column: Any, id_column: Any, after: tuple[datetime, int]) -> tuple[Any, Any]:
    """The rows after ``after`` (time, id) in newest-first order, as WHERE conditions. The first is implied by the
    second but is a plain range on the time column: the index scan starts at the cursor (an index condition)
    instead of walking every newer row and filtering it out, which made a deep page cost as much as an OFFSET."""
    return (time_column <= after[0],
            or_(time_column < after[0], (time_column == after[0]) & (id_column < after[1])))


def page(session: Session, stmt: Select, time_column: Any, id_column: Any, cursor: str | None,
         size: int, moment_of: Any = None, branches: Sequence[Branch] | None = None) -> Page[Any]:
    """The page of ``stmt`` (rows newest first by ``time_column``, then ``id_column``) after ``cursor``.
    ``moment_of(row)`` gives a row's (time, id) (default: the two attributes of the same names).

    ``branches``: the rows are those of ``stmt`` that meet any of these conditions (none: no row), each served by
    an index that gives its rows in time order (a unit's cases, say) or a list of ids (:class:`Listed`). The page
    is then taken from the newest ``size + 1`` rows of each branch, and the count from at most ``COUNT_CAP + 1``
    rows of each: reading a bounded number of rows per branch costs the same whatever the table's size, where one
    query over their union either sorts every matching row or walks the time index (or the table) past every row
    that does not match."""
    count = _count(session, stmt, id_column, branches)
    after = parse_cursor(cursor)
    if after is not None:
        stmt = stmt.where(*after_row(time_column, id_column, after))
    newest_first = (time_column.desc(), id_column.desc())
    whole = stmt if branches is None else stmt.where(false())
    if branches:
        picks = [_newest(stmt, time_column, id_column, branch, size + 1) for branch in _each_apart(branches)]
        whole = stmt.where(id_column.in_(union_all(*(select(*pick.c) for pick in picks))))
    rows = session.scalars(whole.order_by(*newest_first).limit(size + 1)).all()
    following = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        moment, row_id = moment_of(last) if moment_of else (getattr(last, time_column.key), getattr(last, "id"))
        following = cursor_of(moment, row_id)
    return Page(rows=rows, next_cursor=following, count=min(count, COUNT_CAP), more=count > COUNT_CAP)


def _each_apart(branches: Sequence[Branch]) -> list[Branch]:
    """The branches with every :class:`Each` taken apart into its parts."""
    return [part for branch in branches for part in (branch.parts if isinstance(branch, Each) else [branch])]


def _newest(stmt: Select, time_column: Any, id_column: Any, branch: Branch, limit: int) -> Any:
    """The ids of the newest ``limit`` rows of one branch, as a subquery."""
    if not isinstance(branch, Listed):
        return (stmt.with_only_columns(id_column).where(branch)
                .order_by(time_column.desc(), id_column.desc()).limit(limit).subquery())
    # OFFSET 0 keeps the lookup by id apart from the sort: neither database moves the ORDER BY into it.
    listed = stmt.with_only_columns(id_column, time_column).where(branch.condition).offset(0).subquery()
    return (select(listed.c[id_column.key]).order_by(listed.c[time_column.key].desc(), listed.c[id_column.key].desc())
            .limit(limit).subquery())


def _count(session: Session, stmt: Select, id_column: Any, branches: Sequence[Branch] | None) -> int:
    """How many rows match, up to ``COUNT_CAP + 1``. Over several branches: the sum of what each adds to the ones
    before it, at most that many rows of each, read through the branch's own index, until the cap is reached (a
    condition "any of these branches" is read by PostgreSQL as a scan of the table until enough rows match: the
    whole table for a unit that sees few cases)."""
    if branches is None:
        return _capped(session, stmt.with_only_columns(id_column))
    rows, total = stmt.with_only_columns(literal_column("1")), 0
    for n, branch in enumerate(branches):
        if total > COUNT_CAP:
            break
        total += _capped(session, rows.where(condition_of(branch), any_of(branches[:n]).is_not(true())))
    return total


def _capped(session: Session, ids: Select) -> int:
    return session.scalar(select(func.count()).select_from(ids.limit(COUNT_CAP + 1).subquery())) or 0
