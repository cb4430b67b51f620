"""The figures read from the rollups (``cases.models_rollups``): sums over a period's months and days, whatever
the number of cases. The same questions as ``cases.statistics_recount``, with the same answers.

A period is read as its whole months from ``stat_month`` and the days before and after them from ``stat_day``.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Subquery, and_, cast, false, func, or_, select, union_all
from sqlalchemy.orm import Session

from cases.figures import MonthFigures, Period
from cases.models import Category, Unit
from cases.models_rollups import StatDay, StatMonth, StatReturn
from cases.statistics_recount import UnitFigures

MS_PER_DAY = 86_400_000


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_slices(period: Period) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """(the whole months inside ``period`` as a range of first days, or None; the day ranges left over)."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    last = period.end.replace(day=1)
    if first >= last:
        return None, [(period.start, period.end)]
    days = [(a, b) for a, b in ((period.start, first), (last, period.end)) if a < b]
    return (first, last), days


def _month_of(session: Session, day: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")


def rows(session: Session, period: Period, *names: str, by_month: bool = False) -> Subquery:
    """The rollup rows of ``period`` with the columns ``names`` (and ``month``, its first day, if asked)."""
    months, days = month_slices(period)
    parts = []
    if months is not None:
        cols = [StatMonth.__table__.c[n] for n in names] + ([StatMonth.day.label("month")] if by_month else [])
        parts.append(select(*cols).where(StatMonth.day >= months[0], StatMonth.day < months[1]))
    cols = [StatDay.__table__.c[n] for n in names] + (
        [_month_of(session, StatDay.day).label("month")] if by_month else [])
    within = or_(*(and_(StatDay.day >= a, StatDay.day < b) for a, b in days)) if days else false()
    parts.append(select(*cols).where(within))
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("r")


def _int(value: Any) -> int:
    return int(value or 0)


def unit_figures(session: Session, period: Period, tz: str) -> dict[int, UnitFigures]:
    """Per unit, the figures of the cases received in ``period`` and dispatched to it."""
    r = rows(session, period, "unit_id", "cases", "answered", "on_time", "feedback_ms", "replied", "rated",
             "satisfied", "supervised", "signed", "signed_on_time", "sign_timed", "sign_ms")
    sums = [func.sum(r.c[n]) for n in ("cases", "answered", "on_time", "feedback_ms", "replied", "rated",
                                       "satisfied", "supervised", "signed", "signed_on_time", "sign_timed",
                                       "sign_ms")]
    out: dict[int, UnitFigures] = {}
    for row in session.execute(select(r.c.unit_id, *sums).where(r.c.unit_id != 0).group_by(r.c.unit_id)):
        unit_id, received, answered, on_time, feedback_ms, replied, rated, satisfied, supervised, signed, \
            signed_on_time, sign_timed, sign_ms = (_int(v) for v in row)
        if not received:
            continue
        out[unit_id] = (received, answered, on_time, feedback_ms / answered / MS_PER_DAY if answered else None,
                        replied, rated, satisfied, supervised, signed, signed_on_time,
                        sign_ms / sign_timed / 3_600_000 if sign_timed else None)
    return out


def cases_per_day(session: Session, period: Period, tz: str, by: str) -> dict[str, dict[str, int]]:
    """Cases received per local day, split by ``kind``, ``channel`` or ``urgent``: {key: {day: count}}."""
    within = and_(StatDay.day >= period.start, StatDay.day < period.end)
    out: dict[str, dict[str, int]] = {}
    if by == "urgent":
        for day, n, urgent in session.execute(select(StatDay.day, func.sum(StatDay.cases), func.sum(StatDay.urgent))
                                              .where(within).group_by(StatDay.day)):
            for key, count in (("urgent", _int(urgent)), ("normal", _int(n) - _int(urgent))):
                if count:
                    out.setdefault(key, {})[str(day)] = count
        return out
    column = StatDay.__table__.c[by]
    for day, key, n in session.execute(select(StatDay.day, column, func.sum(StatDay.cases))
                                       .where(within).group_by(StatDay.day, column)):
        if _int(n):
            out.setdefault(str(key), {})[str(day)] = _int(n)
    return out


def total_cases(session: Session, period: Period, tz: str) -> int:
    r = rows(session, period, "cases")
    return _int(session.scalar(select(func.sum(r.c.cases))))


def top_categories(session: Session, period: Period, tz: str, limit: int = 10) -> list[tuple[str, int]]:
    """The categories with most cases in ``period``."""
    r = rows(session, period, "category_id", "cases")
    n = func.sum(r.c.cases)
    return [(name, _int(count)) for name, count in session.execute(
        select(Category.name, n).join(r, r.c.category_id == Category.id)
        .group_by(Category.name).having(n > 0).order_by(n.desc(), Category.name).limit(limit))]


def top_districts(session: Session, period: Period, tz: str, limit: int = 10) -> list[tuple[str, int]]:
    """The districts and counties with most cases dispatched to them in ``period``."""
    r = rows(session, period, "unit_id", "cases")
    n = func.sum(r.c.cases)
    return [(name, _int(count)) for name, count in session.execute(
        select(Unit.name, n).join(r, r.c.unit_id == Unit.id).where(Unit.kind.in_(("district", "county")))
        .group_by(Unit.name).having(n > 0).order_by(n.desc(), Unit.name).limit(limit))]


def monthly_figures(session: Session, period: Period, tz: str, *, per_unit: bool) -> list[MonthFigures]:
    """Response, resolution and satisfaction per month (and per unit)."""
    r = rows(session, period, "unit_id", "cases", "answered", "closed", "rated", "satisfied", by_month=True)
    keys: list[Any] = [r.c.month, Unit.name] if per_unit else [r.c.month]
    sums = [func.sum(r.c[n]) for n in ("cases", "answered", "closed", "rated", "satisfied")]
    out = []
    for row in session.execute(select(*keys, *sums).select_from(r).join(Unit, Unit.id == r.c.unit_id)
                               .group_by(*keys).having(sums[0] > 0).order_by(*keys)):
        values = list(row) if per_unit else [row[0], "", *row[1:]]
        month, unit, n, answered, closed, rated, good = values
        out.append(MonthFigures(str(month)[:7], unit or "", _int(n), _int(answered), _int(closed), _int(rated),
                                _int(good)))
    return out


def desk_counts(session: Session, period: Period, tz: str) -> tuple[tuple[int, int], list[tuple[str, int, int]]]:
    """((cases, answered at the desk), [(category name or "", cases, answered at the desk)], most cases first)."""
    r = rows(session, period, "category_id", "cases", "direct")
    total, direct = session.execute(select(func.sum(r.c.cases), func.sum(r.c.direct))).one()
    n = func.sum(r.c.cases)
    per_category = session.execute(
        select(Category.name, n, func.sum(r.c.direct)).select_from(r)
        .outerjoin(Category, Category.id == r.c.category_id)
        .group_by(Category.name).having(n > 0).order_by(n.desc(), Category.name)).all()
    return (_int(total), _int(direct)), [(name or "", _int(c), _int(d)) for name, c, d in per_category]


def returns_by_unit(session: Session, period: Period, tz: str) -> dict[int, int]:
    """Returns to the desk made in ``period``, per unit that returned the case."""
    rows = session.execute(select(StatReturn.unit_id, func.sum(StatReturn.returns))
                           .where(StatReturn.day >= period.start, StatReturn.day < period.end)
                           .group_by(StatReturn.unit_id))
    return {unit_id: _int(n) for unit_id, n in rows if _int(n)}
