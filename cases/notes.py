"""Internal notes on a case: a thread of staff talk the citizen never sees.

Who sees a note: the office (clerks, supervisors, administrators) always; a unit only the notes written while the
case was with it (``CaseNote.unit_id``), so neither another unit nor a unit the case was recalled from reads them.
Nothing here is published, sent to the citizen or searched.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cases.actors import Actor
from cases.errors import N_, NotFound, ValidationError
from cases.models import Case
from cases.models_work import CaseNote
from cases.queries import STAFF_ROLES

MAX_NOTE = 5000


def _visible(actor: Actor, case: Case) -> Select:
    """The query for the notes of ``case`` that ``actor`` may read."""
    stmt = select(CaseNote).where(CaseNote.case_id == case.id)
    if actor.role in STAFF_ROLES:
        return stmt
    if actor.is_unit and actor.unit_id is not None and case.unit_id == actor.unit_id:
        return stmt.where(CaseNote.unit_id == actor.unit_id)
    return stmt.where(False)


def visible_notes(session: Session, actor: Actor, case: Case) -> Sequence[CaseNote]:
    """The notes of ``case`` that ``actor`` may read, oldest first (the caller has checked ``actor`` sees the
    case)."""
    return session.scalars(_visible(actor, case).order_by(CaseNote.created_at, CaseNote.id)).all()


def add_note(session: Session, case: Case, actor: Actor, body: str, reply_to_id: int | None = None) -> CaseNote:
    """Leave a note on ``case`` (optionally answering note ``reply_to_id``, which ``actor`` must be able to
    read). Units write only on their own cases."""
    if actor.role not in STAFF_ROLES and not (actor.is_unit and actor.unit_id is not None
                                              and case.unit_id == actor.unit_id):
        raise NotFound(N_("No such case."))
    body = (body or "").strip()
    if not body:
        raise ValidationError(N_("A note needs some text."))
    if len(body) > MAX_NOTE:
        raise ValidationError(N_("A note is at most %(chars)s characters."), chars=MAX_NOTE)
    if reply_to_id is not None and session.scalar(_visible(actor, case).where(CaseNote.id == reply_to_id)) is None:
        raise ValidationError(N_("The note you answer is not on this case."))
    note = CaseNote(case=case, author_id=actor.user_id, author_name=actor.name or actor.role, body=body,
                    unit_id=case.unit_id, reply_to_id=reply_to_id)
    session.add(note)
    session.flush()
    return note


@dataclass
class Thread:
    """A note with the answers to it, for showing as a tree."""

    note: CaseNote
    replies: list[Thread] = field(default_factory=list)


def threads(notes: Sequence[CaseNote]) -> list[Thread]:
    """``notes`` as threads: each note under the one it answers (an answer to a note not given stands alone)."""
    nodes = {n.id: Thread(n) for n in notes}
    roots = []
    for n in notes:
        parent = nodes.get(n.reply_to_id) if n.reply_to_id is not None else None
        (parent.replies if parent is not None else roots).append(nodes[n.id])
    return roots


def for_case(session: Session, case_id: int) -> Sequence[CaseNote]:
    """Every note of a case, unscoped (for erasing personal data)."""
    return session.scalars(select(CaseNote).where(CaseNote.case_id == case_id)).all()
