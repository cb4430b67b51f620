"""Reply letters in tests: a case answered by a unit, the reply form, the app with a mail server."""
from __future__ import annotations

from html import unescape
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from cases import demo, intake, services
from cases.drafts import Channel, LetterDraft
from cases.models import Case
from tests.conftest import a_category, login
from tests.helpers.workflow import actor_for
from web.app_state import state
from web.auth import hasher


MAIL_FROM = "Mayor's Mailbox <mailbox@city.example>"


@pytest.fixture
def app(app_factory: Any, smtp_server: Any) -> Flask:
    return mail_app(app_factory, smtp_server)


def mail_app(app_factory: Any, smtp_server: Any) -> Flask:
    """The app with the demo data, sending e-mail to the test SMTP server (replies really go out)."""
    app = app_factory(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      MAIL_FROM=MAIL_FROM)
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    smtp_server.envelopes.clear()
    return app


def answered_case(app: Flask, *, kind: str = "report", name: str = "Ana Ruiz", email: str = "ana@example.org",
                  address: str = "", preferred: str = "email", subject: str = "Broken pavement",
                  body: str = "The pavement on Elm Street is broken.", feedback: str = "Repaired on Monday.") -> str:
    """A case the unit has answered, ready for the desk's reply; returns its number."""
    with state(app).sessions() as s:
        policy = state(app).policy
        draft = LetterDraft(channel=Channel.WEB, kind=kind, subject=subject, body=body, sender_name=name,
                            sender_email=email, sender_address=address, preferred_reply=preferred,
                            sender_phone="138 0000 1111")
        case = intake.receive(s, policy, draft).case
        clerk, unit = actor_for(s, "clerk"), actor_for(s, "transport")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, unit.unit_id, category_id=a_category(s))
        services.accept(s, policy, case, unit)
        services.give_feedback(s, policy, case, unit, feedback)
        s.commit()
        return case.number


def reply_form(page: str) -> dict[str, str]:
    """The prefilled fields of the reply form on a case page, as the browser would post them back."""
    form = re.search(r'<form method="post" action="/cases/[^"]+/reply(?:#[^"]*)?".*?</form>', page, re.S).group(0)
    data = {m.group(1): unescape(m.group(2)) for m in re.finditer(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form)}
    data["body"] = unescape(re.search(r'<textarea[^>]*name="body"[^>]*>\r?\n?(.*?)</textarea>', form, re.S).group(1))
    channel = re.search(r'<option selected value="(\w+)"|<option value="(\w+)" selected', form)
    data["channel"] = next(g for g in channel.groups() if g) if channel else "email"
    return data


def clerk_sends(app: Flask, number: str, **over: str) -> tuple[FlaskClient, Any]:
    clerk = app.test_client()
    login(clerk, "clerk")
    data = reply_form(clerk.get(f"/cases/{number}").get_data(as_text=True))
    data.update(over)
    return clerk, clerk.post(f"/cases/{number}/reply", data=data)


def case_row(app: Flask, number: str) -> Case:
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        case.replies, case.events  # load before the session closes
        for reply in case.replies:
            reply.letter  # noqa: B018
        return case


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()
