"""The desk's answers and knowledge base through the web app, on the configured database and search backend."""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Case, Unit
from cases.models_desk import Article
from tests.conftest import category_id, login
from web.tasks.queue import drain
from web.app_state import state


def unit_id(app: Flask, name: str) -> int:
    with state(app).sessions() as session:
        return session.scalar(select(Unit.id).where(Unit.name == name))


def phone_call(client: FlaskClient, kind: str = "consultation", summary: str = "公交卡怎么办理？") -> str:
    response = client.post("/desk/phone", data={"caller": "周先生", "phone": "13900000001", "kind": kind,
                                               "category": 0, "summary": summary})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return response.headers["Location"].rsplit("/", 1)[-1]


def article_ids(app: Flask) -> dict[str, int]:
    with state(app).sessions() as session:
        return {a.question: a.id for a in session.scalars(select(Article))}


def test_the_clerk_answers_a_call_directly_and_the_citizen_rates_it(app: Flask, client: FlaskClient,
                                                                     demo_data: object) -> None:
    login(client, "clerk")
    number = phone_call(client)
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert 'id="action-answer_directly"' in page
    used = article_ids(app)["公交卡（市民卡）怎么办理？"]
    response = client.post(f"/cases/{number}/answer_directly", data={
        "body": "请携带身份证到公交服务网点办理。", "channel": "call", "articles": f"{used}", "satisfaction": ""})
    assert response.status_code == 302
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert "请携带身份证到公交服务网点办理。" in page and f"/knowledge/{used}" in page
    assert 'id="action-rate"' in page  # closed, not rated yet
    call_record = re.search(r'class="call-script" href="([^"]+)"', page).group(1)
    assert "请携带身份证到公交服务网点办理。" in client.get(call_record).get_data(as_text=True)
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        code, status = case.tracking_code, case.status.value
    assert status == "closed"
    public = app.test_client()
    tracked = public.get(f"/track?number={number}&code={code}").get_data(as_text=True)
    assert "请携带身份证到公交服务网点办理。" in tracked and 'class="rating"' in tracked
    public.post("/track/rate", data={"number": number, "code": code, "satisfaction": "satisfied"})
    tracked = public.get(f"/track?number={number}&code={code}").get_data(as_text=True)
    assert 'class="rating"' not in tracked
    with state(app).sessions() as session:
        assert session.scalar(select(Case).where(Case.number == number)).satisfaction.value == "satisfied"


