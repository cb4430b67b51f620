"""Every link written into a letter (email, printed reply and its QR code, SMS, acknowledgement) starts with the
configured PUBLIC_BASE_URL, never with the host a request came in on or the development address."""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from cases import demo, sms
from cases.models import Case
from tests.conftest import login
from tests.helpers.reply_letters import answered_case, case_row, clerk_sends, pdf_text
from web import config as web_config
from web.app_state import state
from web.auth import hasher
from web.sms import sms_settings

BASE = "https://mailbox.city.example"
CHECKOUT = Path(__file__).resolve().parent.parent
REQUEST_HOSTS = re.compile(r"_external\s*=\s*True|request\.(host_url|url_root|host\b|base_url)")


@pytest.fixture
def app(app_factory: Any, smtp_server: Any) -> Flask:
    app = app_factory(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      MAIL_FROM="Mailbox <mailbox@city.example>", PUBLIC_BASE_URL=BASE)
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    return app


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"')]+", text)


def test_email_and_postal_replies_link_to_the_public_site(app: Flask) -> None:
    emailed = answered_case(app)
    # The clerk's request arrives on another host: the letter must not take it.
    assert clerk_sends(app, emailed)[1].status_code == 302
    reply = case_row(app, emailed).replies[-1]
    links = _links(reply.body) + _links(reply.letter.email_html) + [reply.letter.tracking_url]
    assert links and all(link.startswith(BASE + "/") for link in links), links

    posted = answered_case(app, email="", preferred="post", address="12 River Road\nSpringfield")
    assert clerk_sends(app, posted)[1].status_code == 302
    reply = case_row(app, posted).replies[-1]
    clerk = app.test_client()
    login(clerk, "clerk")
    text = pdf_text(clerk.get(f"/letters/cases/{posted}/replies/{reply.id}.pdf").data)
    assert BASE.split("//")[1] in text and "127.0.0.1" not in text and "localhost" not in text
    assert reply.letter.tracking_url.startswith(BASE + "/track?")  # the QR code encodes this address


def test_sms_links_use_the_public_site(app: Flask) -> None:
    number = answered_case(app)
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        message = sms.acknowledge(s, replace(sms_settings(app), enabled=True), case)
        assert message is not None
        links = _links(message.text)
    assert links and all(link.startswith(BASE + "/track?") for link in links)


def test_no_code_builds_links_from_the_request() -> None:
    offenders = [f"{path.relative_to(CHECKOUT)}:{n}" for folder in ("web", "cases", "mailbox", "reply_render")
                 for path in (CHECKOUT / folder).rglob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if REQUEST_HOSTS.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []


def test_a_base_url_that_is_no_address_is_refused(app_factory: Any) -> None:
    with pytest.raises(web_config.ConfigError, match="PUBLIC_BASE_URL"):
        app_factory(PUBLIC_BASE_URL="mailbox.city.example")


def test_serving_with_the_development_address_warns(app_factory: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        app_factory(TESTING=False, PUBLIC_BASE_URL="http://127.0.0.1:5000")
    assert any("PUBLIC_BASE_URL" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app_factory(TESTING=False, PUBLIC_BASE_URL=BASE)
    assert not any("PUBLIC_BASE_URL" in r.getMessage() for r in caplog.records)
