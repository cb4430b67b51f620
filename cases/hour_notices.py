"""Notices by the hour: sign-for chases for every dispatched case, and reminders, chases and escalations for the
cases whose urgency level counts feedback in hours (see ``supervision.hourly_levels``).

The worker runs this every few minutes. Like the daily notices, each goes once per case and deadline: the event
it records carries the deadline (office time to the minute), and the next run skips what it finds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from cases import events
from cases.actors import SYSTEM
from cases.policy import Policy
from cases.deadlines import level_of, local_text
from cases.errors import N_, ValidationError
from cases.models import Case
from cases.supervision import (
    CHASE,
    ESCALATION,
    REMINDER,
    SIGN_CHASE,
    DueText,
    _enqueue_notice,
    _recipients,
    _sent,
    hourly_levels,
)
from cases.workflow import Status, UNIT_CLOCK


@dataclass(frozen=True)
class HourNoticeSettings:
    """When hour notices go out, in hours around the feedback deadline."""

    reminder_hours_before: float = 4
    chase_hours_after: float = 1
    escalate_hours_after: float = 4

    def __post_init__(self) -> None:
        if min(self.reminder_hours_before, self.chase_hours_after, self.escalate_hours_after) < 0:
            raise ValidationError(N_("Notice hours cannot be negative."))
        if self.escalate_hours_after < self.chase_hours_after:
            raise ValidationError(N_("Escalation cannot come before the chase notice."))


def due_hour_notices(due_at: datetime, now: datetime, settings: HourNoticeSettings) -> list[str]:
    """Which notices a case due at ``due_at`` calls for at ``now`` (before the once-only check); a notice whose
    moment passed while the worker was down goes out at the next run."""
    kinds = []
    if due_at - timedelta(hours=settings.reminder_hours_before) <= now <= due_at:
        kinds.append(REMINDER)
    if now >= due_at + timedelta(hours=settings.chase_hours_after) and now > due_at:
        kinds.append(CHASE)
    if now >= due_at + timedelta(hours=settings.escalate_hours_after) and now > due_at:
        kinds.append(ESCALATION)
    return kinds


def is_hourly(policy: Policy, case: Case) -> bool:
    """Whether the case's urgency level counts feedback in hours (the Python twin of ``hourly_levels``)."""
    return policy.urgency[level_of(case.urgent, case.major_emergency)].feedback.in_hours


def send_hour_notices(session: Session, policy: Policy, settings: HourNoticeSettings,
                      now: datetime | None = None) -> dict[str, int]:
    """Queue the sign-for chases and hour notices due at ``now`` and not yet sent; returns counts by kind.

    The caller commits; a second run at the same moment sends nothing."""
    now = now or policy.now()
    counts = {kind: 0 for kind in (SIGN_CHASE, REMINDER, CHASE, ESCALATION)}
    horizon = now + timedelta(hours=settings.reminder_hours_before)
    candidates = list(session.scalars(
        select(Case).where(Case.unit_id.is_not(None), or_(
            and_(Case.status == Status.DISPATCHED, Case.signed_at.is_(None), Case.sign_due_at < now),
            and_(Case.status.in_(UNIT_CLOCK), Case.due_at <= horizon, hourly_levels(policy))))
        .options(selectinload(Case.unit)).order_by(Case.id)))
    sent = _sent(session, [c.id for c in candidates])
    for item in candidates:
        wanted: list[tuple[str, datetime]] = []
        if item.status == Status.DISPATCHED and item.signed_at is None and item.sign_due_at and item.sign_due_at < now:
            wanted.append((SIGN_CHASE, item.sign_due_at))
        if is_hourly(policy, item) and item.due_at is not None and item.status in UNIT_CLOCK:
            wanted += [(kind, item.due_at) for kind in due_hour_notices(item.due_at, now, settings)]
        for kind, due in wanted:
            due_text = local_text(due, policy.timezone)
            if (item.id, kind, due_text) in sent:
                continue
            if kind == ESCALATION:
                to = [item.unit.head_email] if item.unit.head_email else _recipients(session, item.unit)
                item.supervised = True
            else:
                to = _recipients(session, item.unit)
            if to:
                _enqueue_notice(session, kind, item, to, DueText(due_text))
            events.record(session, item, SYSTEM, kind, note=f"{kind} notice for the deadline {due_text}",
                          data={"due": due_text, "to": to})
            counts[kind] += 1
    return counts
