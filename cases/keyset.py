"""Keyset pagination: a page is "the next rows after this one" in a fixed order (newest first), found through an
index on (time, id) whatever the page's depth, instead of an OFFSET that reads and drops every row before it.

A cursor is the last row's time and id as text (``2026-05-01T08:00:00+00:00~123``); a cursor that does not parse
gives the first page. Counting stops at ``COUNT_CAP``: an exact count of a million rows is a full index scan.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, false, func, or_, select, union_all
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
         size: int, moment_of: Any = None, branches: Sequence[ColumnElement[bool]] | None = None) -> Page[Any]:
    """The page of ``stmt`` (rows newest first by ``time_column``, then ``id_column``) after ``cursor``.
    ``moment_of(row)`` gives a row's (time, id) (default: the two attributes of the same names).

    ``branches``: the rows are those of ``stmt`` that meet any of these conditions (none: no row), each served by
    an index that gives its rows in time order (a unit's cases, say). The page is then taken from the newest
    ``size + 1`` rows of each branch: reading a few rows per branch costs the same whatever the table's size,
    where one query over their union either sorts every matching row or walks the time index past every row
    that does not match."""
    whole = stmt if branches is None else stmt.where(or_(false(), *branches))
    count = session.scalar(select(func.count()).select_from(whole.with_only_columns(id_column)
                                                            .limit(COUNT_CAP + 1).subquery())) or 0
    after = parse_cursor(cursor)
    if after is not None:
        later = after_row(time_column, id_column, after)
        stmt, whole = stmt.where(*later), whole.where(*later)
    newest_first = (time_column.desc(), id_column.desc())
    if branches:
        picks = [stmt.with_only_columns(id_column).where(branch).order_by(*newest_first).limit(size + 1).subquery()
                 for branch in branches]
        whole = stmt.where(id_column.in_(union_all(*(select(*pick.c) for pick in picks))))
    rows = session.scalars(whole.order_by(*newest_first).limit(size + 1)).all()
    following = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        moment, row_id = moment_of(last) if moment_of else (getattr(last, time_column.key), getattr(last, "id"))
        following = cursor_of(moment, row_id)
    return Page(rows=rows, next_cursor=following, count=min(count, COUNT_CAP), more=count > COUNT_CAP)
