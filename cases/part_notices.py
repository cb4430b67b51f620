"""Reminders and chases for the parts of a case (co-handling units, sub-units), each on its own deadline.

The same timing as the case's own notices (``cases.supervision.due_notices``): a reminder shortly before a part is
due, a chase after; once per part and deadline, recorded on the case's timeline. Escalation stays with the case.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cases import events
from cases.cohandling import send_part_notice
from cases.actors import SYSTEM
from cases.policy import Policy
from cases.models import Case, Event
from cases.models_levels import OPEN, Assignment
from cases.supervision import CHASE, REMINDER, NoticeSettings, due_notices
from cases.workflow import UNIT_CLOCK

PART_NOTICES = {REMINDER: "part_reminder", CHASE: "part_chase"}


def send_part_notices(session: Session, policy: Policy, settings: NoticeSettings, today: date | None = None,
                      ) -> dict[str, int]:
    """Queue every part reminder and chase due today and not yet sent; returns counts by kind. The caller
    commits."""
    today = today or policy.today()
    counts = {kind: 0 for kind in PART_NOTICES.values()}
    if not policy.calendar.is_working_day(today):
        return counts
    horizon = policy.calendar.add_working_days(today, settings.reminder_days_before)
    parts = list(session.scalars(
        select(Assignment).join(Case, Case.id == Assignment.case_id)
        .where(Assignment.active, Assignment.state == OPEN, Assignment.due_date <= horizon,
               Case.status.in_(UNIT_CLOCK))
        .options(selectinload(Assignment.case), selectinload(Assignment.unit), selectinload(Assignment.from_unit))
        .order_by(Assignment.id)))
    sent = _sent(session, sorted({p.case_id for p in parts}))
    for part in parts:
        for kind in due_notices(part.due_date, today, policy, settings):
            notice = PART_NOTICES.get(kind)
            if notice is None or (part.id, notice, part.due_date.isoformat()) in sent:
                continue
            to = send_part_notice(session, part.case, part, notice, "", key=f"due-{part.due_date.isoformat()}")
            events.record(session, part.case, SYSTEM, notice,
                          note=f"{notice.replace('_', ' ')} to {part.unit.name} for {part.due_date.isoformat()}",
                          data={"part": part.id, "unit": part.unit.name, "due": part.due_date.isoformat(), "to": to})
            counts[notice] += 1
    return counts


def _sent(session: Session, case_ids: list[int]) -> set[tuple[int, str, str]]:
    """(part id, notice, deadline) already recorded for these cases."""
    sent: set[tuple[int, str, str]] = set()
    for start in range(0, len(case_ids), 500):
        for action, data in session.execute(select(Event.action, Event.data).where(
                Event.case_id.in_(case_ids[start:start + 500]), Event.action.in_(tuple(PART_NOTICES.values())))):
            sent.add(((data or {}).get("part"), action, str((data or {}).get("due"))))
    return sent
