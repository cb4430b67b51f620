"""Reading the parts of a case (cases.models_levels): which level a unit stands on, what is still open.

Shared by passing down (cases.levels), co-handling (cases.cohandling) and the lead's feedback (cases.services)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cases.models import Case
from cases.models_levels import ANSWERED, CO, OPEN, SUB, WITHDRAWN, Assignment


def active_parts(session: Session, case: Case) -> list[Assignment]:
    """The case's active parts, oldest first."""
    return list(session.scalars(select(Assignment).where(Assignment.case_id == case.id, Assignment.active)
                                .options(selectinload(Assignment.unit), selectinload(Assignment.from_unit))
                                .order_by(Assignment.id)))


def all_parts(session: Session, case_ids: Sequence[int]) -> list[Assignment]:
    """Every active part of these cases (for lists)."""
    if not case_ids:
        return []
    return list(session.scalars(select(Assignment).where(Assignment.case_id.in_(list(case_ids)), Assignment.active)
                                .order_by(Assignment.id)))


def part_of(session: Session, case: Case, unit_id: int | None) -> Assignment | None:
    """The active part ``unit_id`` holds on ``case`` (a unit holds at most one), if any."""
    if unit_id is None:
        return None
    return session.scalar(select(Assignment).where(Assignment.case_id == case.id, Assignment.unit_id == unit_id,
                                                   Assignment.active))


def passed_down_from(session: Session, case: Case, parent: Assignment | None, unit_id: int) -> list[Assignment]:
    """The active sub-unit parts given by ``unit_id`` from its level (``parent``: its own part; None: the lead)."""
    stmt = select(Assignment).where(Assignment.case_id == case.id, Assignment.active, Assignment.role == SUB,
                                    Assignment.from_unit_id == unit_id)
    stmt = stmt.where(Assignment.parent_id == parent.id) if parent is not None else stmt.where(
        Assignment.parent_id.is_(None))
    return list(session.scalars(stmt.order_by(Assignment.id)))


def unresolved(parts: Sequence[Assignment]) -> list[Assignment]:
    """Parts not yet settled: still being worked on, or answered and waiting for the parent's review (a sub-unit's)."""
    return [p for p in parts if p.state == OPEN or (p.role == SUB and p.state == ANSWERED)]


def co_parts(session: Session, case: Case) -> list[Assignment]:
    """The case's active co-handling parts."""
    return list(session.scalars(select(Assignment).where(Assignment.case_id == case.id, Assignment.active,
                                                         Assignment.role == CO).order_by(Assignment.id)))


def withdraw_all(session: Session, case: Case) -> list[Assignment]:
    """Void every active part: the case left its units (back to the desk, or dispatched anew)."""
    parts = list(session.scalars(select(Assignment).where(Assignment.case_id == case.id, Assignment.active)))
    for part in parts:
        part.active, part.state = False, WITHDRAWN
    return parts
