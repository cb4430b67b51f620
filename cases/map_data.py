"""What the supervisors' map shows: the placed cases of a period (filtered by category and status) as points, and
how many fall in each area, an area counting the cases of the areas inside it too; and the areas whose counts
rose most against the previous period (hotspots, beside the dashboard's rising topics)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cases.models import Case, Category
from cases.models_places import Area, CasePlace
from cases.statistics import Period
from cases.topics import Topic
from cases.workflow import OPEN_STATUSES, Status

MAX_POINTS = 5000
STATUS_GROUPS = {"open": frozenset(OPEN_STATUSES), "closed": frozenset(Status) - frozenset(OPEN_STATUSES)}


@dataclass(frozen=True)
class MapFilter:
    period: Period
    category_id: int | None = None  # the category and every category under it
    status: str = ""  # "", "open", "closed" or one status value


def _descendants(session: Session, category_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for cid, parent in session.execute(select(Category.id, Category.parent_id)):
        children.setdefault(parent, []).append(cid)
    found, todo = [], [category_id]
    while todo:
        node = todo.pop()
        if node not in found:
            found.append(node)
            todo.extend(children.get(node, []))
    return found


def _filtered(session: Session, stmt: Select[Any], flt: MapFilter, tz: str) -> Select[Any]:
    start, end = flt.period.instants(tz)
    stmt = stmt.where(Case.received_at >= start, Case.received_at < end, Case.status != Status.MERGED)
    if flt.category_id:
        stmt = stmt.where(Case.category_id.in_(_descendants(session, flt.category_id)))
    if flt.status in STATUS_GROUPS:
        stmt = stmt.where(Case.status.in_(list(STATUS_GROUPS[flt.status])))
    elif flt.status:
        stmt = stmt.where(Case.status == Status(flt.status))
    return stmt


def points(session: Session, flt: MapFilter, tz: str, limit: int = MAX_POINTS) -> list[dict[str, Any]]:
    """The placed cases matching ``flt``, newest first: number, subject, status, point."""
    stmt = select(Case.number, Case.subject, Case.status, CasePlace.lat, CasePlace.lon).join(
        CasePlace, CasePlace.case_id == Case.id)
    rows = session.execute(_filtered(session, stmt, flt, tz).order_by(Case.received_at.desc()).limit(limit))
    return [{"number": number, "subject": subject, "status": status.value, "lat": lat, "lon": lon}
            for number, subject, status, lat, lon in rows]


def area_counts(session: Session, flt: MapFilter, tz: str) -> dict[int, int]:
    """Cases per area matching ``flt``; an area counts its own cases and those of the areas inside it."""
    stmt = select(CasePlace.area_id, func.count()).join(Case, Case.id == CasePlace.case_id).where(
        CasePlace.area_id.is_not(None)).group_by(CasePlace.area_id)
    own = dict(session.execute(_filtered(session, stmt, flt, tz)).all())
    parents = dict(session.execute(select(Area.id, Area.parent_id)).all())
    totals: Counter[int] = Counter()
    for area_id, count in own.items():
        node, seen = area_id, set()
        while node is not None and node not in seen:
            seen.add(node)
            totals[node] += count
            node = parents.get(node)
    return {area_id: totals.get(area_id, 0) for area_id in parents}


def areas_geojson(session: Session, counts: dict[int, int] | None = None) -> dict[str, Any]:
    """Every area as a GeoJSON FeatureCollection (name, kind, unit, and ``count`` when counts are given)."""
    features = []
    for area in session.scalars(select(Area).order_by(Area.name)):
        props: dict[str, Any] = {"id": area.id, "name": area.name, "kind": area.kind,
                                 "unit": area.unit.name if area.unit else ""}
        if counts is not None:
            props["count"] = counts.get(area.id, 0)
        features.append({"type": "Feature", "properties": props, "geometry": area.geometry})
    return {"type": "FeatureCollection", "features": features}


def hotspots(session: Session, period: Period, tz: str, *, limit: int = 5, min_count: int = 2) -> list[Topic]:
    """Areas whose cases grew most against the previous period, scaled as rising topics are (``term`` is the
    area's name), so they can stand beside the rising words."""
    now = area_counts(session, MapFilter(period), tz)
    before = area_counts(session, MapFilter(period.previous()), tz)
    names = dict(session.execute(select(Area.id, Area.name)).all())
    out = []
    for area_id, count in now.items():
        if count < min_count:
            continue
        score = round(count - before.get(area_id, 0), 2)
        if score > 0:
            out.append(Topic(names[area_id], count, before.get(area_id, 0), score))
    out.sort(key=lambda t: (-t.score, -t.current, t.term))
    return out[:limit]
