"""Places in the domain: GeoJSON areas checked with clear errors, point-in-area, the address list and matching,
cases placed from their drafts, the area's unit for dispatch, and the map's counts (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cases import areas, case_places, geocode, intake, map_data
from cases.drafts import Channel, LetterDraft, PlaceDraft
from cases.models import Case, Unit
from cases.models_places import Area, CasePlace
from cases.statistics import Period
from tests.places_fixtures import (ADDRESSES_CSV, IN_HARBOUR, IN_WEST, OUTSIDE, city_geojson, feature, square)


def _collection(*features: dict[str, Any]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not JSON"),
    ('{"type": "Feature", "properties": {"name": "A"}}', "Feature 1 (A): the geometry must be"),
    ('{"type": "FeatureCollection", "features": []}', "no features"),
    ('[1, 2]', "Expected a GeoJSON FeatureCollection"),
    (_collection(feature("", square(0, 0, 1))), "'name' is missing"),
    (_collection(feature("A", {"type": "Point", "coordinates": [0, 0]})), "Feature 1 (A): the geometry must be"),
    (_collection(feature("A", square(0, 0, 1)), feature("A", square(2, 2, 1))), "Feature 2 (A): another feature"),
    (_collection(feature("Bow", {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]})),
     "Feature 1 (Bow): the polygon is not valid: Self-intersection"),
    (_collection(feature("Far", square(200, 0, 1))), "longitude, latitude"),
    (_collection(feature("Odd", {"type": "Polygon", "coordinates": [[[0, "x"]]]})), "cannot be read"),
    (_collection(feature("K", square(0, 0, 1), kind="village")), "'kind' must be district or street"),
])
def test_bad_geojson_is_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(areas.GeoJSONError) as caught:
        areas.parse_areas(text)
    assert message in str(caught.value)


def test_the_smallest_area_holding_a_point_is_its_area() -> None:
    drafts = areas.parse_areas(city_geojson())
    index = areas.AreaIndex([(i, d.geometry) for i, d in enumerate(drafts, start=1)])
    assert index.locate(*IN_HARBOUR) == 3  # inside Harbour Street, itself inside East
    assert index.locate(31.21, 121.51) == 2
    assert index.locate(*IN_WEST) == 1
    assert index.locate(31.20, 121.45) == 1  # on the border counts
    assert index.locate(*OUTSIDE) is None
    assert areas.AreaIndex([]).locate(*IN_WEST) is None


def test_address_keys_fold_width_case_and_spacing() -> None:
    assert geocode.address_key("北京路 １２ 号") == geocode.address_key("北京路12号")
    assert geocode.address_key("ELM  street, 5") == "elmstreet5"


@pytest.mark.parametrize(("text", "message"), [
    ("street,lat,lon\nx,1,2\n", "address, lat and lon"),
    ("address,lat,lon\n", "no addresses"),
    ("address,lat,lon\nElm Street 5,north,2\n", "Line 2: lat and lon must be numbers"),
    ("address,lat,lon\nElm Street 5,1,2\nMain Street 1,95,2\n", "Line 3: lat or lon is out of range"),
    ("address,lat,lon\n,1,2\n", "Line 2: the address is empty"),
    ("address,lat,lon\n1号,1,2\n", "too short"),
])
def test_bad_address_lists_name_the_line(text: str, message: str) -> None:
    with pytest.raises(geocode.AddressListError) as caught:
        geocode.parse_address_csv(text.encode())
    assert message in str(caught.value)


def _city(session: Any) -> None:
    areas.save_areas(session, areas.parse_areas(city_geojson()))
    geocode.save_addresses(session, geocode.parse_address_csv(ADDRESSES_CSV.encode()))
    session.commit()


def test_areas_are_saved_with_their_units_and_nesting(domain: Any) -> None:
    with domain.sessions() as session:
        _city(session)
        by_name = {a.name: a for a in session.scalars(select(Area))}
        assert by_name["Harbour Street"].parent_id == by_name["East"].id and by_name["East"].parent_id is None
        assert by_name["West"].unit.name == "Western District" and by_name["Harbour Street"].unit is None
        with pytest.raises(areas.GeoJSONError, match="Unknown unit: Nowhere Bureau"):
            areas.save_areas(session, areas.parse_areas(_collection(feature("N", square(0, 0, 1), unit="Nowhere Bureau"))))
        session.rollback()
        # Uploading an area again replaces it (same name), it does not add one.
        areas.save_areas(session, areas.parse_areas(_collection(feature("West", square(121.40, 31.20, 0.05)))))
        session.commit()
        assert session.scalar(select(Area).where(Area.name == "West")).unit_id is None
        assert len(session.scalars(select(Area)).all()) == 3


def test_typed_and_written_addresses_are_found_in_the_list(domain: Any) -> None:
    with domain.sessions() as session:
        _city(session)
        book = geocode.AddressBook.load(session)
        assert book.match("北京路１２号").address == "北京路12号"
        assert book.match("北京路12号东门").address == "北京路12号"  # the listed one inside it
        assert book.match("elm street 5").lat == pytest.approx(31.21)
        assert book.match("Oak Road 9") is None
        found = book.find_in("The lamp outside Elm Street 5 has been dark for a week.")
        assert found.address == "Elm Street 5"  # the longest listed address written there, not "Elm Street"
        assert book.find_in("Nothing about a place here.") is None
        # An address uploaded again gets its new point.
        geocode.save_addresses(session, [("Elm Street 5", 31.3, 121.3)])
        session.commit()
        assert geocode.AddressBook.load(session).match("Elm Street 5").lat == pytest.approx(31.3)


def _open(session: Any, domain: Any, **draft: Any) -> Case:
    base = {"channel": Channel.WEB, "subject": "Street light out", "body": "The street light is out at night."}
    result = intake.receive(session, domain.policy, LetterDraft(**{**base, **draft}))
    session.commit()
    return result.case


def test_new_cases_are_placed_from_pin_address_or_letter(domain: Any) -> None:
    with domain.sessions() as session:
        _city(session)
        pinned = _open(session, domain, place=PlaceDraft(lat=IN_HARBOUR[0], lon=IN_HARBOUR[1], source="pin"))
        typed = _open(session, domain, channel=Channel.PHONE, place=PlaceDraft(address="北京路 12号", source="address"))
        written = _open(session, domain, channel=Channel.EMAIL, body="Rubbish piled up next to Elm Street 5 again.")
        nowhere = _open(session, domain, body="No place mentioned.")
        far = _open(session, domain, place=PlaceDraft(lat=OUTSIDE[0], lon=OUTSIDE[1], source="pin"))
        places = {p.case_id: p for p in session.scalars(select(CasePlace))}
        harbour = session.scalar(select(Area.id).where(Area.name == "Harbour Street"))
        west = session.scalar(select(Area.id).where(Area.name == "West"))
        assert (places[pinned.id].source, places[pinned.id].area_id) == ("pin", harbour)
        assert (places[typed.id].source, places[typed.id].address, places[typed.id].area_id) == (
            "address", "北京路12号", harbour)
        assert (places[written.id].source, places[written.id].area_id) == ("letter", west)
        assert nowhere.id not in places
        assert places[far.id].area_id is None and places[far.id].lat == OUTSIDE[0]
        # Dispatch proposes the area's unit; Harbour Street has none of its own, so its district's.
        area, unit = case_places.area_unit(session, pinned)
        assert (area.name, unit.name) == ("East", "Eastern District")
        assert case_places.area_unit(session, written)[1].name == "Western District"
        assert case_places.area_unit(session, nowhere) is None and case_places.area_unit(session, far) is None
        assert "Harbour Street" in case_places.describe_place(session, pinned.id)


def test_the_map_counts_cases_per_area_with_the_areas_inside(domain: Any) -> None:
    with domain.sessions() as session:
        _city(session)
        for _ in range(3):
            _open(session, domain, place=PlaceDraft(lat=IN_HARBOUR[0], lon=IN_HARBOUR[1]))
        _open(session, domain, place=PlaceDraft(lat=IN_WEST[0], lon=IN_WEST[1]))
        today = domain.policy.today()
        flt = map_data.MapFilter(Period(today - timedelta(days=6), today + timedelta(days=1)))
        counts = {session.get(Area, i).name: n for i, n in map_data.area_counts(session, flt, domain.policy.timezone).items()}
        assert counts == {"Harbour Street": 3, "East": 3, "West": 1}
        assert len(map_data.points(session, flt, domain.policy.timezone)) == 4
        closed = map_data.MapFilter(flt.period, status="closed")
        assert map_data.points(session, closed, domain.policy.timezone) == []
        transport = session.scalar(select(Unit.id))  # any id that is no category of these cases
        assert map_data.area_counts(session, map_data.MapFilter(flt.period, category_id=10_000 + transport),
                                    domain.policy.timezone)[session.scalar(select(Area.id).where(Area.name == "East"))] == 0
        hot = map_data.hotspots(session, flt.period, domain.policy.timezone)
        assert [t.term for t in hot][:2] == ["East", "Harbour Street"] and hot[0].current == 3
        geo = map_data.areas_geojson(session, map_data.area_counts(session, flt, domain.policy.timezone))
        assert {f["properties"]["name"]: f["properties"]["count"] for f in geo["features"]}["East"] == 3


def test_public_requests_list_every_case_with_its_public_place(domain: Any) -> None:
    from cases import public_requests

    with domain.sessions() as session:
        _city(session)
        pinned = _open(session, domain, place=PlaceDraft(lat=31.2612345, lon=121.5612345, source="pin"))
        filed = _open(session, domain, place=PlaceDraft(lat=31.2612345, lon=121.5612345, address="Gate 3",
                                                         source="open311"))
        written = _open(session, domain, channel=Channel.EMAIL, body="Rubbish piled up next to Elm Street 5.")
        spam = _open(session, domain)
        spam.status = public_requests.Status.INVALID
        session.commit()
        listed = {r.case.id: r for r in public_requests.list_requests(session, public_requests.RequestFilter())}
        assert spam.id not in listed and {pinned.id, filed.id, written.id} <= set(listed)
        assert (listed[pinned.id].lat, listed[pinned.id].lon, listed[pinned.id].address) == (31.261, 121.561, "")
        assert (listed[filed.id].lat, listed[filed.id].address) == (31.2612345, "Gate 3")
        assert listed[written.id].address == "Elm Street 5" and listed[written.id].publication is None
        closed = public_requests.list_requests(session, public_requests.RequestFilter(open=False))
        assert pinned.id not in {r.case.id for r in closed}
        one = public_requests.list_requests(session, public_requests.RequestFilter(numbers=[filed.number]))
        assert [r.case.id for r in one] == [filed.id]


def test_erasing_the_citizen_blurs_the_point_they_gave_and_keeps_the_area(domain: Any) -> None:
    from cases.actors import Actor
    from cases.erasure import REQUEST, erase_case

    with domain.sessions() as session:
        _city(session)
        case = _open(session, domain, sender_name="Ana Ruiz", place=PlaceDraft(
            lat=31.2612345, lon=121.5612345, address="outside Ana Ruiz's door, Gate 3", source="open311"))
        listed = _open(session, domain, place=PlaceDraft(address="Elm Street 5", source="address"))
        before = session.get(CasePlace, case.id).area_id
        supervisor = Actor(user_id=None, role="supervisor", name="s")
        erase_case(session, domain.policy.store, case, supervisor, REQUEST)
        erase_case(session, domain.policy.store, listed, supervisor, REQUEST)
        session.commit()
        place = session.get(CasePlace, case.id)
        assert (place.lat, place.lon, place.area_id) == (31.261, 121.561, before)
        assert "Ana Ruiz" not in place.address and "Gate 3" in place.address
        assert session.get(CasePlace, listed.id).address == "Elm Street 5"
