"""Texts the services store when something happens (the timeline's deadline notes, the explanation of how the
deadlines were computed) are shown in the reader's language, units by their localized names; notes kept as plain
English text (events recorded before texts were stored as messages) are shown as they are."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Case, Event
from tests.conftest import category_id, login
from tests.helpers.web_forms import submit_letter, unit_id
from web.app_state import state

EXPECTED = {
    "zh": {"dispatched": "已派单至交通运输局", "sign": "普通工单：签收", "days": "个工作日内",
           "weekends": "周末和节假日不计"},
    "es": {"dispatched": "asignado a Oficina de Transporte", "sign": "caso ordinario: firmar la recepción",
           "days": "días hábiles", "weekends": "sin contar fines de semana ni festivos"},
}
ENGLISH = ["dispatched to", "sign for", "working days", "weekends and holidays", "by the end of", "feedback"]


def _client(app: Flask, username: str, lang: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    assert client.post(f"/lang/{lang}", data={"next": "/"}).status_code == 302
    return client


def _section(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found, pattern
    return found.group(1)


@pytest.mark.parametrize("lang", ["zh", "es"])
def test_dispatch_notes_and_deadline_explanation_are_translated(app: Flask, client: FlaskClient,
                                                                 demo_data: object, lang: str) -> None:
    number, _ = submit_letter(client)
    clerk = _client(app, "clerk", lang)
    assert clerk.post(f"/cases/{number}/register", data={"kind": "report", "category": 0}).status_code == 302
    assert clerk.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, "Transport Bureau"),
                                                           "category": category_id(app)}).status_code == 302
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    basis = _section(page, r'<dd id="deadline-basis">(.*?)</dd>')
    timeline = _section(page, r'<section class="timeline" id="timeline">(.*?)</section>')
    notes = " ".join(re.findall(r'<div class="note">(.*?)</div>', timeline, re.S))
    expected = EXPECTED[lang]
    assert expected["sign"] in basis and expected["days"] in basis and expected["weekends"] in basis
    assert expected["dispatched"] in notes and expected["sign"] in notes
    assert [word for word in ENGLISH if word in basis or word in notes] == []
    unit_page = _client(app, "transport", lang).get(f"/cases/{number}").get_data(as_text=True)
    assert expected["sign"] in _section(unit_page, r'<dd id="deadline-basis">(.*?)</dd>')

    with state(app).sessions() as s:  # the stored note stays English, for logs and search
        note = s.scalar(select(Event.note).join(Case).where(Case.number == number, Event.action == "deadline"))
    assert note.startswith("dispatched to Transport Bureau; ordinary case: sign for within 1 working days from ")


def test_a_note_stored_as_plain_text_is_shown_as_it_is(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number, _ = submit_letter(client)
    clerk = _client(app, "clerk", "zh")
    assert clerk.post(f"/cases/{number}/register", data={"kind": "report", "category": 0}).status_code == 302
    assert clerk.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, "Transport Bureau"),
                                                           "category": category_id(app)}).status_code == 302
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        for event in case.events:
            if event.action == "deadline":
                event.note = "dispatched to Transport Bureau; by the end of 2026-01-09"
                event.data = {key: value for key, value in event.data.items()
                              if key not in ("note_texts", "basis_texts")}
        case.deadline_basis = "ordinary case: sign for within 1 working days: by the end of 2026-01-09"
        s.commit()
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert "dispatched to Transport Bureau; by the end of 2026-01-09" in page
    assert ("ordinary case: sign for within 1 working days: by the end of 2026-01-09"
            in _section(page, r'<dd id="deadline-basis">(.*?)</dd>'))


@pytest.mark.parametrize(("lang", "expected"), [("zh", "工单 {number} 的来信人"),
                                                ("es", "ciudadano del caso {number}")])
def test_the_privacy_log_names_what_was_read_in_the_readers_language(app: Flask, client: FlaskClient,
                                                                     demo_data: object, lang: str,
                                                                     expected: str) -> None:
    number, _ = submit_letter(client)
    assert _client(app, "clerk", lang).get(f"/cases/{number}").status_code == 200
    log = _client(app, "supervisor", lang).get("/privacy/log").get_data(as_text=True)
    assert expected.format(number=number) in log and f"citizen of {number}" not in log
