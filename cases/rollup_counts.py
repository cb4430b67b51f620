"""What one case contributes to the statistics rollups, as SQL over ``case_file``: the key and the counts.

One definition serves the three users: keeping the rollups on every change (``cases.rollups``), rebuilding them
and the full recount that checks them (``cases.rollups_build``). The expressions are those the figures were
counted with straight from the cases, so both ways give the same numbers.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, cast, exists, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from cases.models import Case, Event, Reply, Satisfaction
from cases.models_desk import DirectAnswer
from cases.models_letters import SENT
from cases.models_rollups import NO_DUE
from cases.sql_dates import local_date, offset_modifier
from cases.workflow import UNIT_CLOCK, Status

GOOD_RATINGS = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _millis(session: Session, start: Any, end: Any) -> Any:
    """Whole milliseconds from ``start`` to ``end`` (0 where either is missing), as SQL."""
    if _dialect(session) == "postgresql":
        span = func.round(func.extract("epoch", end - start) * 1000)
    else:
        span = func.round((func.julianday(end) - func.julianday(start)) * 86_400_000)
    return func.coalesce(cast(span, Integer), 0)


def replied() -> Any:
    """A reply went out (sent: not while queued, waiting for the post or a call, or failed; the automatic
    acknowledgement of an email is not an answer)."""
    return exists().where(Reply.case_id == Case.id, Reply.status == SENT, Reply.template != "acknowledgement")


def contributions(session: Session, zone: str) -> Select:
    """One row per case: ``case_id``, ``day``, the key columns, every measure of ``MEASURES`` and the columns of
    ``OPEN``; the caller adds the WHERE clause."""
    answered_day = local_date(session, Case.first_feedback_at, zone)
    both_sign_times = and_(Case.dispatched_at.is_not(None), Case.signed_at.is_not(None))
    closed = Case.status == Status.CLOSED
    on_clock = Case.status.in_(UNIT_CLOCK) & Case.unit_id.is_not(None)
    return select(
        Case.id.label("case_id"),
        local_date(session, Case.received_at, zone).label("day"),
        func.coalesce(Case.unit_id, 0).label("unit_id"),
        func.coalesce(Case.category_id, 0).label("category_id"),
        Case.kind.label("kind"),
        Case.channel.label("channel"),
        literal(0).label("area_id"),
        literal(1).label("cases"),
        _flag(Case.urgent).label("urgent"),
        _flag(Case.first_feedback_at.is_not(None)).label("answered"),
        _flag(answered_day <= Case.due_at_feedback).label("on_time"),
        _millis(session, Case.received_at, Case.first_feedback_at).label("feedback_ms"),
        _flag(replied()).label("replied"),
        _flag(Case.satisfaction.is_not(None)).label("rated"),
        _flag(Case.satisfaction.in_(GOOD_RATINGS)).label("satisfied"),
        _flag(Case.supervised).label("supervised"),
        _flag(Case.signed_at.is_not(None)).label("signed"),
        _flag(Case.signed_at <= Case.sign_due_at).label("signed_on_time"),
        _flag(both_sign_times).label("sign_timed"),
        _millis(session, Case.dispatched_at, Case.signed_at).label("sign_ms"),
        _flag(closed).label("closed"),
        _flag(closed & Case.unit_id.is_(None) & exists().where(DirectAnswer.case_id == Case.id)).label("direct"),
        case((on_clock, Case.unit_id), else_=0).label("open_unit"),
        case((on_clock & Case.due_date.is_not(None), Case.due_date), else_=NO_DUE).label("open_due"),
        _flag(on_clock & Case.supervised).label("open_supervised"),
        _flag(on_clock & Case.extension_requested_days.is_not(None)).label("open_extensions"),
    )


_CASES_COUNTED: dict[tuple[str, str, str], Select] = {}


def cases_counted(session: Session, zone: str) -> Select:
    """``contributions`` of the cases whose ids are bound as ``case_ids`` (a list), built once per database, zone
    and UTC offset: every change that moves a figure runs it before its commit, and building the expression
    costs many times what running it does."""
    key = (_dialect(session), zone, offset_modifier(zone) if _dialect(session) == "sqlite" else "")
    stmt = _CASES_COUNTED.get(key)
    if stmt is None:
        stmt = _CASES_COUNTED[key] = contributions(session, zone).where(
            Case.id.in_(bindparam("case_ids", expanding=True)))
    return stmt


def returns(session: Session, zone: str) -> Select:
    """Return events per local day and the unit named in their data (``day``, ``unit_id``, ``returns``); the
    caller may narrow the events (a WHERE on ``Event``)."""
    day = local_date(session, Event.at, zone)
    unit_id = Event.data["unit_id"].as_integer()
    return (select(day.label("day"), unit_id.label("unit_id"), func.count(Event.id).label("returns"))
            .where(Event.action == "return", unit_id.is_not(None)).group_by(day, unit_id))
