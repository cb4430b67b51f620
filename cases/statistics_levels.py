"""Figures for work across units: lead (主办), co-handling (协办) and passed-down (二级派单) work counted apart, and
every case attributed to each level of the unit tree that worked on it.

A case received in the period counts for the unit that leads it and for every unit holding a part of it; and,
through the tree, for every unit above those ("cases at or below"): a street office's case is the district's too.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case, Event, Unit
from cases.models_levels import CO, SUB, WITHDRAWN, Assignment
from cases.statistics import Period


@dataclass(frozen=True)
class LevelRow:
    """One unit's share of the work across units in a period."""

    unit_id: int
    unit: str
    kind: str
    depth: int  # 0: a unit the desk's tree starts from; 1: one below it; ...
    lead: int = 0  # cases it led
    lead_answered: int = 0
    lead_on_time: int = 0
    co_parts: int = 0  # parts it co-handled
    co_answered: int = 0
    co_on_time: int = 0
    sub_parts: int = 0  # parts passed down to it
    sub_answered: int = 0
    sub_on_time: int = 0
    sent_back: int = 0  # of its passed-down parts, times its parent sent one back
    own: int = 0  # distinct cases it led or held a part of
    at_or_below: int = 0  # distinct cases it or any unit below it worked on


def _depths(units: list[Unit]) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Depth of each unit and its chain of ancestors (nearest first); a loop in the tree stops the walk."""
    parent = {u.id: u.parent_id for u in units}
    chains: dict[int, list[int]] = {}
    for uid in parent:
        chain, seen, current = [], {uid}, parent[uid]
        while current is not None and current in parent and current not in seen:
            chain.append(current)
            seen.add(current)
            current = parent[current]
        chains[uid] = chain
    return {uid: len(chain) for uid, chain in chains.items()}, chains


def level_figures(session: Session, period: Period, tz: str) -> tuple[list[LevelRow], dict[int, int]]:
    """Every unit's lead, co-handling and passed-down figures over ``period`` (cases received in it), in tree
    order, and the number of distinct cases worked on at each depth of the tree."""
    start, end = period.instants(tz)
    zone = ZoneInfo(tz)
    units = list(session.scalars(select(Unit).order_by(Unit.name)))
    depth, ancestors = _depths(units)
    in_period = (Case.received_at >= start) & (Case.received_at < end)
    figures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    involved: dict[int, set[int]] = defaultdict(set)  # case -> units that worked on it

    def on_time(moment: datetime | None, due: object) -> bool:
        return moment is not None and due is not None and moment.astimezone(zone).date() <= due

    for case_id, unit_id, answered_at, due in session.execute(
            select(Case.id, Case.unit_id, Case.first_feedback_at, Case.due_at_feedback)
            .where(in_period, Case.unit_id.is_not(None))):
        row = figures[unit_id]
        row["lead"] += 1
        row["lead_answered"] += answered_at is not None
        row["lead_on_time"] += on_time(answered_at, due)
        involved[case_id].add(unit_id)
    for part in session.scalars(select(Assignment).join(Case, Case.id == Assignment.case_id)
                                .where(in_period, Assignment.state != WITHDRAWN)):
        prefix = "co" if part.role == CO else "sub" if part.role == SUB else None
        if prefix is None:
            continue
        row = figures[part.unit_id]
        row[f"{prefix}_parts"] += 1
        row[f"{prefix}_answered"] += part.answered_at is not None
        row[f"{prefix}_on_time"] += on_time(part.answered_at, part.due_date)
        involved[part.case_id].add(part.unit_id)
    for (data,) in session.execute(select(Event.data).join(Case, Case.id == Event.case_id)
                                   .where(in_period, Event.action == "send_back_part")):
        if (data or {}).get("unit_id") is not None:
            figures[int(data["unit_id"])]["sent_back"] += 1
    at_or_below: dict[int, int] = defaultdict(int)
    by_depth: dict[int, int] = defaultdict(int)
    for case_units in involved.values():
        reached = set(case_units)
        for uid in case_units:
            figures[uid]["own"] += 1
            reached.update(ancestors.get(uid, []))
        for uid in reached:
            at_or_below[uid] += 1
        for d in {depth.get(uid, 0) for uid in case_units}:
            by_depth[d] += 1
    rows = [LevelRow(unit_id=u.id, unit=u.name, kind=u.kind, depth=depth[u.id], at_or_below=at_or_below[u.id],
                     **dict(figures.get(u.id, {})))
            for u in _tree_order(units) if u.active or u.id in figures]
    return rows, dict(sorted(by_depth.items()))


def _tree_order(units: list[Unit]) -> list[Unit]:
    """Units depth first: each unit followed by the units below it, by name."""
    children: dict[int | None, list[Unit]] = defaultdict(list)
    ids = {u.id for u in units}
    for u in units:
        children[u.parent_id if u.parent_id in ids else None].append(u)
    ordered: list[Unit] = []
    seen: set[int] = set()

    def walk(parent: int | None) -> None:
        for u in children.get(parent, []):
            if u.id not in seen:
                seen.add(u.id)
                ordered.append(u)
                walk(u.id)

    walk(None)
    return ordered + [u for u in units if u.id not in seen]
