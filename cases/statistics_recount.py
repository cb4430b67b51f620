"""The figures counted straight from the cases (GROUP BY over ``case_file``): the check of the rollups, the
baseline of ``bench/dashboard.py``, and the source while the rollups are not built or count days in another zone.

``cases.statistics_rollup`` answers the same questions from the rollups; a property test holds the two equal.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from cases.figures import MonthFigures, Period
from cases.models import Case, Category, Event, Reply, Satisfaction, Unit
from cases.models_desk import DirectAnswer
from cases.models_letters import SENT
from cases.sql_dates import days_between, local_date, local_day, local_month, prefers_scan, unindexed
from cases.workflow import Status

GOOD_RATINGS = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
# Per unit: received, answered, on_time, avg_days, replied, rated, satisfied, supervised, signed, signed_on_time,
# sign_hours.
UnitFigures = tuple[int, int, int, float | None, int, int, int, int, int, int, float | None]


def _in_period(session: Session, start: datetime, end: datetime, scan: bool) -> ColumnElement[bool]:
    received = unindexed(session, Case.received_at, scan)
    return and_(received >= start, received < end)


def unit_figures(session: Session, period: Period, tz: str) -> dict[int, UnitFigures]:
    """Per unit, the figures of the cases received in ``period`` and dispatched to it: one pass over the cases."""
    start, end = period.instants(tz)
    scan = prefers_scan(session, period.days)
    # A reply counts once it went out; the automatic acknowledgement of an email is not an answer.
    released = select(Reply.case_id).where(Reply.status == SENT, Reply.template != "acknowledgement")
    answered_day = local_date(session, Case.first_feedback_at, tz)
    unit_id = unindexed(session, Case.unit_id, scan)
    rows = session.execute(
        select(unit_id,
               func.count(Case.id),
               func.count(Case.first_feedback_at),
               func.sum(case((answered_day <= Case.due_at_feedback, 1), else_=0)),
               func.avg(days_between(session, Case.received_at, Case.first_feedback_at)),
               func.sum(case((Case.id.in_(released), 1), else_=0)),
               func.count(Case.satisfaction),
               func.sum(case((Case.satisfaction.in_(GOOD_RATINGS), 1), else_=0)),
               func.sum(case((Case.supervised, 1), else_=0)),
               func.count(Case.signed_at),
               func.sum(case((Case.signed_at <= Case.sign_due_at, 1), else_=0)),
               func.avg(days_between(session, Case.dispatched_at, Case.signed_at) * 24))
        .where(_in_period(session, start, end, scan), unit_id.is_not(None))
        .group_by(unit_id)).all()
    return {r[0]: (r[1], r[2], int(r[3] or 0), float(r[4]) if r[4] is not None else None, int(r[5] or 0), r[6],
                   int(r[7] or 0), int(r[8] or 0), r[9], int(r[10] or 0), float(r[11]) if r[11] is not None else None)
            for r in rows}


def _plain(value: Any) -> str:
    return value.value if hasattr(value, "value") else ("urgent" if value is True else "normal" if value is False
                                                         else str(value))


def cases_per_day(session: Session, period: Period, tz: str, by: str) -> dict[str, dict[str, int]]:
    """Cases received per local day, split by ``kind``, ``channel`` or ``urgent``: {key: {day: count}}."""
    columns = {"kind": Case.kind, "channel": Case.channel, "urgent": Case.urgent}
    start, end = period.instants(tz)
    day = local_day(session, Case.received_at, tz)
    rows = session.execute(select(day, columns[by], func.count(Case.id))
                           .where(Case.received_at >= start, Case.received_at < end)
                           .group_by(day, columns[by])).all()
    out: dict[str, dict[str, int]] = {}
    for day_value, key, count in rows:
        out.setdefault(_plain(key), {})[str(day_value)] = count
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


def monthly_figures(session: Session, period: Period, tz: str, *, per_unit: bool) -> list[MonthFigures]:
    """Response, resolution and satisfaction per month (and per unit)."""
    start, end = period.instants(tz)
    scan = prefers_scan(session, period.days)
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


def _answered_at_desk() -> Any:
    answered = exists().where(DirectAnswer.case_id == Case.id)
    return func.sum(case((answered & (Case.status == Status.CLOSED) & Case.unit_id.is_(None), 1), else_=0))


def desk_counts(session: Session, period: Period, tz: str) -> tuple[tuple[int, int], list[tuple[str, int, int]]]:
    """((cases, answered at the desk), [(category name or "", cases, answered at the desk)], most cases first)."""
    start, end = period.instants(tz)
    in_period = (Case.received_at >= start, Case.received_at < end)
    total, direct = session.execute(select(func.count(Case.id), _answered_at_desk()).where(*in_period)).one()
    rows = session.execute(
        select(Category.name, func.count(Case.id), _answered_at_desk()).select_from(Case)
        .outerjoin(Category, Category.id == Case.category_id).where(*in_period)
        .group_by(Category.name).order_by(func.count(Case.id).desc(), Category.name)).all()
    return (total or 0, int(direct or 0)), [(name or "", n, int(d or 0)) for name, n, d in rows]


def returns_by_unit(session: Session, period: Period, tz: str) -> dict[int, int]:
    """Returns to the desk made in ``period``, per unit recorded in the event's data (a return clears the case's
    unit)."""
    start, end = period.instants(tz)
    unit_id = Event.data["unit_id"].as_integer()
    rows = session.execute(select(unit_id, func.count(Event.id))
                           .where(Event.action == "return", Event.at >= start, Event.at < end)
                           .group_by(unit_id)).all()
    return {int(u): n for u, n in rows if u is not None}
