"""Figures over many cases for the dashboard, the unit performance table, the weekly report and the public
statistics page: read from the rollups (``cases.statistics_rollup``), never by looping over cases in Python.

While the rollups are not built, or count days in another zone than the one asked for, the same figures are
counted from the cases (``cases.statistics_recount``). Extension requests are counted from the event log by time,
through its (action, at) index.
"""
from __future__ import annotations

from datetime import datetime
from types import ModuleType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases import rollups, statistics_recount, statistics_rollup
from cases.db import plan_serially
from cases.errors import N_, ValidationError
from cases.figures import (PERFORMANCE_COLUMNS, PERFORMANCE_SORTS, MonthFigures, Period, UnitPerformance,  # noqa: F401
                           performance_table, sort_performance)
from cases.models import Case, Event, Satisfaction, Unit
from cases.sql_dates import (SCAN_AFTER_DAYS, days_between, local_date, local_day, local_month,  # noqa: F401
                             unindexed)
from cases.workflow import OPEN_STATUSES, Status

GOOD_RATINGS = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
DONE_STATUSES = (Status.REPLIED, Status.CLOSED)
SPLITS = ("kind", "channel", "urgent")
# session.info key: count this session's figures from the cases even where the rollups could answer (the check
# of the two ways in the tests, the baseline of bench/dashboard.py).
COUNT_FROM_CASES = "statistics_count_from_cases"


def source(session: Session, tz: str) -> ModuleType:
    """Where the figures for days in ``tz`` come from: the rollups if they are built in that zone (after adding
    this transaction's changes to them), else the cases."""
    if not session.info.get(COUNT_FROM_CASES) and rollups.zone(session) == tz:
        rollups.settle(session)
        plan_serially(session)
        return statistics_rollup
    return statistics_recount


# ---- unit performance ------------------------------------------------------------------------------------------

def unit_performance(session: Session, period: Period, tz: str, *, sort: str = "unit",
                     descending: bool = False) -> list[UnitPerformance]:
    """Every active unit's performance over ``period`` (cases received in it and dispatched to the unit), with
    the returns and extension requests made in it."""
    if sort not in PERFORMANCE_SORTS:
        raise ValidationError(N_("Cannot sort by %(sort)s."), sort=sort)
    counts = source(session, tz)
    figures = counts.unit_figures(session, period, tz)
    returns = counts.returns_by_unit(session, period, tz)
    start, end = period.instants(tz)
    extensions = dict(session.execute(
        select(Case.unit_id, func.count(Event.id)).join(Case, Case.id == Event.case_id)
        .where(Event.action == "request_extension", Event.at >= start, Event.at < end)
        .group_by(Case.unit_id)).all())
    overruled = _event_counts_by_unit_in_data(session, "overrule_return", start, end)
    rows = []
    for unit_id, name, kind in session.execute(select(Unit.id, Unit.name, Unit.kind).where(Unit.active)
                                               .order_by(Unit.id)):
        (received, answered, on_time, avg_days, replied, rated, satisfied, supervised, signed, signed_on_time,
         sign_hours) = figures.get(unit_id, (0, 0, 0, None, 0, 0, 0, 0, 0, 0, None))
        rows.append(UnitPerformance(
            unit_id=unit_id, unit=name, kind=kind, received=received, answered=answered, on_time=on_time,
            avg_days_to_feedback=avg_days, returned=returns.get(unit_id, 0), replied=replied, rated=rated,
            satisfied=satisfied, extensions=extensions.get(unit_id, 0), supervised=supervised, signed=signed,
            signed_on_time=signed_on_time, avg_hours_to_sign=sign_hours,
            returns_overruled=overruled.get(unit_id, 0)))
    return sort_performance(rows, sort, descending)


def _event_counts_by_unit_in_data(session: Session, action: str, start: datetime, end: datetime) -> dict[int, int]:
    """Events of ``action`` per unit recorded in the event's data (a return clears the case's unit); few rows, found
    through the event log's (action, at) index."""
    unit_id = Event.data["unit_id"].as_integer()
    rows = session.execute(select(unit_id, func.count(Event.id))
                           .where(Event.action == action, Event.at >= start, Event.at < end)
                           .group_by(unit_id)).all()
    return {int(u): n for u, n in rows if u is not None}


# ---- dashboard -------------------------------------------------------------------------------------------------

def cases_per_day(session: Session, period: Period, tz: str, by: str) -> dict[str, dict[str, int]]:
    """Cases received per local day, split by ``kind``, ``channel`` or ``urgent``: {key: {day: count}}."""
    if by not in SPLITS:
        raise ValidationError(N_("Cannot split cases by %(by)s."), by=by)
    return source(session, tz).cases_per_day(session, period, tz, by)


def total_cases(session: Session, period: Period, tz: str) -> int:
    """Cases received in ``period``."""
    return source(session, tz).total_cases(session, period, tz)


def top_categories(session: Session, period: Period, tz: str, limit: int = 10) -> list[tuple[str, int]]:
    """The categories with most cases in ``period``."""
    return source(session, tz).top_categories(session, period, tz, limit)


def top_districts(session: Session, period: Period, tz: str, limit: int = 10) -> list[tuple[str, int]]:
    """The districts and counties with most cases dispatched to them in ``period``."""
    return source(session, tz).top_districts(session, period, tz, limit)


def urgent_open_cases(session: Session, limit: int = 20) -> list[Case]:
    """Urgent cases still open, oldest first (they wait longest)."""
    return list(session.scalars(select(Case).where(Case.urgent, Case.status.in_(OPEN_STATUSES))
                                .order_by(Case.received_at).limit(limit)))


# ---- public statistics -----------------------------------------------------------------------------------------

def monthly_figures(session: Session, period: Period, tz: str, *, per_unit: bool) -> list[MonthFigures]:
    """Response, resolution and satisfaction per month (and per unit), for the public statistics page."""
    return source(session, tz).monthly_figures(session, period, tz, per_unit=per_unit)
