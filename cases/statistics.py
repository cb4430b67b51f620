"""Figures over many cases, computed by the database (GROUP BY), never by looping over cases in Python.

Periods are the office's local dates; on PostgreSQL local days come from ``AT TIME ZONE``, on SQLite from the
zone's current UTC offset (exact for zones without daylight saving time, such as Asia/Shanghai).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression

from cases.calendar import EARLIEST_DATE, LATEST_DATE, plausible_date
from cases.errors import ValidationError
from cases.models import Case, Category, Event, Reply, Satisfaction, Unit
from cases.models_letters import SENT
from cases.workflow import OPEN_STATUSES, Status

GOOD_RATINGS = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
DONE_STATUSES = (Status.REPLIED, Status.CLOSED)


@dataclass(frozen=True)
class Period:
    """Local dates from ``start`` up to, not including, ``end``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValidationError("A period must end after it starts.")
        if (self.end - self.start).days > 3700:
            raise ValidationError("A period may not be longer than ten years.")

    @classmethod
    def parse(cls, start: str | None, end: str | None, *, default_days: int, today: date) -> Period:
        """A period from ISO strings (inclusive end date as people write it), or the last ``default_days``."""
        try:
            first = date.fromisoformat(start) if start else today - timedelta(days=default_days - 1)
            last = date.fromisoformat(end) if end else today
        except ValueError as exc:
            raise ValidationError("Dates are written YYYY-MM-DD.") from exc
        if not (plausible_date(first) and plausible_date(last)):
            raise ValidationError(f"Dates must lie between {EARLIEST_DATE} and {LATEST_DATE}.")
        return cls(first, last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start)

    def instants(self, tz: str) -> tuple[datetime, datetime]:
        """The period as UTC instants (for comparing with stored timestamps)."""
        zone = ZoneInfo(tz)
        return (datetime.combine(self.start, time(), zone).astimezone(timezone.utc),
                datetime.combine(self.end, time(), zone).astimezone(timezone.utc))

    def day_list(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


# ---- dialect helpers ----------------------------------------------------------------------------------------------

def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _offset_modifier(tz: str) -> str:
    offset = datetime.now(timezone.utc).astimezone(ZoneInfo(tz)).utcoffset() or timedelta()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def local_day(session: Session, column: Any, tz: str) -> ColumnElement[str]:
    """``YYYY-MM-DD`` of a timestamp column in the office's time zone, as SQL."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone(tz, column), "YYYY-MM-DD")
    return func.date(column, _offset_modifier(tz))


def local_date(session: Session, column: Any, tz: str) -> ColumnElement[Any]:
    """The local date of a timestamp column, comparable with a ``Date`` column on either database."""
    if _dialect(session) == "postgresql":
        return cast(func.timezone(tz, column), Date)
    return func.date(column, _offset_modifier(tz))  # SQLite keeps dates as ISO text: text compares as dates


def local_month(session: Session, column: Any, tz: str) -> ColumnElement[str]:
    """``YYYY-MM`` of a timestamp column in the office's time zone, as SQL."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone(tz, column), "YYYY-MM")
    return func.strftime("%Y-%m", column, _offset_modifier(tz))


def days_between(session: Session, start: Any, end: Any) -> ColumnElement[float]:
    """Calendar days (fractional) from ``start`` to ``end``, as SQL."""
    if _dialect(session) == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


# SQLite walks a date index row by row even when a period selects nearly every case, which is several times slower
# than reading the table; past this many days it is told to scan instead.
SCAN_AFTER_DAYS = 60


def prefers_scan(session: Session, period: Period) -> bool:
    """Whether queries over ``period`` should read whole tables rather than walk the date index (SQLite only:
    PostgreSQL's planner makes that choice from its statistics)."""
    return _dialect(session) == "sqlite" and period.days > SCAN_AFTER_DAYS


def unindexed(session: Session, column: Any, scan: bool = True) -> Any:
    """``column`` written so that SQLite cannot use an index on it (unary ``+``), when ``scan`` is asked for."""
    if not scan or _dialect(session) != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _rate(part: int | None, whole: int | None) -> float | None:
    return (part or 0) / whole if whole else None


# ---- unit performance ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitPerformance:
    """One unit's figures over a period (cases received in the period and dispatched to the unit)."""

    unit_id: int
    unit: str
    kind: str
    received: int
    answered: int
    on_time: int
    avg_days_to_feedback: float | None
    returned: int
    replied: int
    rated: int
    satisfied: int
    extensions: int
    supervised: int
    signed: int = 0  # signed for (签收), of them on time, and the mean hours from dispatch to sign-for
    signed_on_time: int = 0
    avg_hours_to_sign: float | None = None
    returns_overruled: int = 0  # returns the unit made that a supervisor overruled (the case went back to it)

    @property
    def sign_on_time_rate(self) -> float | None:
        return _rate(self.signed_on_time, self.signed)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.answered)

    @property
    def return_rate(self) -> float | None:
        return _rate(self.returned, self.received + self.returned)

    @property
    def reply_rate(self) -> float | None:
        return _rate(self.replied, self.received)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)


