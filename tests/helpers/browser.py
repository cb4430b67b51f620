"""Browser tests' shared steps: staff log-in, opening a case action, writing a letter, the desk app."""
from __future__ import annotations

from collections.abc import Iterator
import threading

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, expect, Page
import pytest
from werkzeug.serving import make_server

from cases import demo
from tests.conftest import DEMO_PASSWORDS
from web.app_state import state
from web.auth import hasher
from web.tasks.queue import drain


def staff(browser: Browser, base: str, username: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(f"{base}/auth/login")
    tab.get_by_label("User name").fill(username)
    tab.get_by_label("Password").fill(DEMO_PASSWORDS[username])
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("button", name="Log out")).to_be_visible()
    return context, tab


def write_letter(page: Page, base: str, subject: str) -> tuple[str, str]:
    page.goto(f"{base}/write")
    page.get_by_label("What kind of letter is it?").select_option("report")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Your letter").fill("There is a big hole in the road near the school gate.")
    page.get_by_label("Your name").fill("Ana Ruiz")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_role("button", name="Send the letter").click()
    number = page.locator("#case-number").inner_text()
    code = page.locator("#tracking-code").inner_text()
    return number, code


def open_action(tab: Page, name: str) -> None:
    details = tab.locator(f"#action-{name}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


@pytest.fixture()
def desk_app(app_factory) -> Iterator[tuple[Flask, str]]:  # type: ignore[no-untyped-def]
    """The app with demo data indexed (cases and articles), served on a loopback port."""
    app: Flask = app_factory(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, WTF_CSRF_ENABLED=True,
                             TESTING=False)
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, hasher())
        session.commit()
    drain(app, "index_case")
    drain(app, "index_article")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
