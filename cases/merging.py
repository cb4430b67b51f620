"""Undoing a merge: for a while after a duplicate was folded into a main case, the desk can take it out again.

The merge itself is ``services.merge``; its event keeps the duplicate's status and deadline from before, so the
undo puts the case back exactly as it was. Both cases' timelines name the other case.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from cases import events, outbox
from cases.actors import Actor
from cases.errors import N_, NotFound, ValidationError
from cases.models import Case, Event
from cases.policy import Policy
from cases.workflow import DESK, Status


def merge_event(case: Case) -> Event | None:
    """The event of the merge that folded ``case`` into its main case (``None`` if it is not merged)."""
    if case.status != Status.MERGED:
        return None
    return next((e for e in reversed(case.events) if e.action == "merge"), None)


def undo_until(case: Case, hours: float) -> datetime | None:
    """Until when the merge of ``case`` can be undone (UTC), or ``None`` when it is not merged or never can be."""
    event = merge_event(case)
    if event is None or hours <= 0:
        return None
    at = event.at if event.at.tzinfo is not None else event.at.replace(tzinfo=timezone.utc)
    return at + timedelta(hours=hours)


def undo_merge(session: Session, policy: Policy, duplicate: Case, actor: Actor, *, undo_hours: float,
               note: str = "") -> Case:
    """Take ``duplicate`` out of its main case again, back to the status and deadline it had; returns the main
    case. Only the desk may, and only within ``undo_hours`` of the merge."""
    if actor.role not in DESK:
        raise NotFound(N_("No such case."))
    event = merge_event(duplicate)
    if event is None or duplicate.merged_into_id is None:
        raise ValidationError(N_("This case is not merged into another case."))
    until = undo_until(duplicate, undo_hours)
    if until is None or policy.now() > until:
        raise ValidationError(N_("The merge can no longer be undone: it is older than %(hours)s hours."),
                              hours=f"{undo_hours:g}")
    main = session.get(Case, duplicate.merged_into_id)
    before = Status(event.from_status or Status.REGISTERED.value)
    duplicate.status, duplicate.merged_into_id = before, None
    due_date, due_at = event.data.get("due_date"), event.data.get("due_at")
    if due_date:
        duplicate.due_date = date.fromisoformat(due_date)
        duplicate.due_at = datetime.fromisoformat(due_at) if due_at else None
    main_number = main.number if main is not None else str(event.data.get("into", ""))
    events.record(session, duplicate, actor, "unmerge", from_status=Status.MERGED.value, to_status=before.value,
                  note=note, data={"from": main_number})
    outbox.enqueue(session, outbox.INDEX_CASE, str(duplicate.id))
    if main is not None:
        events.record(session, main, actor, "unmerged", note=note, data={"duplicate": duplicate.number})
        outbox.enqueue(session, outbox.INDEX_CASE, str(main.id))
    session.flush()
    return main
