"""The case desk through the web app: a letter from the public form to a closed case, role by role."""
from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Case
from tests.conftest import category_id, login
from web.app_state import state
from tests.helpers.web_forms import PNG, submit_letter, unit_id


def test_public_letter_to_closed_case(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number, code = submit_letter(client, attachments=[(io.BytesIO(PNG), "photo.png")])
    tracked = client.get(f"/track?number={number}&code={code}")
    assert tracked.status_code == 200 and "received" in tracked.get_data(as_text=True)
    assert tracked.headers["Cache-Control"] == "no-store"

    staff = app.test_client()
    login(staff, "clerk")
    assert number in staff.get("/desk/new").get_data(as_text=True)
    case_page = staff.get(f"/cases/{number}").get_data(as_text=True)
    assert "Ana Ruiz" in case_page and "photo.png" in case_page
    assert staff.post(f"/cases/{number}/register", data={"kind": "report", "category": 0}).status_code == 302
    # No category yet: dispatch is refused next to the field, and the unit list proposes no unit by itself.
    refused = staff.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, "Transport Bureau")})
    assert refused.status_code == 400 and 'id="dispatch-category-error"' in refused.get_data(as_text=True)
    page = staff.get(f"/cases/{number}").get_data(as_text=True)
    units = re.search(r'<select[^>]*id="dispatch-unit".*?</select>', page, re.S).group(0)
    assert '<option selected value="0">' in units
    assert staff.post(f"/cases/{number}/dispatch",
                      data={"unit": unit_id(app, "Transport Bureau"), "note": "please",
                            "category": category_id(app)}).status_code == 302

    unit = app.test_client()
    login(unit, "transport")
    assert number in unit.get("/unit/new").get_data(as_text=True)
    assert unit.post(f"/cases/{number}/accept", data={}).status_code == 302
    assert unit.post(f"/cases/{number}/feedback", data={"body": "Repaired on Monday."},
                     content_type="multipart/form-data").status_code == 302

    reply = staff.get(f"/cases/{number}").get_data(as_text=True)
    assert "Repaired on Monday." in reply
    assert staff.post(f"/cases/{number}/reply", data={"channel": "email", "subject": f"[Case {number}] Pavement",
                                                      "body": "Dear Ana, it is repaired."}).status_code == 302
    page = client.get(f"/track?number={number}&code={code}").get_data(as_text=True)
    assert "Dear Ana, it is repaired." in page and "please" not in page  # internal notes stay internal
    assert client.post("/track/rate", data={"number": number, "code": code,
                                            "satisfaction": "satisfied"}).status_code == 302
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case.status.value == "closed" and case.satisfaction.value == "satisfied"
        assert [e.action for e in case.events][-1] == "close"


def test_phone_call_is_registered_at_once(app: Flask, client: FlaskClient, demo_data: object) -> None:
    login(client, "clerk")
    response = client.post("/desk/phone", data={"caller": "Old Mr Liu", "phone": "138 0000 1111", "kind": "help",
                                                 "category": 0, "summary": "Lift broken in building 7\nHe is 80."})
    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[1]
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case.status.value == "registered" and case.channel.value == "phone"
        assert case.subject == "Lift broken in building 7" and case.citizen.preferred_reply == "phone"


def test_return_reaches_the_desk_with_reason(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number, _code = submit_letter(client)
    staff = app.test_client()
    login(staff, "clerk")
    staff.post(f"/cases/{number}/register", data={"kind": "report", "category": 0})
    staff.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, "Transport Bureau"),
                                                  "category": category_id(app)})
    unit = app.test_client()
    login(unit, "transport")
    missing = unit.post(f"/cases/{number}/return", data={"reason": ""})
    assert missing.status_code == 400 and "This field is required." in missing.get_data(as_text=True)
    assert unit.post(f"/cases/{number}/return", data={"reason": "Pavements are the district's."}).status_code == 302
    desk = staff.get("/desk/to-dispatch").get_data(as_text=True)
    assert number in desk
    assert "Pavements are the district&#39;s." in staff.get(f"/cases/{number}").get_data(as_text=True)
    # The unit lost sight of the case it returned.
    assert unit.get(f"/cases/{number}").status_code == 404


def test_disallowed_transition_is_a_message_not_an_error(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number, _ = submit_letter(client)
    login(client, "clerk")
    response = client.post(f"/cases/{number}/reply", data={"channel": "email", "subject": "x", "body": "y"},
                           follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This action is not possible now: the case is received." in page and "the action" not in page


def test_cli_lists_and_shows_cases_as_json(app: Flask, demo_data: object) -> None:
    import json

    runner = app.test_cli_runner()
    listing = json.loads(runner.invoke(args=["cases", "list", "--json"]).output)
    assert listing["total"] == 4
    number = listing["cases"][0]["number"]
    shown = runner.invoke(args=["cases", "show", number, "--json"])
    detail = json.loads(shown.output)
    assert detail["number"] == number and detail["letters"][0]["body"] and detail["events"][0]["action"] == "received"
    assert runner.invoke(args=["cases", "show", "1900-000001"]).exit_code != 0
    created = runner.invoke(args=["users", "create", "newclerk", "--role", "clerk"],
                            input="a-long-password\na-long-password\n")
    assert created.exit_code == 0, created.output
    assert login(app.test_client(), "newclerk", "a-long-password").status_code == 302
