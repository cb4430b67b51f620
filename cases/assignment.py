"""A handler inside the unit: the unit's head gives a case to one of the unit's handlers, and handlers find
their own cases ("mine") among their unit's."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.actors import Actor
from cases.policy import Policy
from cases.errors import N_, NotFound, ValidationError
from cases.models import Case, Role, User
from cases.steps import step
from cases.workflow import Action


def is_unit_head(session: Session, actor: Actor) -> bool:
    """Whether ``actor`` heads their unit (an administrator sets the flag on the account)."""
    if not actor.is_unit or actor.user_id is None or actor.unit_id is None:
        return False
    user = session.get(User, actor.user_id)
    return bool(user is not None and user.active and user.unit_head and user.unit_id == actor.unit_id)


def handlers(session: Session, unit_id: int) -> Sequence[User]:
    """The active handlers of unit ``unit_id`` (its head included), by name."""
    return session.scalars(select(User).where(User.unit_id == unit_id, User.role == Role.UNIT, User.active)
                           .order_by(User.display_name, User.username)).all()


def assign(session: Session, policy: Policy, case: Case, actor: Actor, handler_id: int, note: str = "") -> None:
    """The unit's head gives ``case`` to handler ``handler_id`` of the unit (again, to reassign); logged with
    who had it before."""
    if case.unit_id is None or case.unit_id != actor.unit_id:
        raise NotFound(N_("No such case."))
    if not is_unit_head(session, actor):
        raise ValidationError(N_("Only the head of the unit assigns its cases to handlers."))
    handler = session.get(User, handler_id)
    if handler is None or not handler.active or handler.role != Role.UNIT or handler.unit_id != case.unit_id:
        raise ValidationError(N_("Choose an active handler of this unit."))
    if handler.id == case.assignee_id:
        raise ValidationError(N_("The case is assigned to this handler already."))
    before = session.get(User, case.assignee_id) if case.assignee_id else None
    step(session, case, actor, Action.ASSIGN, note=note.strip(),
          data={"assignee_id": handler.id, "assignee": _name(handler),
                "previous_id": before.id if before else None, "previous": _name(before) if before else None})
    case.assignee_id, case.assignee = handler.id, handler


def _name(user: User) -> str:
    return user.display_name or user.username


def set_unit_head(session: Session, user_id: int, head: bool) -> User:
    """An administrator marks a unit handler as the head of their unit (or no longer)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    if head and (user.role != Role.UNIT or user.unit is None):
        raise ValidationError(N_("Only a unit handler with a unit can head it."))
    user.unit_head = head
    return user
