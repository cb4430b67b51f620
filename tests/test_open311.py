"""The Open311 GeoReport v2 API: explicit tests, and schemathesis against its own OpenAPI description."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from PIL import Image
from sqlalchemy import select

from cases import demo, disclosure
from cases.models import Attachment, Case, Category, Citizen
from cases.actors import Actor
from cases.workflow import Status
from tests.servers.supervision_app import FastHasher, build_demo_app, module_app  # noqa: F401
from web.app_state import state


MEDIA_LIMIT = 100_000


def _png(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _load(app: Flask) -> str:
    """Demo data (once) and a new API key; returns the key's secret."""
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, FastHasher())
        _key, secret = disclosure.create_api_key(session, "test client")
        session.commit()
    return secret


def _category_id(app: Flask, name: str = "Transport") -> int:
    with state(app).sessions() as session:
        return session.scalar(select(Category.id).where(Category.name == name))


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Flask]:
    """CSRF enforced, as in production: the API must still accept posts."""
    app = build_demo_app(tmp_path_factory.mktemp("open311"), migrated_sqlite, WTF_CSRF_ENABLED=True,
                         OPEN311_RATE_LIMIT="100000 per minute", OPEN311_MEDIA_MAX_BYTES=MEDIA_LIMIT)
    yield app
    state(app).engine.dispose()


@pytest.fixture()
def api(csrf_app: Flask) -> tuple[Flask, str]:
    return csrf_app, _load(csrf_app)


def test_services_in_json_and_xml(api: tuple[Flask, str]) -> None:
    app, _secret = api
    client = app.test_client()
    services = client.get("/open311/v2/services.json").get_json()
    assert {"service_code": str(_category_id(app)), "service_name": "Transport", "description": "Transport",
            "metadata": False, "type": "realtime", "keywords": "", "group": ""} in services
    xml = client.get("/open311/v2/services.xml")
    assert xml.mimetype == "application/xml"
    root = ET.fromstring(xml.data)
    assert root.tag == "services" and "Transport" in [s.findtext("service_name") for s in root]
    assert client.get("/open311/v2/services.csv").status_code == 404


def test_post_needs_a_valid_key_and_is_exempt_from_csrf(api: tuple[Flask, str]) -> None:
    app, secret = api
    client = app.test_client()
    form = {"service_code": str(_category_id(app)), "description": "Pothole on Elm Street, call me 13812345678",
            "first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.org", "lat": "31.2", "long": "121.5"}
    refused = client.post("/open311/v2/requests.json", data=form)
    assert refused.status_code == 403 and refused.get_json()[0]["code"] == 403
    assert client.post("/open311/v2/requests.json", data={**form, "api_key": "wrong"}).status_code == 403
    created = client.post("/open311/v2/requests.json", data={**form, "api_key": secret})
    assert created.status_code == 201, created.data  # no CSRF token needed, CSRF being enforced in this app
    body = created.get_json()[0]
    number, token = body["service_request_id"], body["token"]
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        assert case.channel.value == "web" and case.category.name == "Transport"
        assert session.get(Citizen, case.citizen_id).name == "Ana Ruiz"
    assert client.get(f"/open311/v2/tokens/{token}.json").get_json() == [
        {"service_request_id": number, "token": token}]
    status = client.get(f"/open311/v2/requests/{number}.json").get_json()[0]
    assert status["status"] == "open" and status["description"] == ""
    text = client.get(f"/open311/v2/requests/{number}.xml").get_data(as_text=True)
    for secret_bit in ("Ana", "Ruiz", "13812345678", "ana@example.org"):
        assert secret_bit not in text and secret_bit not in str(status)


def test_service_definition_in_json_and_xml(api: tuple[Flask, str]) -> None:
    app, _secret = api
    client = app.test_client()
    code = str(_category_id(app))
    assert client.get(f"/open311/v2/services/{code}.json").get_json() == {"service_code": code, "attributes": []}
    root = ET.fromstring(client.get(f"/open311/v2/services/{code}.xml").data)
    assert root.tag == "service_definition" and root.findtext("service_code") == code
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0
    for unknown in ("999999", "abc", "1.5"):
        missing = client.get(f"/open311/v2/services/{unknown}.json")
        assert missing.status_code == 404 and missing.get_json()[0]["code"] == 404
    assert client.get(f"/open311/v2/services/{code}.csv").status_code == 404


