"""What the desk sees while it types: suggestions, the caller's history, follow-ups and answers on the call."""
from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.callers import phone_key
from cases.models import Case, Letter
from tests.conftest import login
from web.tasks.queue import drain
from web.app_state import state


def call(client: FlaskClient, **over: object) -> object:
    data = {"caller": "周先生", "phone": "139 0000 0001", "kind": "consultation", "category": 0,
            "summary": "公交卡怎么办理？"}
    data.update(over)
    return client.post("/desk/phone", data=data)


def test_phone_keys_match_however_the_number_is_written() -> None:
    assert phone_key("+86 139-0000-0001") == phone_key("13900000001") == "13900000001"
    assert phone_key("(0)12") == "" and phone_key("") == ""


def test_suggestions_find_articles_and_earlier_cases_in_the_typed_language(app: Flask, client: FlaskClient,
                                                                          demo_data: object) -> None:
    drain(app, "index_article")
    login(client, "clerk")
    data = client.get("/desk/suggest?q=我想问公交卡怎么办理").get_json()
    assert data["articles"][0]["question"] == "公交卡（市民卡）怎么办理？"
    assert data["articles"][0]["url"].endswith(f"/knowledge/{data['articles'][0]['id']}")
    data = client.get("/desk/suggest?q=tarjeta de autobús para mayores").get_json()
    assert data["articles"][0]["lang"] == "es"
    data = client.get("/desk/suggest?q=street light broken").get_json()
    assert any(c["title"] == "Street light broken on Jiefang Road" for c in data["cases"])
    assert client.get("/desk/suggest?q=").get_json() == {"articles": [], "cases": []}
    unit = app.test_client()
    login(unit, "transport")
    assert unit.get("/desk/suggest?q=bus").status_code == 404
    assert unit.get("/desk/caller?phone=13900000001").status_code == 404


def test_caller_history_counts_recent_cases_and_a_call_can_follow_up_an_open_case(app: Flask, client: FlaskClient,
                                                                                  demo_data: object) -> None:
    login(client, "clerk")
    assert call(client).status_code == 302
    assert call(client, phone="+86 13900000001", summary="还是公交卡的问题").status_code == 302
    history = client.get("/desk/caller?phone=139-0000-0001").get_json()
    assert history["recent"] == 2 and len(history["cases"]) == 2 and all(c["open"] for c in history["cases"])
    first = history["cases"][-1]["number"]
    assert client.get("/desk/caller?phone=").get_json()["cases"] == []
    response = call(client, summary="又打来问进度", follow_up=first)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{first}")
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == first))
        assert [letter.body for letter in case.letters][-1] == "又打来问进度"
        assert case.events[-1].action == "follow_up"
        assert len(session.scalars(select(Letter.id).where(Letter.sender_phone != "")).all()) >= 3
    assert client.get("/desk/caller?phone=13900000001").get_json()["recent"] == 2  # no third case
    # The case page shows the same history, without the case itself.
    assert client.get(f"/desk/caller?phone=13900000001&case={first}").get_json()["recent"] == 1


def test_a_call_answered_on_the_spot_is_saved_registered_and_closed(app: Flask, client: FlaskClient,
                                                                    demo_data: object) -> None:
    login(client, "clerk")
    response = call(client, answer="带身份证去公交服务网点办理。", satisfaction="satisfied")
    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[-1]
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        assert case.status.value == "closed" and case.satisfaction.value == "satisfied"
        assert case.direct_answers[0].body == "带身份证去公交服务网点办理。"
    refused = call(client, kind="complaint", answer="No.")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'id="answer-error"' in html and "公交卡怎么办理？" in html
    closed = call(client, summary="Another question", follow_up=number)
    assert closed.status_code == 400 and "no longer open" in closed.get_data(as_text=True)
