"""Reading cases as a given user may see them: unit handlers are confined to their unit in every query."""
from __future__ import annotations

import hmac

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import CTE, BindParameter, ColumnElement, Select, bindparam, select
from sqlalchemy.orm import Session, selectinload

from cases import keyset
from cases.actors import Actor
from cases.errors import N_, NotFound
from cases.models import Attachment, Case, Category, QuarantineItem, Unit
from cases.models_levels import Assignment
from cases.numbering import normalise_tracking_code
from cases.workflow import DESK_CLOCK, ON_A_CLOCK, UNIT_CLOCK, Status

STAFF_ROLES = frozenset({"clerk", "supervisor", "admin"})


def unit_subtree(unit_id: int) -> CTE:
    """The unit ``unit_id`` and every unit below it, at any depth (a recursive query; UNION stops at a loop)."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("unit_subtree", recursive=True)
    return tree.union(select(Unit.id).where(Unit.parent_id == tree.c.id))


def scoped(session: Session, actor: Actor, stmt: Select | None = None) -> Select:
    """``SELECT Case`` narrowed to what ``actor`` may see; the one place the unit rule lives.

    A unit sees the cases it leads or holds a part of (passed down to it, or co-handled), and those of every
    unit below it; never a case only a unit above it or beside it holds. The units of the subtree and the cases
    held through their parts are looked up first and written into the query as values: with values both
    databases read the case table through its unit and primary-key indexes, where a subquery made SQLite walk
    every case newest first and test each one."""
    return _seen_by(scope_branches(session, actor), stmt if stmt is not None else select(Case))


def _seen_by(branches: list[keyset.Branch] | None, stmt: Select) -> Select:
    return stmt if branches is None else stmt.where(keyset.any_of(branches))


def scope_branches(session: Session, actor: Actor) -> list[keyset.Branch] | None:
    """What ``actor`` may see as conditions whose union it is (None: every case): the units of a unit handler's
    subtree, each served by the unit's index in time order, and the cases held through parts (a list of ids,
    read by primary key)."""
    if actor.role in STAFF_ROLES:
        return None
    if actor.role != "unit" or actor.unit_id is None:
        return []
    units = visible_unit_ids(session, actor)
    parts = _part_cases(session, units)
    return ([keyset.Each(Case.unit_id.in_(_values(units)), tuple(Case.unit_id == unit for unit in units))]
            if units else []) + ([keyset.Listed(Case.id.in_(_values(parts)))] if parts else [])


def _held_branches(actor: Actor, flt: CaseFilter) -> list[keyset.Branch] | None:
    """A unit's own share of its cases (``flt.holding``) as the one branch its page reads: the cases it leads (in
    each of the filter's statuses, a range of ``(unit_id, status, received_at)``), or those it holds a part of in
    a role (sub, co), from its parts by unit and role. Either is inside what the unit rule lets it see (its own
    unit is in its subtree), so the page reads only those instead of every unit and part of the subtree with the
    share as a filter, which walked each unit's cases past every one not held that way. None: not such a share."""
    if actor.unit_id is None or flt.holding not in ("lead", "sub", "co"):
        return None
    if actor.role not in STAFF_ROLES and actor.role != "unit":
        return []
    mine = Case.unit_id == actor.unit_id
    if flt.holding == "lead" and flt.statuses:
        return [keyset.Each(mine & Case.status.in_(flt.statuses),
                            tuple(mine & (Case.status == status) for status in dict.fromkeys(flt.statuses)))]
    if flt.holding == "lead":
        return [mine]
    return [keyset.Listed(_holding(actor.unit_id, flt.holding))]


def _values(values: list[int]) -> BindParameter[Any]:
    """``values`` for an ``IN``, written into the SQL when it runs (no limit on the number of bound values)."""
    return bindparam(None, values, expanding=True, literal_execute=True)


def _holding(unit_id: int, holding: str) -> ColumnElement[bool]:
    """Cases the unit leads, holds a part of (``sub`` or ``co``), or sees only through the units below it."""
    if holding == "lead":
        return Case.unit_id == unit_id
    own = select(Assignment.case_id).where(Assignment.active, Assignment.unit_id == unit_id)
    if holding in ("sub", "co"):
        return Case.id.in_(own.where(Assignment.role == holding))
    return (Case.unit_id.is_(None) | (Case.unit_id != unit_id)) & Case.id.not_in(own)


def visible_unit_ids(session: Session, actor: Actor) -> list[int]:
    """The units whose led cases a unit handler sees: their own and every unit below it."""
    if actor.unit_id is None:
        return []
    return sorted(session.scalars(select(unit_subtree(actor.unit_id).c.id)))


def part_case_ids(session: Session, actor: Actor) -> list[int]:
    """Cases a unit handler sees through a part (passed down, co-handled) of their unit or a unit below it."""
    return _part_cases(session, visible_unit_ids(session, actor))


def _part_cases(session: Session, units: list[int]) -> list[int]:
    if not units:
        return []
    return sorted(set(session.scalars(select(Assignment.case_id).where(Assignment.active,
                                                                       Assignment.unit_id.in_(_values(units))))))


def get_case(session: Session, actor: Actor, number: str) -> Case:
    """The case ``number`` if ``actor`` may see it; otherwise :class:`NotFound`, exactly as for a missing case."""
    case = session.scalar(scoped(session, actor).where(Case.number == number)
                          .options(selectinload(Case.letters), selectinload(Case.events)))
    if case is None:
        raise NotFound(N_("No such case."))
    return case


