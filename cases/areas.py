"""Areas (districts, street offices) as polygons: reading an admin's GeoJSON upload with clear errors, saving it,
and finding the area a point falls in with shapely (an STRtree of the areas' boxes, then prepared polygons)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.strtree import STRtree
from shapely.validation import explain_validity
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.errors import N_, ValidationError
from cases.models import Unit
from cases.models_places import Area

KINDS = ("district", "street")
MAX_AREAS = 2000
MAX_VERTICES = 200_000


class GeoJSONError(ValidationError):
    """An upload that is not a usable FeatureCollection of areas; the message says which feature and why."""


@dataclass(frozen=True)
class AreaDraft:
    """One area read from an upload, checked but not yet saved."""

    name: str
    kind: str
    unit_name: str
    geometry: dict[str, Any]


def _feature_error(index: int, name: str, problem: str, **params: object) -> GeoJSONError:
    """``problem`` (a message naming ``%(feature)s``) about the feature at ``index`` called ``name``."""
    return GeoJSONError(problem, feature=f"{index + 1}" + (f" ({name})" if name else ""), **params)


def _geometry(raw: Any, index: int, name: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        raise _feature_error(index, name, N_("Feature %(feature)s: the geometry must be a Polygon or MultiPolygon."))
    try:
        geom = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise _feature_error(index, name, N_("Feature %(feature)s: the coordinates cannot be read (%(detail)s)."),
                             detail=str(exc)) from exc
    if geom.is_empty:
        raise _feature_error(index, name, N_("Feature %(feature)s: the polygon is empty."))
    lon_min, lat_min, lon_max, lat_max = geom.bounds
    if lon_min < -180 or lon_max > 180 or lat_min < -90 or lat_max > 90:
        raise _feature_error(index, name, N_("Feature %(feature)s: coordinates must be longitude, latitude (WGS 84) "
                                             "within range."))
    if not geom.is_valid:
        raise _feature_error(index, name, N_("Feature %(feature)s: the polygon is not valid: %(detail)s."),
                             detail=explain_validity(geom))
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise _feature_error(index, name, N_("Feature %(feature)s: more than %(points)s points."), points=MAX_VERTICES)
    return mapping(geom)  # type: ignore[return-value]


def parse_areas(text: str | bytes) -> list[AreaDraft]:
    """Read a GeoJSON FeatureCollection (or one Feature) of areas. Each feature needs a Polygon or MultiPolygon
    in longitude/latitude and the properties ``name``, ``kind`` (district or street, default district) and
    ``unit`` (the responsible unit's name, may be empty). Raises ``GeoJSONError`` naming the first problem."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise GeoJSONError(N_("This is not JSON: %(detail)s."), detail=str(exc)) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise GeoJSONError(N_("Expected a GeoJSON FeatureCollection."))
    features = data["features"]
    if not features:
        raise GeoJSONError(N_("The FeatureCollection has no features."))
    if len(features) > MAX_AREAS:
        raise GeoJSONError(N_("At most %(areas)s areas in one upload."), areas=MAX_AREAS)
    drafts, seen = [], set()
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise _feature_error(index, "", N_("Feature %(feature)s: not a GeoJSON Feature."))
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise _feature_error(index, "", N_("Feature %(feature)s: properties must be an object."))
        name = str(props.get("name") or "").strip()
        if not name:
            raise _feature_error(index, "", N_("Feature %(feature)s: the property 'name' is missing."))
        if len(name) > 200:
            raise _feature_error(index, name[:40], N_("Feature %(feature)s: the name is longer than 200 characters."))
        if name in seen:
            raise _feature_error(index, name, N_("Feature %(feature)s: another feature has the same name."))
        seen.add(name)
        kind = str(props.get("kind") or "district").strip().lower()
        if kind not in KINDS:
            raise _feature_error(index, name, N_("Feature %(feature)s: the property 'kind' must be district or "
                                                 "street."))
        drafts.append(AreaDraft(name, kind, str(props.get("unit") or "").strip(),
                                _geometry(feature.get("geometry"), index, name)))
    return drafts


def save_areas(session: Session, drafts: list[AreaDraft]) -> list[Area]:
    """Add the drafts, replacing areas of the same name, and work out which area holds which. Every unit named
    must exist (``GeoJSONError`` otherwise, nothing saved). The caller commits."""
    units = {u.name: u.id for u in session.scalars(select(Unit))}
    missing = sorted({d.unit_name for d in drafts if d.unit_name and d.unit_name not in units})
    if missing:
        raise GeoJSONError(N_("Unknown unit: %(units)s. Add the unit first or fix its name."), units=", ".join(missing))
    existing = {a.name: a for a in session.scalars(select(Area))}
    saved = []
    for draft in drafts:
        area = existing.get(draft.name) or Area(name=draft.name)
        area.kind, area.geometry = draft.kind, draft.geometry
        area.unit_id = units.get(draft.unit_name) if draft.unit_name else None
        session.add(area)
        saved.append(area)
    session.flush()
    _link_parents(list(session.scalars(select(Area))))
    return saved


def _link_parents(areas: list[Area]) -> None:
    """Each area's parent: the smallest other area holding most of it (its representative point)."""
    shapes = [shape(a.geometry) for a in areas]
    for area, geom in zip(areas, shapes):
        inside = geom.representative_point()
        holders = [(other_geom.area, other.id) for other, other_geom in zip(areas, shapes)
                   if other.id != area.id and other_geom.area > geom.area and other_geom.contains(inside)]
        area.parent_id = min(holders)[1] if holders else None


def delete_area(session: Session, area: Area) -> None:
    """Remove an area; cases placed in it keep their point and lose the area. The caller commits."""
    from sqlalchemy import update

    from cases.models_places import CasePlace

    session.execute(update(CasePlace).where(CasePlace.area_id == area.id).values(area_id=None))
    session.execute(update(Area).where(Area.parent_id == area.id).values(parent_id=area.parent_id))
    session.delete(area)


class AreaIndex:
    """The areas in memory for point-in-area: an STRtree narrows to the areas whose box holds the point, prepared
    polygons decide, and the smallest area holding it wins (a street office before its district)."""

    def __init__(self, areas: list[tuple[int, dict[str, Any]]]) -> None:
        self.ids = [area_id for area_id, _ in areas]
        self.shapes: list[Polygon | MultiPolygon] = [shape(geometry) for _, geometry in areas]
        for geom in self.shapes:
            shapely.prepare(geom)
        self.array = numpy.array(self.shapes, dtype=object)
        self.tree = STRtree(self.shapes) if self.shapes else None

    @classmethod
    def load(cls, session: Session) -> AreaIndex:
        return cls([(area_id, geometry) for area_id, geometry in session.execute(select(Area.id, Area.geometry))])

    def locate(self, lat: float, lon: float) -> int | None:
        """The id of the smallest area holding the point (on its border counts), or None."""
        if self.tree is None:
            return None
        point = Point(lon, lat)
        candidates = self.tree.query(point)  # areas whose bounding box holds the point
        if len(candidates) == 0:
            return None
        # The prepared polygon is the predicate's first argument, so shapely uses its prepared form.
        hits = candidates[shapely.intersects(self.array[candidates], point)]
        if len(hits) == 0:
            return None
        best = min(hits, key=lambda i: (self.shapes[i].area, int(i)))  # ties: the first uploaded
        return self.ids[int(best)]
