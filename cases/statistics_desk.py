"""How much the desk answers itself: cases answered directly and their share of all cases, overall and per
category (the 12345 office's "answered at the desk" figure), computed by the database."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from cases.models import Case, Category
from cases.models_desk import DirectAnswer
from cases.statistics import Period
from cases.workflow import Status


@dataclass(frozen=True)
class DeskShare:
    """Cases received in a period (``category`` "" : all of them, or no category) and how many the desk
    answered itself: closed with a direct answer and never handed to a unit."""

    category: str
    cases: int
    direct: int

    @property
    def share(self) -> float | None:
        return self.direct / self.cases if self.cases else None


def _answered_at_desk() -> object:
    answered = exists().where(DirectAnswer.case_id == Case.id)
    return func.sum(case((answered & (Case.status == Status.CLOSED) & Case.unit_id.is_(None), 1), else_=0))


def desk_shares(session: Session, period: Period, tz: str) -> tuple[DeskShare, list[DeskShare]]:
    """(the whole office, per category with most cases first) for cases received in ``period``."""
    start, end = period.instants(tz)
    in_period = (Case.received_at >= start, Case.received_at < end)
    total, direct = session.execute(select(func.count(Case.id), _answered_at_desk()).where(*in_period)).one()
    rows = session.execute(
        select(Category.name, func.count(Case.id), _answered_at_desk()).select_from(Case)
        .outerjoin(Category, Category.id == Case.category_id).where(*in_period)
        .group_by(Category.name).order_by(func.count(Case.id).desc(), Category.name)).all()
    return (DeskShare("", total or 0, int(direct or 0)),
            [DeskShare(name or "", n, int(d or 0)) for name, n, d in rows])
