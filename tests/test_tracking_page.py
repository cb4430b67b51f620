"""The citizen's tracking page: the answer deadline once a unit has the case ("being registered" before), the
citizen's own letter and files (for the holder of the tracking code only), dates in one format per language, and
a message where there is nothing yet."""
from __future__ import annotations

import io
import re

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Case
from tests.conftest import category_id, login
from tests.helpers.web_forms import PNG, submit_letter, unit_id
from web.app_state import state


def _due(page: str) -> str:
    return re.search(r'<dd id="case-due">(.*?)</dd>', page, re.S).group(1).strip()


def test_tracking_shows_the_letter_files_and_the_deadline_once_known(app: Flask, client: FlaskClient,
                                                                      demo_data: object) -> None:
    number, code = submit_letter(client, body="The pavement on Elm Street is broken near number 12.",
                                 attachments=[(io.BytesIO(PNG), "pavement.png")])
    page = client.get(f"/track?number={number}&code={code}").get_data(as_text=True)
    assert "being registered" in _due(page)
    assert "near number 12." in re.search(r'id="own-letter">(.*?)</section>', page, re.S).group(1)
    assert "not yet assigned to a unit" in page and 'id="no-reply"' in page
    link = re.search(r'href="(/track/[^"]+/files/\d+\?code=[^"]+)"', page).group(1).replace("&amp;", "&")
    got = client.get(link)
    assert got.status_code == 200 and got.data == PNG and got.headers["Content-Disposition"].startswith("attachment")
    assert client.get(link.split("?")[0] + "?code=AAAA-BBBB-CCCC").status_code == 404
    assert client.get(link.split("?")[0]).status_code == 404

    staff = app.test_client()
    login(staff, "clerk")
    assert staff.post(f"/cases/{number}/register", data={"kind": "report", "category": 0}).status_code == 302
    assert "being registered" in _due(client.get(f"/track?number={number}&code={code}").get_data(as_text=True))
    assert staff.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, "Transport Bureau"),
                                                         "category": category_id(app)}).status_code == 302
    with state(app).sessions() as s:
        due = s.scalar(select(Case.due_date).where(Case.number == number))
    for lang in ("en", "zh", "es"):
        page = client.get(f"/track?number={number}&code={code}", headers={"Accept-Language": lang}) \
            .get_data(as_text=True)
        assert _due(page) == format_date(due, "medium", locale=lang), lang
        assert "Transport Bureau" in page or "交通" in page or "Transporte" in page


def test_another_cases_file_is_not_served_with_this_code(app: Flask, client: FlaskClient, demo_data: object) -> None:
    first, first_code = submit_letter(client, attachments=[(io.BytesIO(PNG), "mine.png")])
    second, _code = submit_letter(client, attachments=[(io.BytesIO(PNG), "theirs.png")])
    with state(app).sessions() as s:
        other = s.scalar(select(Case).where(Case.number == second)).attachments[0].id
    assert client.get(f"/track/{first}/files/{other}?code={first_code}").status_code == 404


@pytest.mark.parametrize("lang, nothing", [("zh", "尚未答复"), ("es", "Todavía no hay respuesta")])
def test_empty_fields_are_said_in_the_readers_language(client: FlaskClient, demo_data: object, lang: str,
                                                        nothing: str) -> None:
    number, code = submit_letter(client)
    page = client.get(f"/track?number={number}&code={code}", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert nothing in page