PERFORMANCE_SORTS = ("unit", "received", "on_time_rate", "avg_days_to_feedback", "return_rate", "reply_rate",
                     "satisfaction_rate", "returned", "extensions", "sign_on_time_rate", "avg_hours_to_sign",
                     "returns_overruled")


def _in_period(session: Session, start: datetime, end: datetime, scan: bool) -> ColumnElement[bool]:
    received = unindexed(session, Case.received_at, scan)
    return and_(received >= start, received < end)


def unit_performance(session: Session, period: Period, tz: str, *, sort: str = "unit",
                     descending: bool = False) -> list[UnitPerformance]:
    """Every active unit's performance over ``period``: a handful of aggregate queries, whatever the case count.

    Each case carries its first feedback time and the deadline in force then (set by the services), so the
    figures are one pass over the period's cases, with a lookup in the set of cases that have a released reply.
    """
    if sort not in PERFORMANCE_SORTS:
        raise ValidationError(f"Cannot sort by {sort}.")
    start, end = period.instants(tz)
    scan = prefers_scan(session, period)
    # A reply counts once it went out (sent: not while queued, waiting for the post or a call, or failed); the
    # automatic acknowledgement of an email is not an answer. Asked as IN
    # (one set of case ids built once, then a lookup per case) rather than joined: the join grouped the replies
    # per case first, which cost more than the rest of the figures together.
    released = select(Reply.case_id).where(Reply.status == SENT, Reply.template != "acknowledgement")
    answered_day = local_date(session, Case.first_feedback_at, tz)
    unit_id = unindexed(session, Case.unit_id, scan)
    # Per unit first (one pass over the period's cases), then the units joined to a handful of rows.
    per_unit = (
        select(unit_id.label("unit_id"),
               func.count(Case.id).label("received"),
               func.count(Case.first_feedback_at).label("answered"),
               func.sum(case((answered_day <= Case.due_at_feedback, 1), else_=0)).label("on_time"),
               func.avg(days_between(session, Case.received_at, Case.first_feedback_at)).label("avg_days"),
               func.sum(case((Case.id.in_(released), 1), else_=0)).label("replied"),
               func.count(Case.satisfaction).label("rated"),
               func.sum(case((Case.satisfaction.in_(GOOD_RATINGS), 1), else_=0)).label("satisfied"),
               func.sum(case((Case.supervised, 1), else_=0)).label("supervised"),
               func.count(Case.signed_at).label("signed"),
               func.sum(case((Case.signed_at <= Case.sign_due_at, 1), else_=0)).label("signed_on_time"),
               func.avg(days_between(session, Case.dispatched_at, Case.signed_at) * 24).label("sign_hours"))
        .select_from(Case)
        .where(_in_period(session, start, end, scan), unit_id.is_not(None))
        .group_by(unit_id).subquery("pu"))
    main = (select(Unit.id, Unit.name, Unit.kind, per_unit.c.received, per_unit.c.answered, per_unit.c.on_time,
                   per_unit.c.avg_days, per_unit.c.replied, per_unit.c.rated, per_unit.c.satisfied,
                   per_unit.c.supervised, per_unit.c.signed,
                   per_unit.c.signed_on_time, per_unit.c.sign_hours)
            .outerjoin(per_unit, per_unit.c.unit_id == Unit.id).where(Unit.active))
    returns = _event_counts_by_unit_in_data(session, "return", start, end)
    overruled = _event_counts_by_unit_in_data(session, "overrule_return", start, end)
    extensions = dict(session.execute(
        select(Case.unit_id, func.count(Event.id)).join(Case, Case.id == Event.case_id)
        .where(Event.action == "request_extension", Event.at >= start, Event.at < end)
        .group_by(Case.unit_id)).all())
    rows = [UnitPerformance(unit_id=r[0], unit=r[1], kind=r[2], received=r[3] or 0, answered=r[4] or 0,
                            on_time=int(r[5] or 0), avg_days_to_feedback=float(r[6]) if r[6] is not None else None,
                            returned=returns.get(r[0], 0), replied=int(r[7] or 0), rated=r[8] or 0,
                            satisfied=int(r[9] or 0), extensions=extensions.get(r[0], 0), supervised=int(r[10] or 0),
                            signed=r[11] or 0, signed_on_time=int(r[12] or 0),
                            avg_hours_to_sign=float(r[13]) if r[13] is not None else None,
                            returns_overruled=overruled.get(r[0], 0))
            for r in session.execute(main).all()]
    return sort_performance(rows, sort, descending)


