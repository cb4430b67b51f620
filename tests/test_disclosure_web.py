"""Disclosure through the web app: a consented letter reviewed, redacted and published; public pages never show
the writer's personal data; search escapes its wildcards; the public statistics page."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from cases import services
from cases.actors import Actor
from cases.models import Case, Unit, User
from cases.models_disclosure import Publication
from tests.conftest import a_category, login
from tests.servers.supervision_app import module_app  # noqa: F401
from web.app_state import state

PERSONAL = ("Ana", "Ruiz", "13812345678", "138 1234 5678", "ana.ruiz@example.org", "Calle Mayor", "12345678Z")


def _actor(session, username: str) -> Actor:  # type: ignore[no-untyped-def]
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def write_and_answer(app: Flask, consent: bool, subject: str) -> str:
    """A public letter with personal details, answered by the unit and replied to; returns its number."""
    client = app.test_client()
    response = client.post("/write", data={
        "kind": "complaint", "subject": subject, "consent": "y" if consent else "",
        "body": "I am Ana Ruiz from Calle Mayor 5, 3º B. The streetlights on Elm Avenue are off since 2026-11-01. "
                "Call me: 138 1234 5678. DNI 12345678Z.",
        "name": "Ana Ruiz", "phone": "13812345678", "email": "ana.ruiz@example.org",
        "address": "Calle Mayor 5, 3º B, Madrid", "preferred_reply": "email"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    number = re.search(r'id="case-number">([^<]+)<', client.get("/write/sent").get_data(as_text=True)).group(1)
    with state(app).sessions() as s:
        policy = state(app).policy
        case = s.scalar(select(Case).where(Case.number == number))
        clerk, unit = _actor(s, "clerk"), _actor(s, "transport")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, s.scalar(select(Unit.id).where(Unit.name == "Transport Bureau")),
                          category_id=a_category(s))
        services.accept(s, policy, case, unit)
        services.give_feedback(s, policy, case, unit, "Lights repaired.")
        services.reply(s, policy, case, clerk, channel="email",
                       body="Dear Ms Ruiz, the lights are repaired. We called you at 13812345678.")
        s.commit()
    return number


def assert_no_personal_data(html: str) -> None:
    for item in PERSONAL:
        assert item not in html, item


def test_review_publish_and_public_pages(module_app: Flask) -> None:
    number = write_and_answer(module_app, consent=True, subject="Streetlights off on Elm Avenue")
    hidden = write_and_answer(module_app, consent=False, subject="Private matter")
    clerk = module_app.test_client()
    login(clerk, "clerk")
    queue = clerk.get("/disclosure/review").get_data(as_text=True)
    assert number in queue and hidden not in queue
    preview = clerk.get(f"/disclosure/review/{number}").get_data(as_text=True)
    proposed = re.search(r'<textarea id="letter_text" name="letter_text">(.*?)</textarea>', preview, re.S).group(1)
    assert "[name]" in proposed and "[phone]" in proposed and "[ID]" in proposed and "[address]" in proposed
    assert_no_personal_data(proposed)
    assert "Ana Ruiz" in preview  # the original, for the reviewer only
    refused = clerk.get(f"/disclosure/review/{hidden}")
    assert refused.status_code == 302

    # The reviewer's edit types a detail back in; it is redacted again on the way out.
    response = clerk.post(f"/disclosure/review/{number}", data={
        "subject": "Streetlights off on Elm Avenue", "reply_text": "Repaired. Thanks, Ana Ruiz!",
        "letter_text": proposed.replace("&#39;", "'").replace("&amp;", "&") + " PS from Ana Ruiz, 13812345678."})
    assert response.status_code == 302
    assert clerk.post(f"/disclosure/review/{hidden}", data={"subject": "x", "letter_text": "y"}).status_code == 302
    with state(module_app).sessions() as s:
        assert s.scalar(select(Publication).join(Case).where(Case.number == hidden)) is None

    public = module_app.test_client()
    page = public.get(f"/archive/{number}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Streetlights off on Elm Avenue" in html and "lights are repaired" not in html  # the reviewer's reply
    assert "Repaired. Thanks, [name]!" in html
    assert_no_personal_data(html)
    listing = public.get("/archive").get_data(as_text=True)
    assert number in listing
    assert_no_personal_data(listing)
    assert number in public.get("/archive?q=streetlights").get_data(as_text=True)
    assert number in public.get("/archive?q=Elm+repaired").get_data(as_text=True)
    assert number not in public.get("/archive?q=Ruiz").get_data(as_text=True)
    assert number not in public.get("/archive?q=%25").get_data(as_text=True)  # a literal %, not a wildcard
    assert number not in public.get("/archive?q=_").get_data(as_text=True)
    assert public.get(f"/archive/{hidden}").status_code == 404
    api = public.get(f"/open311/v2/requests/{number}.json").get_json()[0]
    assert api["status"] == "closed" and "[phone]" in api["description"]
    assert_no_personal_data(str(api))

    # Withdrawn: its text is gone from every public place (Open311 still lists the request, without text).
    assert clerk.post(f"/disclosure/review/{number}/decline", data={"reason": "Writer asked us to."}).status_code == 302
    assert public.get(f"/archive/{number}").status_code == 404
    assert number not in public.get("/archive").get_data(as_text=True)
    withdrawn = public.get(f"/open311/v2/requests/{number}.json").get_json()[0]
    assert withdrawn["description"] == "" and withdrawn["status_notes"] == ""


@pytest.mark.parametrize("username", ["transport", "housing"])
def test_unit_handlers_cannot_review(module_app: Flask, username: str) -> None:
    client = module_app.test_client()
    login(client, username)
    assert client.get("/disclosure/review").status_code == 404
    assert client.post("/disclosure/review/2026-000001", data={"subject": "x", "letter_text": "y"}).status_code == 404


def test_anonymous_cannot_review(module_app: Flask) -> None:
    response = module_app.test_client().get("/disclosure/review")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_public_statistics_page(module_app: Flask) -> None:
    html = module_app.test_client().get("/statistics").get_data(as_text=True)
    assert "<svg" in html and "<script" not in html
    assert re.search(r"<td>\d{4}-\d{2}</td><td>Transport Bureau</td><td class=\"num\">\d+</td>", html)
    assert module_app.test_client().get("/statistics?start=garbage").status_code == 200
