"""Tables of places: areas (districts, street offices) drawn as polygons with their responsible unit, the office's
list of known addresses with their coordinates, where each case happened, and the surges of similar cases."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cases.models import Base, Case, Unit, utcnow


class Area(Base):
    """A district or street office as a GeoJSON (Multi)Polygon in longitude/latitude (WGS 84).

    ``parent_id`` is the smallest other area that holds it (a street office in its district), found on upload."""

    __tablename__ = "area"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="district")  # district / street
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    unit: Mapped[Unit | None] = relationship()


class StreetAddress(Base):
    """One entry of the admin-maintained address list: an address as people write it and where it is.
    ``key`` is the address normalised for matching (``cases.geocode.address_key``)."""

    __tablename__ = "street_address"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), unique=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class CasePlace(Base):
    """Where a case happened: a point, the address it was found from, and the smallest area holding the point.

    ``source``: ``pin`` (web form map), ``open311``, ``address`` (a typed address found in the list) or ``letter``
    (a listed address found in the letter's text)."""

    __tablename__ = "case_place"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True, autoincrement=False)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(300), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    located_at: Mapped[datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship()
    area: Mapped[Area | None] = relationship()


class Surge(Base):
    """A cluster of similar cases in one area within the surge window, alerted once as a major emergency on its
    first case; later similar cases join it instead of raising another alert."""

    __tablename__ = "surge"
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))  # the case the alert is raised on
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_alert.id"))
    case_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    terms: Mapped[str] = mapped_column(Text, default="")
    first_at: Mapped[datetime] = mapped_column()
    last_at: Mapped[datetime] = mapped_column(index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    area: Mapped[Area] = relationship()
