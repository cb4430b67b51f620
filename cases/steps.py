"""The steps every case service takes: check an action against the workflow table and record it, move the clock
with its reason, refuse empty reasons, and keep a unit's clocks on a return. Shared by cases.services and the
services beside it (returns, assignment)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cases import categories, deadlines, events, outbox, texts
from cases.actors import Actor
from cases.errors import N_, NotFound, ValidationError
from cases.models import Case
from cases.policy import Policy
from cases.workflow import Action, Status, check


def step(session: Session, case: Case, actor: Actor, action: Action, *, note: str = "", internal: bool = True,
         data: dict | None = None) -> Status:
    """Check ``action`` against the workflow table, apply the new status and record it."""
    if actor.is_unit and case.unit_id != actor.unit_id:
        raise NotFound(N_("No such case."))
    before = case.status
    after = check(before, action, actor.role)
    case.status = after
    events.record(session, case, actor, action.value, from_status=before.value, to_status=after.value,
                  note=note, internal=internal, data=data)
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))
    return after


def move_clock(session: Session, case: Case, actor: Actor, new_due: date | None, why: str | texts.Text,
               policy: Policy | None = None, *, deadline: deadlines.Deadline | None = None,
               sign: deadlines.Deadline | None = None) -> None:
    """Set the feedback deadline (a computed ``deadline``, or the end of the day ``new_due``) and record why (a
    text, see cases.texts), with the sign-for deadline's reason when ``sign`` is given.

    The event keeps the English note and, in its data, the note's parts (``note_texts``) and the deadline's
    explanation (``basis_texts``) as texts, for the pages to show in the reader's language."""
    old = case.due_date
    basis: list[texts.Text] = []
    if deadline is not None:
        new_due, case.due_at, case.due_hourly = deadline.day, deadline.at, deadline.hourly
        basis = [d.basis_text for d in (sign, deadline) if d is not None]
    elif new_due is not None and policy is not None:
        end = datetime.combine(new_due + timedelta(days=1), time(), ZoneInfo(policy.timezone))
        case.due_at, case.due_hourly = end, False
        basis = [texts.text(N_("%(why)s: by the end of %(day)s"), why=why, day=new_due.isoformat())]
    else:
        case.due_at = None
    case.deadline_basis = "\n".join(texts.english(line) for line in basis)
    note_texts = [why, *basis] if deadline is not None else [why]
    case.due_date = new_due
    events.record(session, case, actor, "deadline", note="; ".join(texts.english(part) for part in note_texts),
                  data={"from": old.isoformat() if old else None, "to": new_due.isoformat() if new_due else None,
                        "at": case.due_at.isoformat() if case.due_at else None, "basis": case.deadline_basis,
                        "note_texts": note_texts, "basis_texts": basis})


def feedback_deadline(policy: Policy, case: Case, start: datetime) -> deadlines.Deadline:
    """The feedback deadline of ``case`` counted from ``start``, by its urgency level and category."""
    level = deadlines.level_of(case.urgent, case.major_emergency)
    return deadlines.compute(policy.calendar, policy.timezone, start, policy.urgency[level].feedback,
                             what=deadlines.feedback_of(level, case.kind.value),
                             answer_days=categories.routing(case.category).answer_days
                             or policy.answer_days.get(case.kind.value, 10))


def require_text(text: str, message: str) -> str:
    """``text`` stripped; a ValidationError with ``message`` (marked with ``N_``) when it is empty."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(message)
    return text


def held_clock(case: Case) -> dict[str, object]:
    """The unit's clocks and handler as they stand, kept on the return so an overruled return restores them."""
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {"assignee_id": case.assignee_id, "dispatched_at": moment(case.dispatched_at),
            "sign_due_at": moment(case.sign_due_at), "signed_at": moment(case.signed_at),
            "due_date": case.due_date.isoformat() if case.due_date else None, "due_at": moment(case.due_at),
            "due_hourly": case.due_hourly, "deadline_basis": case.deadline_basis}
