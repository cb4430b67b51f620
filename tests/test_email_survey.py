"""The satisfaction survey by email: after a reply, once, through the outbox and a real SMTP server; its signed
links answer 1/2/3 without a log-in, "not satisfied" reopens the case, unanswered cases wait on the callback list."""
from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from cases import callbacks, demo, intake, services
from cases.actors import Actor
from cases.drafts import Channel, LetterDraft
from cases.models import Case, Category, OutboxItem, User
from web.app_state import state
from web.auth import hasher
from web.tasks.queue import drain

LINK = re.compile(r"(http://\S+/survey/(\S+?)\?answer=([123]))")


@pytest.fixture
def app(app_factory: Any, smtp_server: Any) -> Flask:
    app = app_factory(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      MAIL_FROM="Mayor's Mailbox <mailbox@city.example>")
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    smtp_server.envelopes.clear()
    return app


def _actor(session: Any, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def replied_case(app: Flask, *, email: str = "ana@example.org", channel: Channel = Channel.WEB,
                 body: str = "The pavement on Elm Street is broken.") -> str:
    """A case answered by its unit and replied to by email; returns its number."""
    with state(app).sessions() as s:
        policy = state(app).policy
        case = intake.receive(s, policy, LetterDraft(channel=channel, subject="Broken pavement", body=body,
                                                     sender_name="Ana Ruiz", sender_email=email,
                                                     sender_phone="138 0000 1111")).case
        clerk, unit = _actor(s, "clerk"), _actor(s, "transport")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, unit.unit_id, category_id=s.scalars(select(Category.id)).first())
        services.accept(s, policy, case, unit)
        services.give_feedback(s, policy, case, unit, "Repaired on Monday.")
        services.reply(s, policy, case, clerk, body="The pavement was repaired on Monday.",
                       channel="email" if email else "phone")
        s.commit()
        return case.number


def surveys(smtp_server: Any) -> list[Any]:
    messages = [message_from_bytes(e.data, policy=default) for e in smtp_server.envelopes]
    return [m for m in messages if "/survey/" in m.get_body(("plain",)).get_content()]


def status(app: Flask, number: str) -> tuple[str, str | None]:
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        return case.status.value, case.satisfaction.value if case.satisfaction else None


def test_the_survey_goes_out_once_and_not_satisfied_reopens_the_case(app: Flask, smtp_server: Any) -> None:
    number = replied_case(app)
    drain(app, "send_mail")
    drain(app, "email_survey")
    sent = surveys(smtp_server)
    assert len(sent) == 1 and sent[0]["To"] == "ana@example.org" and number in sent[0]["Subject"]
    links = LINK.findall(sent[0].get_body(("plain",)).get_content())
    assert [answer for _url, _token, answer in links] == ["1", "2", "3"]
    # A drain that died after sending and before marking its item done sends nothing again.
    with state(app).sessions() as s:
        s.execute(update(OutboxItem).where(OutboxItem.key.like("survey:%")).values(done_at=None))
        s.commit()
    drain(app, "send_mail")
    drain(app, "email_survey")
    assert len(surveys(smtp_server)) == 1
    citizen = app.test_client()  # no log-in
    _url, token, _ = links[2]
    page = citizen.get(f"/survey/{token}?answer=3")
    assert page.status_code == 200 and re.search(r'<input checked[^>]*value="3"', page.get_data(as_text=True))
    assert status(app, number) == ("replied", None)  # following the link records nothing: a scanner may follow it
    assert citizen.get(f"/survey/{token[:-2]}xx?answer=3").status_code == 404  # a forged token
    assert citizen.post(f"/survey/{token[:-2]}xx", data={"answer": "1"}).status_code == 404
    answered = citizen.post(f"/survey/{token}", data={"answer": "3"})
    assert answered.status_code == 200 and "Thank you for your answer." in answered.get_data(as_text=True)
    state_after, rating = status(app, number)
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        actions = [e.action for e in case.events]
    assert (state_after, rating) == ("accepted", "unsatisfied")  # back with its unit, as the SMS survey does
    assert actions[-3:-1] == ["close", "reopen"]
    again = citizen.post(f"/survey/{token}", data={"answer": "1"})
    assert "answered already" in again.get_data(as_text=True)
    assert status(app, number) == (state_after, rating)


def test_a_satisfied_answer_closes_the_case(app: Flask, smtp_server: Any) -> None:
    number = replied_case(app, body="小区门口的人行道坏了，请尽快修复。")
    drain(app, "send_mail")
    drain(app, "email_survey")
    sent, = surveys(smtp_server)
    assert "满意度回访" in sent["Subject"]
    _url, token, _ = LINK.findall(sent.get_body(("plain",)).get_content())[0]
    assert app.test_client().post(f"/survey/{token}", data={"answer": "1"}).status_code == 200
    assert status(app, number) == ("closed", "satisfied")


def test_no_email_survey_without_an_email_or_for_an_sms_case(app: Flask, smtp_server: Any) -> None:
    replied_case(app, email="")
    replied_case(app, channel=Channel.SMS)
    drain(app, "send_mail")
    drain(app, "email_survey")
    assert surveys(smtp_server) == []
    with state(app).sessions() as s:
        assert s.scalars(select(OutboxItem.id).where(OutboxItem.key.like("survey:%"))).all() == []


def test_an_unanswered_survey_leaves_the_case_on_the_callback_list(app: Flask, smtp_server: Any) -> None:
    number = replied_case(app)
    drain(app, "send_mail")
    drain(app, "email_survey")
    assert len(surveys(smtp_server)) == 1
    with state(app).sessions() as s:
        due = callbacks.due_callbacks(s, state(app).policy, 0)
        assert number in [c.case.number for c in due]


def test_no_survey_follows_a_reply_that_could_not_be_delivered(app: Flask, smtp_server: Any) -> None:
    number = replied_case(app, email="nobody@refused.example")  # the test server refuses this domain for good
    drain(app, "send_mail")
    drain(app, "email_survey")
    assert smtp_server.envelopes == [] and surveys(smtp_server) == []
    with state(app).sessions() as s:
        pending = s.scalars(select(OutboxItem.id).where(OutboxItem.key.like("survey:%"),
                                                        OutboxItem.done_at.is_(None))).all()
        assert pending == []
    assert status(app, number) == ("replied", None)
