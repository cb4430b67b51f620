"""Satisfaction callbacks (回访): replied cases whose citizen has not rated the answer some working days after the
reply went out (by SMS survey, tracking page or the reply letter) wait on the clerks' callback list, to be asked
by phone. Recording the answer is the ordinary close with a rating (``services.close``; "not satisfied" reopens).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from cases.policy import Policy
from cases.models import Case, Event
from cases.models_sms import SmsMessage
from cases.workflow import Status

REPLY_ACTIONS = ("reply", "approve_reply")


@dataclass(frozen=True)
class Callback:
    """One case to call: when its reply went out and whether an SMS survey went unanswered."""

    case: Case
    replied_at: datetime
    sms_survey_at: datetime | None


def due_callbacks(session: Session, policy: Policy, after_days: int, *, limit: int = 200) -> list[Callback]:
    """Replied, unrated cases whose reply went out ``after_days`` working days ago or earlier, oldest first."""
    today = policy.today()
    replied = (select(Event.case_id, func.max(Event.at).label("at"))
               .where(Event.action.in_(REPLY_ACTIONS)).group_by(Event.case_id).subquery())
    surveyed = (select(SmsMessage.case_id, func.max(SmsMessage.sent_at).label("at"))
                .where(SmsMessage.purpose == "survey", SmsMessage.direction == "out").group_by(SmsMessage.case_id)
                .subquery())
    rows = session.execute(
        select(Case, replied.c.at, surveyed.c.at).join(replied, replied.c.case_id == Case.id)
        .outerjoin(surveyed, surveyed.c.case_id == Case.id)
        .where(Case.status == Status.REPLIED, Case.satisfaction.is_(None))
        .options(selectinload(Case.citizen), selectinload(Case.unit)).order_by(replied.c.at, Case.id)).all()
    due = []
    for case, replied_at, survey_at in rows:
        if policy.calendar.working_days_between(policy.local_date(replied_at), today) >= after_days:
            due.append(Callback(case, replied_at, survey_at))
            if len(due) >= limit:
                break
    return due