def _event_counts_by_unit_in_data(session: Session, action: str, start: datetime, end: datetime) -> dict[int, int]:
    """Events of ``action`` per unit recorded in the event's data (a return clears the case's unit)."""
    unit_id = Event.data["unit_id"].as_integer()
    rows = session.execute(select(unit_id, func.count(Event.id))
                           .where(Event.action == action, Event.at >= start, Event.at < end)
                           .group_by(unit_id)).all()
    return {int(u): n for u, n in rows if u is not None}


def sort_performance(rows: Sequence[UnitPerformance], sort: str, descending: bool) -> list[UnitPerformance]:
    """Rows sorted by a column; units without a figure go last whichever the direction."""
    def key(row: UnitPerformance) -> tuple:
        value = getattr(row, sort)
        if isinstance(value, str):
            value = value.casefold()
        return (value is None, value if not descending or value is None or isinstance(value, str) else -value)

    ordered = sorted(rows, key=key)
    if descending and sort == "unit":
        ordered.reverse()
    return ordered


PERFORMANCE_COLUMNS = ("unit", "received", "answered", "on_time_rate", "avg_days_to_feedback", "returned",
                       "return_rate", "replied", "reply_rate", "rated", "satisfaction_rate", "extensions", "supervised",
                       "signed", "sign_on_time_rate", "avg_hours_to_sign", "returns_overruled")


def performance_table(rows: Iterable[UnitPerformance]) -> list[list[Any]]:
    """Rows as plain values (rates as fractions rounded to 4 places), for CSV and XLSX export."""
    out = []
    for row in rows:
        line = []
        for column in PERFORMANCE_COLUMNS:
            value = getattr(row, column)
            line.append(round(value, 4) if isinstance(value, float) else ("" if value is None else value))
        out.append(line)
    return out


# ---- dashboard -------------------------------------------------------------------------------------------------