def get_attachment(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    attachment = session.scalar(scoped(session, actor, select(Attachment).join(Case))
                                .where(Attachment.id == attachment_id))
    if attachment is None:
        raise NotFound(N_("No such file."))
    return attachment


def track(session: Session, number: str, code: str) -> Case:
    """The citizen's view: number and tracking code must both match; a wrong code looks like an unknown number."""
    case = session.scalar(select(Case).where(Case.number == (number or "").strip()))
    if case is None or not hmac.compare_digest(case.tracking_code, normalise_tracking_code(code)):
        raise NotFound(N_("No case matches this number and tracking code."))
    return case


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[Status, ...] = ()
    unit_id: int | None = None
    overdue_only: bool = False
    text: str = ""
    extension_pending: bool = False
    assignee_id: int | None = None  # only the cases given to this handler
    unassigned: bool = False  # only the cases given to no handler
    holding: str = ""  # a unit's share: lead / sub (passed down to it) / co (co-handling) / below (its sub-units')


def _filtered(seen: list[keyset.Branch] | None, actor: Actor, flt: CaseFilter, today: date) -> Select:
    """The cases matching ``flt`` of those ``actor`` may see (``seen``: their ``scope_branches``)."""
    stmt = _seen_by(seen, select(Case))
    if flt.statuses:
        stmt = stmt.where(Case.status.in_(flt.statuses))
    if flt.unit_id is not None:
        stmt = stmt.where(Case.unit_id == flt.unit_id)
    if flt.overdue_only:
        # Written out as the partial index of the cases on a clock has it (see cases.models_lists).
        stmt = stmt.where(Case.status.in_(bindparam(None, list(ON_A_CLOCK), expanding=True, literal_execute=True)),
                          Case.due_date < today)
    if flt.assignee_id is not None:
        stmt = stmt.where(Case.assignee_id == flt.assignee_id)
    if flt.unassigned:
        stmt = stmt.where(Case.assignee_id.is_(None))
    if flt.holding and actor.unit_id is not None:
        stmt = stmt.where(_holding(actor.unit_id, flt.holding))
    if flt.extension_pending:
        stmt = stmt.where(Case.extension_requested_days.is_not(None))
    if flt.text:
        like = f"%{flt.text.strip()}%"
        stmt = stmt.where(Case.subject.ilike(like) | Case.number.ilike(like))
    return stmt


def case_page(session: Session, actor: Actor, flt: CaseFilter, *, today: date, cursor: str | None = None,
              per_page: int = 50) -> keyset.Page[Case]:
    """The page of ``actor``'s cases (newest first) after ``cursor`` (a keyset cursor; None: the first page)."""
    # The scope is applied by the page, one branch per unit (None: every case); a unit's own share of it (its
    # led cases, its parts of a role) is read as its one branch.
    held = _held_branches(actor, flt)
    # A unit's own cases carry their statuses in their branch: a second condition on the status would let SQLite
    # read the index by it, several statuses at once, and sort them.
    rest = flt if held is None else replace(flt, holding="", statuses=() if flt.holding == "lead" else flt.statuses)
    stmt = _filtered(None, actor, rest, today)
    stmt = stmt.options(selectinload(Case.unit), selectinload(Case.category), selectinload(Case.assignee))
    return keyset.page(session, stmt, Case.received_at, Case.id, cursor, per_page,
                       branches=scope_branches(session, actor) if held is None else held)


def list_cases(session: Session, actor: Actor, flt: CaseFilter, *, today: date,
               per_page: int = 50) -> tuple[Sequence[Case], int]:
    """The newest ``per_page`` cases for ``actor`` and how many match (counted up to ``keyset.COUNT_CAP``)."""
    first = case_page(session, actor, flt, today=today, per_page=per_page)
    return first.rows, first.count


EXPORT_COLUMNS = ("number", "received_at", "kind", "channel", "category", "unit", "status", "due_date", "subject")


def export_rows(session: Session, actor: Actor, flt: CaseFilter, *, today: date,
                batch: int = 1000) -> Iterator[tuple[Any, ...]]:
    """Every case of ``actor``'s list as plain values (``EXPORT_COLUMNS``), newest first, read ``batch`` rows at
    a time by keyset: memory stays constant whatever the count."""
    stmt = (_filtered(scope_branches(session, actor), actor, flt, today)
            .with_only_columns(Case.id, Case.number, Case.received_at, Case.kind, Case.channel, Category.name,
                               Unit.name, Case.status, Case.due_date, Case.subject)
            .outerjoin(Category, Category.id == Case.category_id).outerjoin(Unit, Unit.id == Case.unit_id)
            .order_by(Case.received_at.desc(), Case.id.desc()).limit(batch))
    after: tuple[datetime, int] | None = None
    while True:
        page = stmt if after is None else stmt.where(*keyset.after_row(Case.received_at, Case.id, after))
        rows = session.execute(page).all()
        for row in rows:
            yield tuple(getattr(v, "value", v) for v in row[1:])
        if len(rows) < batch:
            return
        after = (rows[-1].received_at, rows[-1].id)


def is_overdue(case: Case, today: date, now: datetime | None = None) -> bool:
    """Past its deadline on an open clock: to the minute when ``now`` is given (hour deadlines), else by the day."""
    if case.due_date is None or case.status not in DESK_CLOCK | UNIT_CLOCK:
        return False
    if now is not None and case.due_at is not None:
        return now > case.due_at
    return case.due_date < today


def quarantine_items(session: Session, include_resolved: bool = False) -> Sequence[QuarantineItem]:
    stmt = select(QuarantineItem).order_by(QuarantineItem.id.desc())
    if not include_resolved:
        stmt = stmt.where(QuarantineItem.resolved_at.is_(None))
    return session.scalars(stmt).all()
