"""Lead and co-handling units (主办/协办): the desk gives a case to one lead unit and any number of co-handling
units; each co-unit gives its part to the lead within its own deadline and is chased on its own; the lead answers
the office once every part is in, or says why it answers without one.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import events, outbox
from cases.actors import Actor
from cases.policy import Policy
from cases.errors import N_, NotFound, ValidationError
from cases.models import Case, Unit
from cases.models_levels import ANSWERED, CO, OPEN, Assignment
from cases.parts import co_parts, passed_down_from, unresolved
from cases.supervision import _recipients
from cases.workflow import Action, check

PART_CHASE = "part_chase"  # the notice (and event) of a part chased by hand


class MissingParts(ValidationError):
    """The lead answers while co-handling units' parts are missing, without saying why; ``units`` lacks them."""

    def __init__(self, units: list[Unit]) -> None:
        names = ", ".join(u.name for u in units)
        super().__init__(N_("Waiting for the part from %(units)s: answer without it only with a reason."), units=names)
        self.units = units


def co_deadline(policy: Policy, case: Case) -> date:
    """A co-unit's part is due ``policy.co_part_margin_days`` working days before the lead's feedback, so the lead
    has time to fold it in; at least a working day from now, never after the lead's own deadline (a lead due
    today, an urgent case's, has its parts due today too)."""
    today = policy.today()
    lead_due = case.due_date
    if lead_due is None:
        return policy.calendar.add_working_days(today, 1)
    if lead_due <= today:
        return lead_due
    span = policy.calendar.working_days_between(today, lead_due)
    return min(lead_due, policy.calendar.add_working_days(today, max(1, span - policy.co_part_margin_days)))


def add_co_units(session: Session, policy: Policy, case: Case, actor: Actor, unit_ids: Sequence[int],
                 due: date | None = None) -> list[Assignment]:
    """Give the just-dispatched case to co-handling units besides its lead (``case.unit_id``)."""
    ids = list(dict.fromkeys(int(u) for u in unit_ids if u))
    if not ids:
        return []
    if case.unit_id in ids:
        raise ValidationError(N_("The lead unit cannot also be a co-handling unit."))
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids), Unit.active))}
    if len(units) != len(ids):
        raise ValidationError(N_("Choose active co-handling units."))
    due = due or co_deadline(policy, case)
    if due < policy.today():
        raise ValidationError(N_("The co-handling units' deadline cannot lie in the past."))
    if case.due_date is not None and due > case.due_date:
        raise ValidationError(N_("The co-handling units' deadline must fall on or before the lead unit's, %(day)s."),
                              day=case.due_date.isoformat())
    made = []
    for uid in ids:
        part = Assignment(case_id=case.id, unit_id=uid, role=CO, from_unit_id=case.unit_id, parent_id=None,
                          instructions="", due_date=due, created_by_id=actor.user_id, state=OPEN, active=True,
                          answer="", review_note="")
        session.add(part)
        made.append(part)
    session.flush()
    events.record(session, case, actor, "co_handling", note=", ".join(units[u].name for u in ids), internal=False,
                  data={"units": [units[u].name for u in ids], "unit_ids": ids, "due": due.isoformat(),
                        "parts": [p.id for p in made]})
    return made


def ready_for_feedback(session: Session, case: Case, actor: Actor, without_reason: str = "") -> dict:
    """Check that the lead may answer the office now; returns what the feedback event records about the parts.

    A part the lead passed down must be settled (accepted, or sent back and withdrawn by a new dispatch). Every
    co-unit's part must be in, unless ``without_reason`` says why the lead answers without the missing ones."""
    if case.unit_id is None or actor.unit_id != case.unit_id:
        return {}
    open_down = unresolved(passed_down_from(session, case, None, case.unit_id))
    if open_down:
        raise ValidationError(N_("The part passed down to %(unit)s is not settled yet: accept it or send it back "
                                 "first."), unit=open_down[0].unit.name)
    parts = co_parts(session, case)
    missing = [p for p in parts if p.state == OPEN]
    reason = (without_reason or "").strip()
    if missing and not reason:
        raise MissingParts([p.unit for p in missing])
    record: dict = {}
    if parts:
        record["co_parts"] = [p.id for p in parts if p.state == ANSWERED]
    if missing:
        record["without_parts"] = [p.unit.name for p in missing]
        record["without_unit_ids"] = [p.unit_id for p in missing]
        record["without_reason"] = reason[:2000]
        events.record(session, case, actor, "answer_without_parts", note=reason[:2000],
                      data={"units": record["without_parts"], "unit_ids": record["without_unit_ids"]})
    return record


def chase_part(session: Session, policy: Policy, case: Case, actor: Actor, part_id: int, note: str = "") -> Assignment:
    """Chase one unit's open part on its own: a notice to that unit, recorded on the timeline.

    The unit the part answers to (the lead for a co-unit, the parent for a sub-unit), the desk and supervisors may
    chase."""
    check(case.status, Action.CHASE_PART, actor.role)
    part = session.get(Assignment, part_id)
    if part is None or part.case_id != case.id or not part.active:
        raise NotFound(N_("No such part."))
    if actor.is_unit and part.from_unit_id != actor.unit_id:
        raise NotFound(N_("No such part."))
    if part.state != OPEN:
        raise ValidationError(N_("This part is already answered."))
    note = (note or "").strip()[:2000]
    event = events.record(session, case, actor, Action.CHASE_PART.value, note=note,
                          data={"part": part.id, "unit_id": part.unit_id, "unit": part.unit.name,
                                "due": part.due_date.isoformat()})
    session.flush()
    send_part_notice(session, case, part, PART_CHASE, note, key=f"event-{event.id}")
    return part


PART_NOTICE_LINES = {
    "part_reminder": "Your unit's part of case {number} “{subject}” is due on {due}. Please give it to {to} before "
                     "the deadline.",
    "part_chase": "Your unit's part of case {number} “{subject}” was due on {due} and {to} is still waiting for "
                  "it. Please give it without delay.",
}


def send_part_notice(session: Session, case: Case, part: Assignment, kind: str, note: str, *, key: str) -> list[str]:
    """Queue a notice about ``part`` to its unit's mailbox and handlers (once per ``key``); returns the addresses."""
    to = _recipients(session, part.unit)
    if not to:
        return []
    target = part.from_unit.name if part.from_unit is not None else "the lead unit"
    body = PART_NOTICE_LINES[kind].format(number=case.number, subject=case.subject, due=part.due_date.isoformat(),
                                          to=target)
    if note:
        body += f"\n\nNote: {note}"
    subject = ("[Reminder] " if kind == "part_reminder" else "[Overdue part] ") + f"Case {case.number}"
    outbox.enqueue(session, outbox.SEND_MAIL, f"notice:{kind}:{case.id}:part-{part.id}:{key}",
                   {"kind": "notice", "notice": kind, "to": to, "subject": subject, "body": body,
                    "case_id": case.id})
    return to
