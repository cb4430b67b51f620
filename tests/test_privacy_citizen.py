"""The citizen's own data: a supervisor or administrator exports everything held about one citizen (JSON and
their files, as a zip) and erases it on request; the cases' statistics stay, and both are in the access log."""
from __future__ import annotations

import io
import json
import zipfile

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases import audit
from cases.models_privacy import AccessLog, CaseErasure
from cases.workflow import Status
from tests.conftest import login
from tests.privacy_cases import case_row, finish, letter_case
from tests.helpers.web_forms import PNG
from web.app_state import state


def _two_cases_of_ana_and_one_of_bo(client: FlaskClient) -> tuple[str, str, str]:
    first = letter_case(client, photo=b"first photo", body="Ana Ruiz here: the pavement is broken.")
    second = letter_case(client, photo=b"second photo", name="A. Ruiz", email="ANA@example.org",
                         subject="Bus stop", body="Again Ana Ruiz, the bus stop has no roof.")
    other = letter_case(client, photo=b"bo's photo", name="Bo Chen", email="bo@example.org")
    return first, second, other


def test_export_holds_every_case_of_the_citizen_with_their_files(app: Flask, client: FlaskClient,
                                                                 demo_data: object) -> None:
    first, second, other = _two_cases_of_ana_and_one_of_bo(client)
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    page = supervisor.get(f"/privacy/citizen/{first}").get_data(as_text=True)
    assert first in page and second in page and other not in page

    response = supervisor.get(f"/privacy/citizen/{second}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    assert [c["number"] for c in data["cases"]] == [first, second]
    assert data["cases"][0]["citizen"]["email"] == "ana@example.org"
    assert data["cases"][1]["letters"][0]["body"] == "Again Ana Ruiz, the bus stop has no roof."
    files = {f["path"]: f for c in data["cases"] for f in c["files"]}
    assert archive.read(next(p for p in files if p.startswith(f"files/{first}/") and p.endswith("photo.png"))
                        ) == PNG + b"first photo"
    originals = [p for p in files if "letter-" in p]
    assert len(originals) == 2 and b"Ana Ruiz" in archive.read(originals[0])  # the web form's post as it came
    with state(app).sessions() as session:
        row = session.scalar(select(AccessLog).where(AccessLog.action == audit.EXPORT_CITIZEN))
        assert row.actor == "Supervisor" and row.case_number == second and row.data["cases"] == [first, second]


def test_erasure_on_request_keeps_the_statistics_and_is_logged(app: Flask, client: FlaskClient,
                                                               demo_data: object) -> None:
    first, second, other = _two_cases_of_ana_and_one_of_bo(client)
    finish(app, first, days_ago=3)
    before = case_row(app, first)
    admin = app.test_client()
    login(admin, "admin")
    refused = admin.post(f"/privacy/citizen/{first}/erase", data={"reason": "Letter of 1 May"})
    assert refused.status_code == 400 and "This field is required." in refused.get_data(as_text=True)
    assert case_row(app, first).citizen is not None  # nothing happened without the confirmation

    done = admin.post(f"/privacy/citizen/{first}/erase", data={"reason": "Letter of 1 May", "confirm": "y"})
    assert done.status_code == 302
    for number in (first, second):
        case = case_row(app, number)
        assert case.citizen is None and case.attachments == [] and case.letters[0].sender_email == ""
        assert "Ruiz" not in case.letters[0].body
    after = case_row(app, first)
    assert (after.status, after.kind, after.received_at, after.satisfaction) == (
        Status.CLOSED, before.kind, before.received_at, before.satisfaction)
    assert case_row(app, other).citizen.name == "Bo Chen"
    assert state(app).policy.store.exists(case_row(app, other).attachments[0].sha256)
    for sha in [a.sha256 for a in before.attachments] + [before.letters[0].raw_sha256]:
        assert not state(app).policy.store.exists(sha)

    with state(app).sessions() as session:
        assert session.get(CaseErasure, after.id).reason == "request"
        rows = session.scalars(select(AccessLog).where(AccessLog.action == audit.ERASE_CITIZEN)).all()
        assert sorted(r.case_number for r in rows) == sorted([first, second])
        assert {r.data["note"] for r in rows} == {"Letter of 1 May"} and {r.actor for r in rows} == {"Admin"}
    page = admin.get(f"/privacy/citizen/{first}").get_data(as_text=True)
    assert "was erased" in page
    again = admin.post(f"/privacy/citizen/{first}/erase", data={"reason": "twice", "confirm": "y"})
    assert again.status_code == 302
    assert "erased already" in admin.get(again.headers["Location"]).get_data(as_text=True)