def test_bad_direct_answers_are_refused_next_to_the_field_and_lose_nothing(app: Flask, client: FlaskClient,
                                                                           demo_data: object) -> None:
    login(client, "clerk")
    number = phone_call(client)
    response = client.post(f"/cases/{number}/answer_directly",
                           data={"body": "Answer kept", "channel": "call", "articles": "1, x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Answer kept" in html and 'id="answer_directly-articles-error"' in html
    complaint = phone_call(client, kind="complaint", summary="Noise at night from the building site")
    assert 'id="action-answer_directly"' not in client.get(f"/cases/{complaint}").get_data(as_text=True)
    response = client.post(f"/cases/{complaint}/answer_directly", data={"body": "x", "channel": "call"})
    assert response.status_code == 302  # refused by the domain with a message
    assert "dispatch this case" in client.get(f"/cases/{complaint}").get_data(as_text=True)


def test_the_dashboard_shows_the_share_answered_at_the_desk(app: Flask, client: FlaskClient,
                                                            demo_data: object) -> None:
    login(client, "clerk")
    number = phone_call(client)
    client.post(f"/cases/{number}/answer_directly", data={"body": "Answer", "channel": "call"})
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    html = supervisor.get("/supervision/").get_data(as_text=True)
    with state(app).sessions() as session:
        total = len(session.scalars(select(Case.id)).all())
    assert re.search(r'id="kpi-direct">1<', html)
    assert f'id="kpi-direct-share">{round(100 / total)}%<' in html


def test_articles_are_proposed_approved_and_found_in_every_language(app: Flask, client: FlaskClient,
                                                                    demo_data: object) -> None:
    drain(app, "index_article")
    login(client, "clerk")
    for query, question in (("公交卡", "公交卡（市民卡）怎么办理？"), ("public housing documents",
                                                                      "Which documents do I need to apply"),
                            ("tarjeta mayores", "¿Cómo solicito la tarjeta")):
        html = client.get(f"/knowledge/?q={query}").get_data(as_text=True)
        assert question in html, query
    unit = app.test_client()
    login(unit, "transport")
    assert 'id="review-due"' in unit.get("/knowledge/").get_data(as_text=True)
    response = unit.post("/knowledge/new", data={"question": "地铁末班车几点？", "answer": "末班车22:30发车。",
                                                 "lang": "zh", "category": 0, "unit": 0})
    assert response.status_code == 302
    assert "地铁末班车几点？" not in client.get("/knowledge/?q=末班车").get_data(as_text=True)
    assert unit.get("/knowledge/proposals").status_code == 200
    office = app.test_client()
    login(office, "supervisor")
    page = office.get("/knowledge/proposals").get_data(as_text=True)
    version_id = re.search(r'id="proposal-(\d+)"', page).group(1)
    assert unit.post(f"/knowledge/proposals/{version_id}", data={"decision": "approve"}).status_code == 404
    assert office.post(f"/knowledge/proposals/{version_id}", data={"decision": "approve"}).status_code == 302
    assert "地铁末班车几点？" in client.get("/knowledge/?q=末班车").get_data(as_text=True)


def test_dispatch_proposes_the_category_unit_and_admins_edit_the_tree(app: Flask, client: FlaskClient,
                                                                      demo_data: object) -> None:
    login(client, "clerk")
    response = client.post("/desk/phone", data={"caller": "Li", "phone": "13700000002", "kind": "report",
                                                "category": category_id(app, "Bus stop facilities"),
                                                "summary": "The shelter at the Riverside stop is broken."})
    number = response.headers["Location"].rsplit("/", 1)[-1]
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    units = re.search(r'<select[^>]*id="dispatch-unit".*?</select>', page, re.S).group(0)
    transport = unit_id(app, "Transport Bureau")
    assert f'<option selected value="{transport}">' in units  # inherited from 交通 (Transport)
    assert "Transport → Public transport → Bus stop facilities" in page
    assert client.post(f"/cases/{number}/dispatch", data={"unit": transport,
                                                          "category": category_id(app, "Bus stop facilities")}
                       ).status_code == 302
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        policy = state(app).policy
        assert case.due_date == policy.calendar.add_working_days(policy.today(), 5)  # the category's own days

    admin = app.test_client()
    login(admin, "admin")
    assert "交通" in admin.get("/admin/categories").get_data(as_text=True)
    transport_category = category_id(app, "Transport")
    loop = admin.post(f"/admin/categories/{transport_category}",
                      data={"parent": category_id(app, "Bus stop facilities"), "unit": 0})
    assert loop.status_code == 400 and "cannot be placed under itself" in loop.get_data(as_text=True)
    saved = admin.post(f"/admin/categories/{category_id(app, 'Health')}",
                       data={"parent": 0, "unit": unit_id(app, "Eastern District"), "answer_days": "7",
                             "name_zh": "卫生健康", "name_es": "Salud"})
    assert saved.status_code == 302
    bad = admin.post(f"/admin/categories/{category_id(app, 'Health')}", data={"parent": 0, "unit": 0,
                                                                             "answer_days": "0"})
    assert bad.status_code == 400 and 'id="answer_days-error"' in bad.get_data(as_text=True)
    assert client.get(f"/admin/categories/{transport_category}").status_code == 404  # clerks do not edit


def test_units_and_categories_are_named_in_the_readers_language(app: Flask, client: FlaskClient,
                                                                demo_data: object) -> None:
    with state(app).sessions() as session:
        number = session.scalar(select(Case.number).where(Case.subject == "Más autobuses en la línea 5"))
    unit = app.test_client()
    login(unit, "transport")
    unit.post(f"/cases/{number}/feedback", data={"body": "Se añadirán dos autobuses."},
              content_type="multipart/form-data")
    login(client, "clerk")
    chinese = client.get(f"/cases/{number}?purpose=reply&lang=zh").get_data(as_text=True)
    assert "转交交通运输局办理" in chinese  # the Chinese letter names the unit in Chinese
    english = client.get(f"/cases/{number}?purpose=reply&lang=en").get_data(as_text=True)
    assert "Transport Bureau" in english
    client.post("/lang/zh", data={"next": f"/cases/{number}"})
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert '<dd id="case-unit">交通运输局</dd>' in page and "<dd>公交</dd>" in page


def test_anonymous_letters_follow_the_deployment_setting(app_factory) -> None:  # type: ignore[no-untyped-def]
    letter = {"kind": "consultation", "subject": "Opening hours", "body": "When does the city library open?",
              "name": "", "phone": "", "email": "", "address": "", "preferred_reply": "email"}
    strict = app_factory().test_client()
    refused = strict.post("/write", data=letter, content_type="multipart/form-data")
    assert refused.status_code == 400 and 'id="name-error"' in refused.get_data(as_text=True)
    relaxed_app = app_factory(ANONYMOUS_LETTERS=True)
    relaxed = relaxed_app.test_client()
    assert "you may write anonymously" in relaxed.get("/write").get_data(as_text=True)
    assert relaxed.post("/write", data=letter, content_type="multipart/form-data").status_code == 302
    with state(relaxed_app).sessions() as session:
        case = session.scalar(select(Case).where(Case.subject == "Opening hours"))
        assert case.citizen.name == "" and case.tracking_code
    # A name is still optional only: a contact asked for must be given.
    asked = relaxed.post("/write", data={**letter, "phone": "13800001111", "preferred_reply": "email"},
                         content_type="multipart/form-data")
    assert asked.status_code == 400
