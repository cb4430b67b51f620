"""The satisfaction survey by email, for citizens the SMS survey does not reach.

When a reply goes out on a case whose citizen has an email address and that did not come by SMS (those get the
SMS survey), one outbox item asks how satisfied they are. Its three links carry a signed token
(made by the web layer) and answer 1 satisfied, 2 basically satisfied, 3 not satisfied, without a log-in. An
answer closes the case with the rating; "not satisfied" reopens it to its unit, as the SMS survey does. A case
still unrated after ``SURVEY_CALLBACK_DAYS`` waits on the clerks' callback list (``cases.callbacks``) as any
other. Its outbox topic is its own, drained after the replies' ``send_mail``; it waits for an emailed reply to
be sent. The survey goes out once: the ``survey_sent`` event, committed when the message has left, is looked up
before sending again.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import outbox, services
from cases.actors import CITIZEN
from cases.drafts import Channel
from cases.models import Case, Event, Reply
from cases.policy import Policy
from cases.sms import SURVEY_ANSWERS
from cases.workflow import Status

KIND = "survey"  # the send_mail payload's kind
SENT_EVENT = "survey_sent"


def wanted(case: Case) -> bool:
    """Whether a reply on ``case`` is followed by the email survey: an email address, and no SMS survey."""
    citizen = case.citizen
    return bool(citizen and "@" in (citizen.email or "")) and case.channel != Channel.SMS


def schedule(session: Session, reply: Reply) -> None:
    """Queue the survey of a reply that went out (once per reply: the outbox key names it)."""
    if wanted(reply.case):
        outbox.enqueue(session, outbox.EMAIL_SURVEY, f"survey:{reply.id}",
                       {"kind": KIND, "case_id": reply.case_id, "reply_id": reply.id})


def already_sent(session: Session, case_id: int, reply_id: int) -> bool:
    """Whether the survey of ``reply_id`` has left already (a drain that died before marking its item done)."""
    events = session.scalars(select(Event.data).where(Event.case_id == case_id, Event.action == SENT_EVENT))
    return any((data or {}).get("reply_id") == reply_id for data in events)


def answer(session: Session, policy: Policy, case_id: int, reply_id: int, choice: str) -> Case | None:
    """Record the answer ``choice`` ("1", "2" or "3") to the survey of ``reply_id``; the case, or None when the
    answer came too late (the case was rated or reopened since) or is not one of the three."""
    case = session.get(Case, case_id)
    if case is None or choice not in SURVEY_ANSWERS or case.status != Status.REPLIED:
        return None
    if reply_id not in {r.id for r in case.replies}:
        return None
    services.close(session, policy, case, CITIZEN, SURVEY_ANSWERS[choice].value, "Answered the email survey.")
    return case