def _cases(app: Flask) -> int:
    with state(app).sessions() as session:
        return len(session.scalars(select(Case.id)).all())


def test_post_with_a_media_url_and_a_photo(api: tuple[Flask, str]) -> None:
    app, secret = api
    client = app.test_client()
    photo = _png()
    form = {"api_key": secret, "service_code": str(_category_id(app)), "description": "Broken bench in the park",
            "media_url": "https://photos.example.org/bench.jpg?size=large"}
    created = client.post("/open311/v2/requests.json", data={**form, "media": (io.BytesIO(photo), "bench.png")},
                          content_type="multipart/form-data")
    assert created.status_code == 201, created.data
    number = created.get_json()[0]["service_request_id"]
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        [attachment] = session.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
        assert (attachment.content_type, attachment.size, attachment.filename) == ("image/png", len(photo),
                                                                                    "bench.png")
        assert state(app).policy.store.get(attachment.sha256) == photo
        assert "Media: https://photos.example.org/bench.jpg?size=large" in case.letters[0].body
    # Form-encoded, with only the address of the photo.
    plain = client.post("/open311/v2/requests.xml", data=form)
    assert plain.status_code == 201 and ET.fromstring(plain.data).find("request").findtext("token")


@pytest.mark.parametrize(("media", "media_url", "code", "reason"), [
    ((b"GIF89a" + b"\0" * (MEDIA_LIMIT + 1), "big.gif"), None, 413, "larger than"),
    ((b"%PDF-1.7 not a photo", "photo.png"), None, 400, "JPEG, PNG, GIF or WebP"),
    ((b"<svg onload=alert(1)>", "photo.jpg"), None, 400, "JPEG, PNG, GIF or WebP"),
    ((b"GIF89a<script>alert(1)</script>", "photo.gif"), None, 400, "JPEG, PNG, GIF or WebP"),  # does not open
    ((b"", "empty.png"), None, 400, "empty"),
    (None, "javascript:alert(1)", 400, "media_url"),
    (None, "ftp://files.example.org/a.jpg", 400, "media_url"),
    (None, "https://user:secret@photos.example.org/a.jpg", 400, "media_url"),
    (None, "https:///no-host", 400, "media_url"),
])
def test_bad_media_is_refused_and_nothing_is_stored(api: tuple[Flask, str], media: tuple | None,
                                                     media_url: str | None, code: int, reason: str) -> None:
    app, secret = api
    before = _cases(app)
    data: dict = {"api_key": secret, "service_code": str(_category_id(app)), "description": "Graffiti on a wall"}
    if media is not None:
        data["media"] = (io.BytesIO(media[0]), media[1])
    if media_url is not None:
        data["media_url"] = media_url
    response = app.test_client().post("/open311/v2/requests.json", data=data, content_type="multipart/form-data")
    assert response.status_code == code
    error = response.get_json()[0]
    assert error["code"] == code and reason in error["description"]
    assert _cases(app) == before


@pytest.mark.parametrize(("form", "reason"), [
    ({"service_code": "999999", "description": "x"}, "service_code"),
    ({"description": "x"}, "service_code"),
    ({"service_code": "CODE", "description": ""}, "description"),
    ({"service_code": "CODE", "description": "x", "email": "not-an-email"}, "email"),
    ({"service_code": "CODE", "description": "x", "lat": "north"}, "lat"),
    ({"service_code": "CODE", "description": "x", "lat": "91", "long": "0"}, "lat"),
])
def test_bad_posts_are_clear_errors(api: tuple[Flask, str], form: dict, reason: str) -> None:
    app, secret = api
    form = {k: (str(_category_id(app)) if v == "CODE" else v) for k, v in form.items()}
    response = app.test_client().post("/open311/v2/requests.xml", data={**form, "api_key": secret})
    assert response.status_code == 400
    error = ET.fromstring(response.data).find("error")
    assert error.findtext("code") == "400" and reason in error.findtext("description")


