"""Requests pages make in the background (live look-ups, map data, a recording's ranges, static files) never send
the session cookie back: one answered after a form was saved would otherwise put back the cookie it read before
the save, and the save's message would be lost."""
from __future__ import annotations

import io
from http.cookies import SimpleCookie

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Attachment, Case
from tests.conftest import login
from tests.helpers.media import wav
from tests.helpers.web_forms import submit_letter
from web.app_state import state


def session_cookies(app: Flask, response: object) -> list[str]:
    """The session cookie values a response sets."""
    name = app.config["SESSION_COOKIE_NAME"]
    found = []
    for header in response.headers.getlist("Set-Cookie"):  # type: ignore[attr-defined]
        cookie = SimpleCookie(header)
        if name in cookie:
            found.append(cookie[name].value)
    return found


def test_a_look_up_answered_after_a_save_keeps_the_saves_message(app: Flask, client: FlaskClient,
                                                                demo_data: object) -> None:
    name = app.config["SESSION_COOKIE_NAME"]
    login(client, "clerk")
    with state(app).sessions() as session:
        heating = session.scalar(select(Case).where(Case.subject.startswith("Heating"))).number
    client.get("/desk/phone")
    # The clerk's typing starts a caller look-up: it leaves with the cookie the browser has now...
    look_up = app.test_client()
    look_up.set_cookie(name, client.get_cookie(name).value)
    # ...the clerk saves the call meanwhile, and the save's message goes into the session cookie...
    saved = client.post("/desk/phone", data={"caller": "张伟", "phone": "13800000000", "kind": "consultation",
                                             "category": 0, "summary": "Still no heating.", "follow_up": heating})
    assert saved.status_code == 302
    # ...then the look-up is answered, and the browser takes whatever cookie its answer sets.
    answer = look_up.get("/desk/caller", query_string={"phone": "13800000000"})
    assert answer.status_code == 200 and answer.get_json()["cases"]
    for value in session_cookies(app, answer):
        client.set_cookie(name, value)
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert f"Call added to case {heating}." in page


@pytest.fixture()
def recording_url(app: Flask, client: FlaskClient, demo_data: object) -> str:
    number, _ = submit_letter(client, attachments=[(io.BytesIO(wav()), "call.wav")])
    with state(app).sessions() as session:
        attachment = session.scalar(select(Attachment.id).join(Case).where(Case.number == number))
    return f"/cases/{number}/files/{attachment}/play"


def test_background_requests_send_no_session_cookie(app: Flask, recording_url: str) -> None:
    clerk, supervisor = app.test_client(), app.test_client()
    login(clerk, "clerk")
    login(supervisor, "supervisor")
    assert session_cookies(app, clerk.get("/desk/phone"))  # a page does: its idle clock moves on
    background = [
        (clerk, "/desk/suggest?q=bus card"),
        (clerk, "/desk/caller?phone=13800000000"),
        (clerk, recording_url),
        (clerk, "/static/js/desk.js"),
        (clerk, "/places/areas.geojson"),
        (supervisor, "/places/map.json"),
    ]
    for who, url in background:
        response = who.get(url)
        assert response.status_code in (200, 206), url
        assert session_cookies(app, response) == [], url
