"""Office-local days, months and spans of timestamp columns as SQL, on SQLite and PostgreSQL.

On PostgreSQL local days come from ``AT TIME ZONE``; on SQLite from the zone's current UTC offset (exact for
zones without daylight saving time, such as Asia/Shanghai).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, cast, func
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def offset_modifier(tz: str) -> str:
    """SQLite's date modifier for the zone's current UTC offset (``+480 minutes``): what its local days use."""
    offset = datetime.now(timezone.utc).astimezone(ZoneInfo(tz)).utcoffset() or timedelta()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def local_day(session: Session, column: Any, tz: str) -> ColumnElement[str]:
    """``YYYY-MM-DD`` of a timestamp column in the office's time zone, as SQL."""
    if dialect(session) == "postgresql":
        return func.to_char(func.timezone(tz, column), "YYYY-MM-DD")
    return func.date(column, offset_modifier(tz))


def local_date(session: Session, column: Any, tz: str) -> ColumnElement[Any]:
    """The local date of a timestamp column, comparable with a ``Date`` column on either database."""
    if dialect(session) == "postgresql":
        return cast(func.timezone(tz, column), Date)
    return func.date(column, offset_modifier(tz))  # SQLite keeps dates as ISO text: text compares as dates


def local_month(session: Session, column: Any, tz: str) -> ColumnElement[str]:
    """``YYYY-MM`` of a timestamp column in the office's time zone, as SQL."""
    if dialect(session) == "postgresql":
        return func.to_char(func.timezone(tz, column), "YYYY-MM")
    return func.strftime("%Y-%m", column, offset_modifier(tz))


def days_between(session: Session, start: Any, end: Any) -> ColumnElement[float]:
    """Calendar days (fractional) from ``start`` to ``end``, as SQL."""
    if dialect(session) == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


# SQLite walks a date index row by row even when a period selects nearly every case, which is several times slower
# than reading the table; past this many days it is told to scan instead.
SCAN_AFTER_DAYS = 60


def prefers_scan(session: Session, days: int) -> bool:
    """Whether queries over a period of ``days`` should read whole tables rather than walk the date index (SQLite
    only: PostgreSQL's planner makes that choice from its statistics)."""
    return dialect(session) == "sqlite" and days > SCAN_AFTER_DAYS


def unindexed(session: Session, column: Any, scan: bool = True) -> Any:
    """``column`` written so that SQLite cannot use an index on it (unary ``+``), when ``scan`` is asked for."""
    if not scan or dialect(session) != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)
