"""Categories as a tree (交通 → 公交 → 站台设施) with routing: the unit that usually handles a category and the
working days it has to answer, inherited down the tree where a sub-category sets none of its own."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.errors import N_, NotFound, ValidationError
from cases.models import Category, Unit

MAX_DEPTH = 10
SEPARATOR = " → "


@dataclass(frozen=True)
class Routing:
    """Where a case of a category goes by default: ``unit_id`` (``None``: the desk must choose) and
    ``answer_days`` (``None``: the case kind's default)."""

    unit_id: int | None
    answer_days: int | None


def _chain(category: Category) -> list[Category]:
    """``category`` and its ancestors, nearest first."""
    chain, node = [], category
    while node is not None and len(chain) < MAX_DEPTH:
        chain.append(node)
        node = node.parent
    return chain


def routing(category: Category | None) -> Routing:
    """The category's own unit and answer days, or the nearest ancestor's."""
    if category is None:
        return Routing(None, None)
    chain = _chain(category)
    unit = next((c.unit_id for c in chain if c.unit_id is not None), None)
    days = next((c.answer_days for c in chain if c.answer_days is not None), None)
    return Routing(unit, days)


def localized_name(item: Category | Unit, lang: str | None) -> str:
    """The name of a category or unit in ``lang`` (zh, es), else its main name."""
    other = getattr(item, f"name_{lang}", "") if lang in ("zh", "es") else ""
    return other or item.name


def paths(session: Session, lang: str | None = None, *, active_only: bool = True) -> list[tuple[int, str]]:
    """``(id, "parent → child")`` for every category, in tree order (for select lists)."""
    rows = list(session.scalars(select(Category)))
    by_id = {c.id: c for c in rows}
    out = []
    for c in rows:
        if active_only and not c.active:
            continue
        names = [localized_name(n, lang) for n in reversed(_chain(c)) if n.id in by_id]
        out.append((c.id, SEPARATOR.join(names)))
    return sorted(out, key=lambda item: item[1])


def update(session: Session, category_id: int, *, parent_id: int | None, unit_id: int | None,
           answer_days: int | None, name_zh: str = "", name_es: str = "", name: str | None = None) -> Category:
    """An administrator's change to a category's place in the tree, routing and names (``name``: the main name,
    kept when None)."""
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound(N_("No such category."))
    if name is not None:
        name = name.strip()[:100]
        if not name:
            raise ValidationError(N_("A category needs a name."))
        if session.scalar(select(Category.id).where(Category.name == name, Category.id != category_id)) is not None:
            raise ValidationError(N_("The category %(name)s exists already."), name=name)
        category.name = name
    if parent_id is not None:
        parent = session.get(Category, parent_id)
        if parent is None:
            raise ValidationError(N_("Unknown parent category."))
        if any(node.id == category.id for node in _chain(parent)):
            raise ValidationError(N_("A category cannot be placed under itself or its own sub-category."))
        if len(_chain(parent)) >= MAX_DEPTH:
            raise ValidationError(N_("Categories are at most %(levels)s levels deep."), levels=MAX_DEPTH)
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise ValidationError(N_("Unknown unit."))
    if answer_days is not None and not 1 <= answer_days <= 60:
        raise ValidationError(N_("Answer days are between 1 and 60 working days."))
    category.parent_id, category.unit_id, category.answer_days = parent_id, unit_id, answer_days
    category.name_zh, category.name_es = (name_zh or "").strip()[:100], (name_es or "").strip()[:100]
    session.flush()
    session.refresh(category)
    return category
