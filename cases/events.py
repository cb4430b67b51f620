"""The event log: every change to a case is one row; the case timeline and the audit trail read the same table."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cases.actors import Actor
from cases.models import Case, Event


def record(session: Session, case: Case, actor: Actor, action: str, *, from_status: str | None = None,
           to_status: str | None = None, note: str = "", internal: bool = True,
           data: dict[str, Any] | None = None) -> Event:
    """Append an event to ``case``'s timeline (committed with the change it describes)."""
    event = Event(case=case, actor_id=actor.user_id, action=action, from_status=from_status, to_status=to_status,
                  note=note, internal=internal, data={"actor": actor.name or actor.role, **(data or {})})
    session.add(event)
    return event
