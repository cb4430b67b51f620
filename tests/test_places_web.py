"""Places through the app: administrators upload areas and addresses (errors next to the field), citizens pin
their letter, the phone form's address is placed, dispatch proposes the area's unit, supervisors filter the case
map, and area hotspots join the dashboard's rising topics."""
from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from cases.models import Case
from cases.models_places import Area, CasePlace
from cases.models_privacy import AccessLog
from tests.conftest import login
from tests.places_fixtures import ADDRESSES_CSV, IN_HARBOUR, city_geojson
from tests.helpers.web_forms import letter_form, submit_letter
from web.app_state import state


def _upload(client: Any, path: str, data: bytes, name: str) -> Any:
    return client.post(path, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def load_city(app: Flask) -> None:
    """Areas and addresses uploaded by the demo administrator, through the pages."""
    admin = app.test_client()
    login(admin, "admin")
    assert _upload(admin, "/places/areas", city_geojson().encode(), "city.geojson").status_code == 302
    assert _upload(admin, "/places/addresses", ADDRESSES_CSV.encode(), "addresses.csv").status_code == 302


def _place(app: Flask, number: str) -> CasePlace | None:
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        place = session.get(CasePlace, case.id)
        if place is not None:
            session.expunge(place)
        return place


def _area_id(app: Flask, name: str) -> int:
    with state(app).sessions() as session:
        return session.scalar(select(Area.id).where(Area.name == name))


def test_admin_uploads_show_errors_next_to_the_field(app: Flask, demo_data: Any) -> None:
    admin = app.test_client()
    login(admin, "admin")
    assert admin.get("/places/areas").status_code == 200
    bad = _upload(admin, "/places/areas", b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
                  b'"properties": {"name": "Bow"}, "geometry": {"type": "Polygon", "coordinates": '
                  b'[[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}}]}', "bow.geojson")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert re.search(r'id="areas-file-error">Feature 1 \(Bow\): the polygon is not valid: Self-intersection', html)
    missing = admin.post("/places/areas", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and 'id="areas-file-error"' in missing.get_data(as_text=True)
    bad_csv = _upload(admin, "/places/addresses", b"address,lat,lon\nElm Street 5,north,1\n", "a.csv")
    assert bad_csv.status_code == 400
    assert 'id="addresses-file-error">Line 2: lat and lon must be numbers' in bad_csv.get_data(as_text=True)
    with state(app).sessions() as session:
        assert session.scalar(select(Area)) is None  # a bad upload saves nothing
    load_city(app)
    page = admin.get("/places/areas").get_data(as_text=True)
    assert "Harbour Street" in page and "Eastern District" in page
    with state(app).sessions() as session:
        logged = session.scalars(select(AccessLog.target).where(AccessLog.action == "admin_places")).all()
        assert "uploaded 3 areas" in logged and "uploaded 3 addresses" in logged
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.get("/places/areas").status_code == 404
    assert _upload(clerk, "/places/areas", city_geojson().encode(), "c.geojson").status_code == 404
    public = app.test_client().get("/places/areas.geojson").get_json()
    assert {f["properties"]["name"] for f in public["features"]} == {"West", "East", "Harbour Street"}
    assert all(set(f["properties"]) == {"name", "kind"} for f in public["features"])  # no units, no counts


def test_a_letter_carries_a_pin_or_an_address(app: Flask, demo_data: Any) -> None:
    load_city(app)
    client = app.test_client()
    form = client.get("/write").get_data(as_text=True)
    assert 'id="pin-map"' in form and 'name="place_lat"' in form and "vendor/leaflet/leaflet.js" in form
    pinned, _code = submit_letter(client, place_lat=str(IN_HARBOUR[0]), place_long=str(IN_HARBOUR[1]))
    place = _place(app, pinned)
    assert (place.source, place.lat, place.area_id) == ("pin", IN_HARBOUR[0], _area_id(app, "Harbour Street"))
    typed, _code = submit_letter(client, place_address="Elm Street 5")
    assert (_place(app, typed).source, _place(app, typed).area_id) == ("address", _area_id(app, "West"))
    plain, _code = submit_letter(client, body="Nothing about where, just a long enough letter.")
    assert _place(app, plain) is None
    half = client.post("/write", data=letter_form(place_lat="31.2"), content_type="multipart/form-data")
    assert half.status_code == 400
    assert 'id="place_long-error">Give both latitude and longitude' in half.get_data(as_text=True)
    far = client.post("/write", data=letter_form(place_lat="95", place_long="121"), content_type="multipart/form-data")
    assert far.status_code == 400 and 'id="place_lat-error"' in far.get_data(as_text=True)


def test_the_phone_form_places_the_call_and_dispatch_proposes_the_area_unit(app: Flask, demo_data: Any) -> None:
    load_city(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    assert 'name="place"' in clerk.get("/desk/phone").get_data(as_text=True)
    saved = clerk.post("/desk/phone", data={"caller": "Li Wei", "phone": "13800000000", "kind": "report",
                                            "category": "0", "place": "北京路 12 号",
                                            "summary": "Water pipe burst outside the shop."})
    assert saved.status_code == 302
    number = saved.headers["Location"].rsplit("/", 1)[1]
    assert _place(app, number).area_id == _area_id(app, "Harbour Street")
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert re.search(r'id="case-place">Harbour Street · 北京路12号', page)
    proposal = re.search(r'id="area-unit">(.*?)</p>', page, re.S).group(1)
    assert "East" in proposal and "Eastern District" in proposal
    # No category routing: the unit list starts at the area's unit.
    units = re.search(r'<select[^>]*id="dispatch-unit".*?</select>', page, re.S).group(0)
    assert re.search(r'<option selected value="\d+">Eastern District</option>', units)


def test_supervisors_filter_the_case_map(app: Flask, demo_data: Any) -> None:
    load_city(app)
    client = app.test_client()
    for _ in range(2):
        submit_letter(client, place_lat=str(IN_HARBOUR[0]), place_long=str(IN_HARBOUR[1]))
    submit_letter(client, place_address="Elm Street 5")
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    page = supervisor.get("/places/map")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="case-map"' in html and "leaflet.markercluster.js" in html
    assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]  # no tile server: no outside images
    counts = dict(re.findall(r'<tr data-area="\d+"><td>([^<]+)</td><td>[^<]*</td><td class="num">(\d+)</td>', html))
    assert counts == {"East": "2", "Harbour Street": "2", "West": "1"}
    data = supervisor.get("/places/map.json").get_json()
    assert len(data["points"]) == 3 and all(p["url"].startswith("/cases/") for p in data["points"])
    assert {f["properties"]["name"]: f["properties"]["count"] for f in data["areas"]["features"]}["East"] == 2
    assert supervisor.get("/places/map.json?status=closed").get_json()["points"] == []
    assert len(supervisor.get("/places/map.json?status=open").get_json()["points"]) == 3
    assert supervisor.get("/places/map.json?start=2001-01-01&end=2001-01-31").get_json()["points"] == []
    assert supervisor.get("/places/map?start=not-a-date").status_code == 200  # the error shown, the default used
    dashboard = supervisor.get("/supervision/").get_data(as_text=True)
    assert "📍 East" in dashboard and "📍 Harbour Street" in dashboard
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.get("/places/map").status_code == 404 and clerk.get("/places/map.json").status_code == 404


def test_a_tile_server_is_allowed_on_map_pages_only(app_factory: Any) -> None:
    app = app_factory(MAP_TILE_URL="https://{s}.tiles.city.example/{z}/{x}/{y}.png")
    client = app.test_client()
    form = client.get("/write")
    assert "https://*.tiles.city.example" in form.headers["Content-Security-Policy"]
    assert 'data-tiles="https://{s}.tiles.city.example/{z}/{x}/{y}.png"' in form.get_data(as_text=True)
    assert "tiles.city.example" not in client.get("/track").headers["Content-Security-Policy"]
