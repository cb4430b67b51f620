"""Where a case happened: placing new cases from their drafts (a point given, an address typed, or a listed
address named in the letter), the area the point falls in, and the area's unit for dispatch."""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import cache
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cases import geocode
from cases.areas import AreaIndex
from cases.drafts import LetterDraft
from cases.models import Case, Unit
from cases.models_places import Area, CasePlace, StreetAddress

BLUR_DECIMALS = 3  # ~100 m
_cache_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {}


def _cached(session: Session, name: str, token: tuple[Any, ...], load: Callable[[Session], Any]) -> Any:
    """What ``load`` builds, kept per database and rebuilt only when ``token`` (a cheap summary of the rows it
    reads) changes: the areas' polygons and the address list are read once per change, not once per case."""
    key = (str(session.get_bind().url), name)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == token:
            return cached[1]
    value = load(session)
    with _cache_lock:
        _cache[key] = (token, value)
    return value


@cache
def _areas_token() -> Select:
    return select(func.count(Area.id), func.max(Area.id), func.max(Area.updated_at))


@cache
def _addresses_token() -> Select:
    # Built once: every new case (every letter) runs it.
    return select(func.count(StreetAddress.id), func.max(StreetAddress.id), func.sum(StreetAddress.lat),
                  func.sum(StreetAddress.lon))


def area_index(session: Session) -> AreaIndex:
    """The areas as an ``AreaIndex`` (rebuilt when an area was added, changed or removed)."""
    token = tuple(session.connection().execute(_areas_token()).one())
    return _cached(session, "areas", token, AreaIndex.load)


def address_book(session: Session) -> geocode.AddressBook:
    """The address list as an ``AddressBook`` (rebuilt when an address was added or moved)."""
    token = tuple(session.connection().execute(_addresses_token()).one())
    return _cached(session, "addresses", token, geocode.AddressBook.load)


def _located(book: geocode.AddressBook, draft: LetterDraft) -> tuple[float, float, str, str] | None:
    place = draft.place
    if place is not None and place.lat is not None and place.lon is not None:
        return place.lat, place.lon, place.address[:300], place.source
    if place is not None and place.address:
        found = book.match(place.address)
        if found is not None:
            return found.lat, found.lon, found.address, "address"
    found = book.find_in(f"{draft.subject}\n{draft.body}") if book else None
    if found is not None:
        return found.lat, found.lon, found.address, "letter"
    return None


def place_rows(session: Session, entries: Sequence[tuple[int, LetterDraft]]) -> list[dict[str, Any]]:
    """``case_place`` rows for new cases: each draft's point, else its typed address matched in the list, else a
    listed address written in the letter; the area is the smallest one holding the point."""
    book = address_book(session)
    found = [(case_id, _located(book, draft)) for case_id, draft in entries]
    if not any(spot for _, spot in found):
        return []
    index = area_index(session)
    now = datetime.now(timezone.utc)
    return [{"case_id": case_id, "lat": lat, "lon": lon, "address": address, "source": source,
             "area_id": index.locate(lat, lon), "located_at": now}
            for case_id, spot in found if spot for lat, lon, address, source in [spot]]


def place_of(session: Session, case_id: int) -> CasePlace | None:
    return session.get(CasePlace, case_id)


def blur_place(session: Session, case_id: int, clean: Callable[[str], str]) -> None:
    """On erasure of the citizen's data: a point the citizen gave (a pin, an Open311 point) is rounded to about
    100 m (it may mark a home) and an address they wrote is passed through ``clean`` (redaction); a listed address
    is the office's own and stays, and so does the area (the statistics)."""
    place = session.get(CasePlace, case_id)
    if place is None:
        return
    if place.source in ("pin", "open311"):
        place.lat, place.lon = round(place.lat, BLUR_DECIMALS), round(place.lon, BLUR_DECIMALS)
    if place.source == "open311":
        place.address = clean(place.address)[:300]


def describe_place(session: Session, case_id: int) -> str:
    """The case's place in words for staff: area, address and point ("" when it has none)."""
    place = session.get(CasePlace, case_id)
    if place is None:
        return ""
    parts = [place.area.name if place.area else "", place.address, f"({place.lat:.5f}, {place.lon:.5f})"]
    return " · ".join(p for p in parts if p)


def area_unit(session: Session, case: Case) -> tuple[Area, Unit] | None:
    """The area the case happened in and the unit responsible for it: the area's own unit, else the nearest
    enclosing area's (a street office without a unit of its own falls to its district's)."""
    place = session.get(CasePlace, case.id)
    area = place.area if place is not None else None
    seen: set[int] = set()
    while area is not None and area.id not in seen:
        seen.add(area.id)
        if area.unit is not None and area.unit.active:
            return area, area.unit
        area = session.get(Area, area.parent_id) if area.parent_id else None
    return None
