"""Reference data an administrator keeps: units and categories."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.errors import NotFound, ValidationError
from cases.models import Category, Unit


def add_unit(session: Session, *, name: str, kind: str = "department", parent_id: int | None = None,
             email: str = "", head_email: str = "") -> Unit:
    name = (name or "").strip()
    if not name:
        raise ValidationError("A unit needs a name.")
    if session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise ValidationError(f"A unit named {name} exists already.")
    if parent_id is not None and session.get(Unit, parent_id) is None:
        raise ValidationError("Unknown parent unit.")
    unit = Unit(name=name, kind=kind, parent_id=parent_id, email=email, head_email=head_email)
    session.add(unit)
    return unit


def add_category(session: Session, name: str) -> Category:
    name = (name or "").strip()
    if not name:
        raise ValidationError("A category needs a name.")
    if session.scalar(select(Category.id).where(Category.name == name)) is not None:
        raise ValidationError(f"The category {name} exists already.")
    category = Category(name=name)
    session.add(category)
    return category


def toggle_active(session: Session, model: type[Unit] | type[Category], item_id: int) -> None:
    item = session.get(model, item_id)
    if item is None:
        raise NotFound("No such item.")
    item.active = not item.active


def unit_names(session: Session) -> dict[str, str]:
    """``{unit id as text: name}`` for labelling search facets."""
    return {str(uid): name for uid, name in session.execute(select(Unit.id, Unit.name))}
