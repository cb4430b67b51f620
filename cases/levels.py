"""Passing a case down the unit tree (二级派单) and its answer back up.

A unit that leads a case (or holds a part of it) passes it down to one of its direct sub-units with instructions
and a deadline no later than its own. The sub-unit answers its part to that unit, which accepts it (and then
answers the office, or its own parent, with it or in its own words) or sends it back with a reason. A sub-unit may
in turn pass its part further down. The case's own status does not move; every step is an event on its timeline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import events, outbox
from cases.actors import Actor
from cases.policy import Policy
from cases.errors import N_, NotFound, ValidationError
from cases.models import Case, Unit
from cases.models_levels import ACCEPTED, ANSWERED, OPEN, SUB, Assignment
from cases.parts import active_parts, part_of, passed_down_from, unresolved
from cases.workflow import DESK, Action, Status, check


class DeadlineError(ValidationError):
    """A part's deadline the services refuse; the web form shows it next to the date field. ``limit``: the latest
    date allowed (``None``: the date lay in the past)."""

    def __init__(self, message: str, limit: date | None = None, **params: object) -> None:
        super().__init__(message, **params)
        self.limit = limit


def _text(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message)
    return text


def my_level(session: Session, case: Case, actor: Actor) -> Assignment | None:
    """The actor's own level on the case: ``None`` when their unit leads it, else their unit's active part.

    Raises NotFound when the actor's unit neither leads the case nor holds a part of it (a unit above only
    watches)."""
    if not actor.is_unit or actor.unit_id is None:
        raise NotFound(N_("No such case."))
    if case.unit_id == actor.unit_id:
        return None
    part = part_of(session, case, actor.unit_id)
    if part is None:
        raise NotFound(N_("No such case."))
    return part


def _record(session: Session, case: Case, actor: Actor, action: Action, note: str, data: dict) -> None:
    events.record(session, case, actor, action.value, note=note, data=data)
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))


def sub_units(session: Session, unit_id: int | None) -> list[Unit]:
    """The active direct sub-units of ``unit_id``, by name."""
    if unit_id is None:
        return []
    return list(session.scalars(select(Unit).where(Unit.parent_id == unit_id, Unit.active).order_by(Unit.name)))


def own_deadline(case: Case, level: Assignment | None) -> date | None:
    """The deadline the unit on ``level`` is held to: the case's feedback deadline for the lead, else its part's."""
    return case.due_date if level is None else level.due_date


def pass_down(session: Session, policy: Policy, case: Case, actor: Actor, sub_unit_id: int, instructions: str,
              due: date) -> Assignment:
    """Pass the case (or the actor's part) down to a direct sub-unit, due on ``due`` at the latest."""
    check(case.status, Action.PASS_DOWN, actor.role)
    level = my_level(session, case, actor)
    if level is None and case.status != Status.ACCEPTED:
        raise ValidationError(N_("Sign for the case before passing it down."))
    if level is not None and level.state != OPEN:
        raise ValidationError(N_("Your unit's part is already answered."))
    instructions = _text(instructions, N_("Instructions for the sub-unit are required."))
    sub = session.get(Unit, sub_unit_id) if sub_unit_id else None
    if sub is None or not sub.active or sub.parent_id != actor.unit_id:
        raise ValidationError(N_("Choose one of your unit's sub-units."))
    earlier = part_of(session, case, sub.id)
    if earlier is not None and earlier.role == SUB and earlier.state == ACCEPTED:
        earlier.active = False  # settled in an earlier round (the case was reopened): a new part replaces it
    elif case.unit_id == sub.id or earlier is not None:
        raise ValidationError(N_("%(unit)s already works on this case."), unit=sub.name)
    if unresolved(passed_down_from(session, case, level, actor.unit_id)):
        raise ValidationError(N_("The case is already with one of your sub-units: settle that part first."))
    limit = own_deadline(case, level)
    if due < policy.today():
        raise DeadlineError(N_("The sub-unit's deadline cannot lie in the past."))
    if limit is not None and due > limit:
        raise DeadlineError(N_("The sub-unit's deadline must fall on or before your own, %(day)s."), limit,
                            day=limit.isoformat())
    part = Assignment(case_id=case.id, unit_id=sub.id, role=SUB, from_unit_id=actor.unit_id,
                      parent_id=level.id if level is not None else None, instructions=instructions, due_date=due,
                      created_by_id=actor.user_id, state=OPEN, active=True, answer="", review_note="")
    session.add(part)
    session.flush()
    _record(session, case, actor, Action.PASS_DOWN, instructions,
            {"part": part.id, "unit": sub.name, "unit_id": sub.id, "due": due.isoformat(),
             "from_unit_id": actor.unit_id})
    return part


def answer_part(session: Session, policy: Policy, case: Case, actor: Actor, body: str) -> Assignment:
    """A sub-unit or co-handling unit gives its part to the unit it answers to."""
    check(case.status, Action.ANSWER_PART, actor.role)
    part = my_level(session, case, actor)
    if part is None:
        raise ValidationError(N_("Your unit leads this case: answer the office with feedback."))
    if part.state != OPEN:
        raise ValidationError(N_("Your unit's part is already answered."))
    if unresolved(passed_down_from(session, case, part, actor.unit_id)):
        raise ValidationError(N_("A part you passed down is still open: accept it or wait for it first."))
    body = _text(body, N_("The part's text is required."))
    now = policy.now()
    part.state, part.answer, part.answered_at, part.answered_by_id = ANSWERED, body, now, actor.user_id
    on_time = policy.local_date(now) <= part.due_date
    _record(session, case, actor, Action.ANSWER_PART, body,
            {"part": part.id, "role": part.role, "unit_id": part.unit_id, "unit": part.unit.name,
             "to_unit_id": part.from_unit_id,
             "due": part.due_date.isoformat(), "on_time": on_time})
    return part


def _review_target(session: Session, case: Case, actor: Actor, part_id: int) -> Assignment:
    part = session.get(Assignment, part_id)
    if (part is None or part.case_id != case.id or not part.active or part.role != SUB
            or part.from_unit_id != actor.unit_id):
        raise NotFound(N_("No such part."))
    my_level(session, case, actor)  # the reviewer still works on the case
    if part.state != ANSWERED:
        raise ValidationError(N_("The sub-unit has not answered its part yet."))
    return part


def accept_part(session: Session, policy: Policy, case: Case, actor: Actor, part_id: int,
                note: str = "") -> Assignment:
    """The parent takes its sub-unit's answered part (then answers with it, or in its own words)."""
    check(case.status, Action.ACCEPT_PART, actor.role)
    part = _review_target(session, case, actor, part_id)
    part.state, part.review_note = ACCEPTED, (note or "").strip()[:2000]
    _record(session, case, actor, Action.ACCEPT_PART, part.review_note,
            {"part": part.id, "unit_id": part.unit_id, "unit": part.unit.name})
    return part


def send_back_part(session: Session, policy: Policy, case: Case, actor: Actor, part_id: int,
                   reason: str) -> Assignment:
    """The parent sends the sub-unit's part back to it with a reason; the sub-unit works on it again."""
    check(case.status, Action.SEND_BACK_PART, actor.role)
    reason = _text(reason, N_("A reason for sending the part back is required."))
    part = _review_target(session, case, actor, part_id)
    part.state, part.review_note = OPEN, reason
    _record(session, case, actor, Action.SEND_BACK_PART, reason,
            {"part": part.id, "unit_id": part.unit_id, "unit": part.unit.name})
    return part


@dataclass(frozen=True)
class PartsView:
    """What the case page shows a user about the case's parts, and which part actions they may take."""

    parts: list[Assignment]
    level: Assignment | None  # the user's own part (None: they lead the case, or watch it)
    leads: bool  # the user's unit leads the case
    sub_units: list[Unit]  # where they may pass it down now (empty: they may not)
    own_due: date | None  # the deadline a part passed down now must keep
    can_answer: bool  # they hold an open part they may answer
    reviewable: list[Assignment]  # answered parts of their sub-units waiting for their review
    chaseable: list[Assignment]  # open parts they may chase


def parts_view(session: Session, case: Case, actor: Actor) -> PartsView:
    """The parts of ``case`` and the part actions open to ``actor`` (who already may see the case)."""
    parts = active_parts(session, case)
    desk = actor.role in DESK
    leads = actor.is_unit and actor.unit_id is not None and case.unit_id == actor.unit_id
    level = next((p for p in parts if actor.is_unit and p.unit_id == actor.unit_id), None)
    holds = leads or level is not None
    status_ok = case.status in (Status.DISPATCHED, Status.ACCEPTED)
    sub_units_now: list[Unit] = []
    can_answer = False
    if holds and status_ok:
        mine = None if leads else level
        below = unresolved(passed_down_from(session, case, mine, actor.unit_id))
        open_level = (case.status == Status.ACCEPTED) if leads else level.state == OPEN
        if open_level and not below:
            taken = {p.unit_id for p in parts} | {case.unit_id}
            sub_units_now = [u for u in sub_units(session, actor.unit_id) if u.id not in taken]
        can_answer = not leads and level.state == OPEN and not below
    reviewable = [p for p in parts if holds and p.role == SUB and p.state == ANSWERED
                  and p.from_unit_id == actor.unit_id] if status_ok else []
    chaseable = [p for p in parts if p.state == OPEN and (desk or (holds and p.from_unit_id == actor.unit_id))
                 ] if status_ok else []
    return PartsView(parts=parts, level=level, leads=leads, sub_units=sub_units_now,
                     own_due=own_deadline(case, None if leads else level), can_answer=can_answer,
                     reviewable=reviewable, chaseable=chaseable)


def accepted_answer(session: Session, case: Case) -> str:
    """The latest part the lead accepted from its sub-unit ("" if none): the lead's feedback may use it as it is."""
    accepted = [p for p in passed_down_from(session, case, None, case.unit_id) if p.state == ACCEPTED] \
        if case.unit_id is not None else []
    return accepted[-1].answer if accepted else ""
