"""Returns and reassignment: the desk disputes a unit's return (退单) and a supervisor rules on it; the desk
recalls a case it sent to the wrong unit and dispatches it again.

An overruled return sends the case back to the unit with the clocks it had when it returned the case: the time
the return took is the unit's (an unfounded return buys no time), and the ruling counts in the unit's figures
(``returns_overruled`` in ``cases.statistics``, read from the ruling's event).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cases import events, parts, texts
from cases.actors import Actor
from cases.policy import Policy
from cases.errors import N_, ValidationError
from cases.models import Case, Event, Unit, User
from cases.services import dispatch
from cases.steps import feedback_deadline, move_clock, require_text, step
from cases.workflow import Action, Status, check

DISPUTED_EVENT, UPHELD_EVENT, OVERRULED_EVENT = (Action.DISPUTE_RETURN.value, Action.UPHOLD_RETURN.value,
                                                 Action.OVERRULE_RETURN.value)


def last_return(session: Session, case: Case) -> Event | None:
    """The unit's latest return of ``case`` (the one a dispute is about)."""
    return session.scalar(select(Event).where(Event.case_id == case.id, Event.action == Action.RETURN.value)
                          .order_by(Event.id.desc()).limit(1))


def dispute_return(session: Session, policy: Policy, case: Case, actor: Actor, reason: str) -> None:
    """The desk holds that the returned case is the unit's after all; a supervisor rules on it."""
    reason = require_text(reason, N_("A reason for the dispute is required."))
    returned = last_return(session, case)
    if returned is None or not (returned.data or {}).get("unit_id"):
        raise ValidationError(N_("This case was not returned by a unit: dispatch it instead."))
    step(session, case, actor, Action.DISPUTE_RETURN, note=reason,
          data={"unit_id": returned.data["unit_id"], "return_event": returned.id})


def rule_on_dispute(session: Session, policy: Policy, case: Case, actor: Actor, *, upheld: bool,
                    note: str) -> None:
    """A supervisor rules on a disputed return.

    Upheld: the unit was right; the case stays with the desk, whose dispatch clock starts again. Overruled: the
    case goes back to the unit (and the handler it had), with the sign-for and feedback deadlines it had when it
    returned the case."""
    note = require_text(note, N_("A reason for the ruling is required."))
    returned = last_return(session, case)
    held = dict(returned.data or {}) if returned is not None else {}
    unit = session.get(Unit, held.get("unit_id") or 0)
    if upheld:
        step(session, case, actor, Action.UPHOLD_RETURN, note=note, data={"unit_id": held.get("unit_id")})
        move_clock(session, case, actor, policy.calendar.add_working_days(policy.today(), policy.dispatch_days),
                    texts.text(N_("return upheld: dispatch again within %(days)s working days"),
                               days=policy.dispatch_days), policy)
        return
    if unit is None or not unit.active:
        raise ValidationError(N_("The unit that returned this case is no longer active: uphold the return and "
                              "dispatch the case to another unit."))
    step(session, case, actor, Action.OVERRULE_RETURN, note=note, data={"unit_id": unit.id})
    case.unit_id, case.unit = unit.id, unit
    handler = session.get(User, held.get("assignee_id") or 0)
    case.assignee_id = handler.id if handler is not None and handler.active and handler.unit_id == unit.id \
        else None
    case.dispatched_at = _moment(held.get("dispatched_at")) or policy.now()
    case.sign_due_at, case.signed_at = _moment(held.get("sign_due_at")), _moment(held.get("signed_at"))
    if held.get("due_date"):
        _restore_clock(session, case, actor, held, unit)
    else:
        move_clock(session, case, actor, None,
                   texts.text(N_("return overruled: back to %(unit)s"), unit=texts.unit(unit.name)),
                    deadline=feedback_deadline(policy, case, policy.now()))


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _restore_clock(session: Session, case: Case, actor: Actor, held: dict, unit: Unit) -> None:
    old = case.due_date
    case.due_date = date.fromisoformat(str(held["due_date"]))
    case.due_at, case.due_hourly = _moment(held.get("due_at")), bool(held.get("due_hourly"))
    case.deadline_basis = str(held.get("deadline_basis") or "")
    why = texts.text(N_("return overruled: back to %(unit)s with the deadline it had when it returned the case"),
                     unit=texts.unit(unit.name))
    events.record(session, case, actor, "deadline", note=texts.english(why),
                  data={"from": old.isoformat() if old else None, "to": case.due_date.isoformat(),
                        "at": case.due_at.isoformat() if case.due_at else None, "basis": case.deadline_basis,
                        "note_texts": [why]})


@dataclass(frozen=True)
class Dispute:
    """A disputed return waiting for a supervisor's ruling, with both sides' reasons."""

    case: Case
    unit: Unit | None
    returned_at: datetime | None
    return_reason: str
    disputed_at: datetime
    disputed_by: str
    dispute_reason: str


def awaiting_ruling(session: Session) -> list[Dispute]:
    """Every disputed return not ruled on yet, oldest dispute first."""
    cases: Sequence[Case] = session.scalars(select(Case).where(Case.status == Status.DISPUTED)
                                            .options(selectinload(Case.events))).all()
    out = []
    for case in cases:
        disputed = next((e for e in reversed(case.events) if e.action == DISPUTED_EVENT), None)
        returned = next((e for e in reversed(case.events) if e.action == Action.RETURN.value), None)
        if disputed is None:
            continue
        out.append(Dispute(case=case, unit=session.get(Unit, (disputed.data or {}).get("unit_id") or 0),
                           returned_at=returned.at if returned else None,
                           return_reason=returned.note if returned else "", disputed_at=disputed.at,
                           disputed_by=str((disputed.data or {}).get("actor", "")), dispute_reason=disputed.note))
    return sorted(out, key=lambda d: d.disputed_at)


def recall(session: Session, policy: Policy, case: Case, actor: Actor, reason: str) -> None:
    """The desk takes back a case it sent to the wrong unit, before the unit gave feedback; the unit (and its
    handler) lose the case at once, and the desk's dispatch clock starts again."""
    reason = require_text(reason, N_("A reason for the recall is required."))
    check(case.status, Action.RECALL, actor.role)
    if any(f.unit_id == case.unit_id for f in case.feedback):
        raise ValidationError(N_("The unit has already given feedback on this case: it can no longer be recalled."))
    unit_id = case.unit_id
    step(session, case, actor, Action.RECALL, note=reason, data={"unit_id": unit_id})
    case.unit_id = case.assignee_id = None
    parts.withdraw_all(session, case)  # co-handling and sub-units lose the case with its lead
    case.sign_due_at = case.signed_at = case.dispatched_at = None
    case.extension_requested_days = None
    move_clock(session, case, actor, policy.calendar.add_working_days(policy.today(), policy.dispatch_days),
                texts.text(N_("recalled from the unit: dispatch again within %(days)s working days"),
                           days=policy.dispatch_days), policy)


def redispatch(session: Session, policy: Policy, case: Case, actor: Actor, reason: str, unit_id: int | None,
               note: str = "") -> None:
    """Recall the case and, when ``unit_id`` is given, dispatch it to that unit at once (two events: the recall
    with its reason, then the dispatch with ``note``, the instructions for the new unit)."""
    if unit_id is not None and unit_id == case.unit_id:
        raise ValidationError(N_("Choose another unit: the case is with this one already."))
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None or not unit.active:
            raise ValidationError(N_("Choose an active unit."))
    recall(session, policy, case, actor, reason)
    if unit_id is not None:
        dispatch(session, policy, case, actor, unit_id, note)