def test_every_request_is_listed_with_its_place_and_only_published_text(api: tuple[Flask, str]) -> None:
    """Cases from any way in are listed (status, service, dates); the text appears only once published."""
    app, secret = api
    client = app.test_client()
    with state(app).sessions() as session:
        number = session.scalar(select(Case.number).order_by(Case.id).limit(1))  # a demo case, not posted here
    listed = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").get_json()}
    assert number in listed and listed[number]["requested_datetime"]
    unpublished = [r for r in listed.values() if r["status"] == "open"]
    assert unpublished and all(r["description"] == "" and r["status_notes"] == "" for r in unpublished)
    single = client.get(f"/open311/v2/requests/{number}.json")
    assert single.status_code == 200 and single.get_json()[0]["service_request_id"] == number
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400
    assert client.get("/open311/v2/requests/2026-99999999.json").status_code == 404

    form = {"service_code": str(_category_id(app)), "description": "Broken lamp at the park gate",
            "lat": "31.230416", "long": "121.473701", "address_string": "Park gate, People's Square",
            "api_key": secret}
    created = client.post("/open311/v2/requests.json", data=form).get_json()[0]["service_request_id"]
    mine = client.get(f"/open311/v2/requests/{created}.json").get_json()[0]
    assert (mine["lat"], mine["long"], mine["address"]) == (31.230416, 121.473701, "Park gate, People's Square")
    assert mine["description"] == "" and mine["status"] == "open"
    xml = ET.fromstring(client.get(f"/open311/v2/requests.xml?service_request_id={created}").data)
    assert xml.find("request/lat").text == "31.230416" and xml.find("request/long").text == "121.473701"
    closed_only = client.get("/open311/v2/requests.json?status=closed").get_json()
    assert created not in {r["service_request_id"] for r in closed_only}


def test_a_published_request_shows_its_redacted_text(api: tuple[Flask, str]) -> None:
    app, _secret = api
    client = app.test_client()
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.status == Status.RECEIVED).order_by(Case.id).limit(1))
        case.status, case.consent_to_publish = Status.CLOSED, True
        session.flush()
        disclosure.publish(session, state(app).policy, case, Actor(user_id=None, role="supervisor"),
                           subject=case.subject, letter_text="The bus shelter is broken, call me on 13812345678",
                           reply_text="Repaired.")
        session.commit()
        number = case.number
    row = client.get(f"/open311/v2/requests/{number}.json").get_json()[0]
    assert row["status"] == "closed" and "bus shelter is broken" in row["description"]
    assert "13812345678" not in row["description"] and row["status_notes"] == "Repaired."


def test_rate_limit(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(OPEN311_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [client.get("/open311/v2/services.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/open311/v2/services.json").get_json()[0]["code"] == 429


def test_openapi_document_is_served(api: tuple[Flask, str]) -> None:
    app, _secret = api
    doc = app.test_client().get("/open311/v2/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/open311/v2/requests/{service_request_id}.json" in doc["paths"]


@pytest.fixture()
def open311_schema(module_app: Flask) -> schemathesis.BaseSchema:
    _load(module_app)
    return schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", module_app)


def test_api_conforms_to_its_openapi_description(open311_schema: schemathesis.BaseSchema) -> None:
    """Every operation, with generated inputs, answers as its OpenAPI description says (status, type, body)."""
    operations = [result.ok() for result in open311_schema.get_all_operations()]
    assert len(operations) == 12
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        check()


def test_xml_stays_well_formed_with_control_characters(api: tuple[Flask, str]) -> None:
    """A character XML 1.0 forbids (here a vertical tab) in stored text is dropped, not written into the list."""
    app, _secret = api
    with state(app).sessions() as session:
        session.add(Category(name="Lifts\x0b and\x1f stairs"))
        session.commit()
    try:
        response = app.test_client().get("/open311/v2/services.xml")
        root = ET.fromstring(response.data)
        assert "Lifts and stairs" in [s.findtext("service_name") for s in root]
    finally:
        with state(app).sessions() as session:
            session.execute(Category.__table__.delete().where(Category.name == "Lifts\x0b and\x1f stairs"))
            session.commit()
