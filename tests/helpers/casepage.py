"""The case page's tests: the demo office sending mail to the test SMTP server, cases brought to any state, the
flash messages a page shows, and a parser of a page's ids and code-like words."""
from __future__ import annotations

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cases import intake, services
from cases.drafts import Channel, LetterDraft
from tests.conftest import a_category, login
from tests.helpers.reply_letters import mail_app
from tests.helpers.workflow import actor_for
from web.app_state import state

@pytest.fixture
def app(app_factory: Any, smtp_server: Any) -> Flask:
    """The demo office, sending e-mail to the test SMTP server (the inline worker really sends)."""
    return mail_app(app_factory, smtp_server)


def staff(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def make_case(app: Flask, *, until: str = "received", kind: str = "report", email: str = "ana@example.org",
              subject: str = "Broken pavement", urgent: bool = False, note: str = "") -> str:
    """A case brought to ``until`` (received, registered, dispatched, accepted, answered); returns its number."""
    with state(app).sessions() as s:
        policy = state(app).policy
        draft = LetterDraft(channel=Channel.WEB, kind=kind, subject=subject, body="The pavement is broken.",
                            sender_name="Ana Ruiz", sender_email=email, preferred_reply="email", urgent=urgent)
        case = intake.receive(s, policy, draft).case
        clerk, unit = actor_for(s, "clerk"), actor_for(s, "transport")
        steps = ["registered", "dispatched", "accepted", "answered"]
        done = steps[:steps.index(until) + 1] if until in steps else []
        if "registered" in done:
            services.register(s, policy, case, clerk, urgent=urgent)
        if "dispatched" in done:
            services.dispatch(s, policy, case, clerk, unit.unit_id, note, category_id=a_category(s))
        if "accepted" in done:
            services.accept(s, policy, case, unit)
        if "answered" in done:
            services.give_feedback(s, policy, case, unit, "Repaired on Monday.")
        s.commit()
        return case.number


def flashes(client: FlaskClient, path: str) -> list[str]:
    page = client.get(path).get_data(as_text=True)
    return [unescape(m) for m in re.findall(r'<p class="flash [a-z]+" role="status">([^<]*)</p>', page)]


CODE_WORD = re.compile(r"(?<![\w@./{-])[a-z]+_[a-z_]+(?![\w@./}-])")


class PageScan(HTMLParser):
    """Collects a page's ids, its links, and words of its visible text that look like internal code names."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.links: list[str] = []
        self.code_words: set[str] = set()
        self._hidden = 0  # inside <script>, <style>, <code> or <textarea>: not prose shown to a reader

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "textarea", "pre") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.code_words |= set(CODE_WORD.findall(data))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "textarea", "pre"):
            self._hidden += 1
        values = dict(attrs)
        if values.get("id"):
            self.ids[values["id"] or ""] += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