def cases_per_day(session: Session, period: Period, tz: str, by: str) -> dict[str, dict[str, int]]:
    """Cases received per local day, split by ``kind``, ``channel`` or ``urgent``: {key: {day: count}}."""
    columns = {"kind": Case.kind, "channel": Case.channel, "urgent": Case.urgent}
    if by not in columns:
        raise ValidationError(f"Cannot split cases by {by}.")
    start, end = period.instants(tz)
    day = local_day(session, Case.received_at, tz)
    rows = session.execute(select(day, columns[by], func.count(Case.id))
                           .where(Case.received_at >= start, Case.received_at < end)
                           .group_by(day, columns[by])).all()
    out: dict[str, dict[str, int]] = {}
    for day_value, key, count in rows:
        name = key.value if hasattr(key, "value") else ("urgent" if key is True else "normal" if key is False
                                                         else str(key))
        out.setdefault(name, {})[str(day_value)] = count
    return out


def total_cases(session: Session, period: Period, tz: str) -> int:
    start, end = period.instants(tz)
    return session.scalar(select(func.count(Case.id)).where(Case.received_at >= start, Case.received_at < end)) or 0


def top_categories(session: Session, period: Period, tz: str, limit: int = 10) -> list[tuple[str, int]]:
    """The categories with most cases in ``period``."""
    start, end = period.instants(tz)
    n = func.count(Case.id)
    return [(name, count) for name, count in session.execute(
        select(Category.name, n).join(Case, Case.category_id == Category.id)
        .where(Case.received_at >= start, Case.received_at < end)
        .group_by(Category.name).order_by(n.desc(), Category.name).limit(limit)).all()]


def top_districts(session: Session, period: Period, tz: str, limit: int = 10) -> list[tuple[str, int]]:
    """The districts and counties with most cases dispatched to them in ``period``."""
    start, end = period.instants(tz)
    n = func.count(Case.id)
    return [(name, count) for name, count in session.execute(
        select(Unit.name, n).join(Case, Case.unit_id == Unit.id)
        .where(Unit.kind.in_(("district", "county")), Case.received_at >= start, Case.received_at < end)
        .group_by(Unit.name).order_by(n.desc(), Unit.name).limit(limit)).all()]


def urgent_open_cases(session: Session, limit: int = 20) -> list[Case]:
    """Urgent cases still open, oldest first (they wait longest)."""
    return list(session.scalars(select(Case).where(Case.urgent, Case.status.in_(OPEN_STATUSES))
                                .order_by(Case.received_at).limit(limit)))


# ---- public statistics -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthFigures:
    """Cases dispatched to a unit and received in a month; ``unit`` is "" for the whole office."""

    month: str
    unit: str
    cases: int
    answered: int
    resolved: int
    rated: int
    satisfied: int

    @property
    def response_rate(self) -> float | None:
        return _rate(self.answered, self.cases)

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolved, self.cases)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)


def monthly_figures(session: Session, period: Period, tz: str, *, per_unit: bool) -> list[MonthFigures]:
    """Response, resolution and satisfaction per month (and per unit), for the public statistics page."""
    start, end = period.instants(tz)
    scan = prefers_scan(session, period)
    month = local_month(session, Case.received_at, tz)
    keys: list[Any] = [month, Unit.name] if per_unit else [month]
    stmt = (select(*keys, func.count(Case.id), func.count(Case.first_feedback_at),
                   func.sum(case((Case.status == Status.CLOSED, 1), else_=0)), func.count(Case.satisfaction),
                   func.sum(case((Case.satisfaction.in_(GOOD_RATINGS), 1), else_=0)))
            .select_from(Case)
            .join(Unit, Unit.id == unindexed(session, Case.unit_id, scan))
            .where(_in_period(session, start, end, scan))
            .group_by(*keys).order_by(*keys))
    out = []
    for row in session.execute(stmt).all():
        values = list(row) if per_unit else [row[0], "", *row[1:]]
        m, u, n, a, r, rated, good = values
        out.append(MonthFigures(str(m), u or "", n, int(a or 0), int(r or 0), rated or 0, int(good or 0)))
    return out
