"""Reference data an administrator keeps: units and categories."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.errors import N_, NotFound, ValidationError
from cases.models import Category, Unit

UNIT_KINDS = ("department", "district", "county")


def add_unit(session: Session, *, name: str, kind: str = "department", parent_id: int | None = None,
             email: str = "", head_email: str = "") -> Unit:
    name = (name or "").strip()
    if not name:
        raise ValidationError(N_("A unit needs a name."))
    if session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise ValidationError(N_("A unit named %(name)s exists already."), name=name)
    if parent_id is not None and session.get(Unit, parent_id) is None:
        raise ValidationError(N_("Unknown parent unit."))
    unit = Unit(name=name, kind=kind, parent_id=parent_id, email=email, head_email=head_email)
    session.add(unit)
    return unit


def update_unit(session: Session, unit_id: int, *, name: str, kind: str, parent_id: int | None, email: str = "",
                head_email: str = "", name_zh: str = "", name_es: str = "") -> Unit:
    """An administrator's change to a unit: its names, kind, place in the unit tree and addresses."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(N_("No such unit."))
    name = (name or "").strip()
    if not name:
        raise ValidationError(N_("A unit needs a name."))
    if session.scalar(select(Unit.id).where(Unit.name == name, Unit.id != unit_id)) is not None:
        raise ValidationError(N_("A unit named %(name)s exists already."), name=name)
    if kind not in UNIT_KINDS:
        raise ValidationError(N_("Unknown kind of unit."))
    if parent_id is not None:
        parent = session.get(Unit, parent_id)
        if parent is None:
            raise ValidationError(N_("Unknown parent unit."))
        node: Unit | None = parent
        while node is not None:
            if node.id == unit_id:
                raise ValidationError(N_("A unit cannot be placed under itself or one of its own units."))
            node = node.parent
    unit.name, unit.kind, unit.parent_id = name, kind, parent_id
    unit.email, unit.head_email = (email or "").strip(), (head_email or "").strip()
    unit.name_zh, unit.name_es = (name_zh or "").strip()[:200], (name_es or "").strip()[:200]
    session.flush()
    return unit


def add_category(session: Session, name: str) -> Category:
    name = (name or "").strip()
    if not name:
        raise ValidationError(N_("A category needs a name."))
    if session.scalar(select(Category.id).where(Category.name == name)) is not None:
        raise ValidationError(N_("The category %(name)s exists already."), name=name)
    category = Category(name=name)
    session.add(category)
    return category


def toggle_active(session: Session, model: type[Unit] | type[Category], item_id: int) -> None:
    item = session.get(model, item_id)
    if item is None:
        raise NotFound(N_("No such item."))
    item.active = not item.active


def unit_names(session: Session) -> dict[str, str]:
    """``{unit id as text: name}`` for labelling search facets."""
    return {str(uid): name for uid, name in session.execute(select(Unit.id, Unit.name))}
