"""Returns, rulings and internal notes in Chromium, with CSRF enforced: the desk disputes a unit's return (an empty
reason refused beside its field), a supervisor overrules it from the list of disputes, and the desk and the unit
talk in an internal note thread the citizen's tracking page never shows."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from tests.helpers.browser import demo_app, open_action, served, staff
from tests.helpers.returns import a_case

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "images"


@pytest.fixture()
def live_app(app_factory) -> Iterator[tuple[Flask, str]]:  # type: ignore[no-untyped-def]
    """The app with demo data, CSRF enforced, served on a loopback port."""
    app = demo_app(app_factory)
    with served(app) as base:
        yield app, base


def test_dispute_ruling_and_a_note_thread(chromium_browser: Browser, live_app: tuple[Flask, str]) -> None:
    app, base = live_app
    number = a_case(app, returned=True)
    _ctx, clerk = staff(chromium_browser, base, "clerk")
    clerk.goto(f"{base}/cases/{number}")
    open_action(clerk, "dispute_return")
    clerk.locator("#action-dispute_return").get_by_role("button", name="Dispute the return").click()
    expect(clerk.locator("#dispute_return-reason-error")).to_be_visible()
    clerk.get_by_label("Why is this the unit's case after all?").fill("Bus shelters are the bureau's.")
    clerk.locator("#action-dispute_return").get_by_role("button", name="Dispute the return").click()
    expect(clerk.locator("#case-status")).to_have_text("return disputed")
    clerk.locator("#note-body").fill("Disputed: the bureau repaired the same shelter last year.")
    clerk.get_by_role("button", name="Add note").last.click()
    expect(clerk.locator(".note-text").first).to_have_text("Disputed: the bureau repaired the same shelter last year.")

    _ctx, supervisor = staff(chromium_browser, base, "supervisor")
    supervisor.goto(f"{base}/supervisor/disputes")
    expect(supervisor.locator("#disputes")).to_contain_text("Bus shelters are the bureau's.")
    if os.environ.get("RETURNS_SCREENSHOT"):  # RETURNS_SCREENSHOT=1 refreshes the pictures in docs/images
        supervisor.screenshot(path=str(SCREENSHOTS / "disputed-returns.png"), full_page=True)
    supervisor.get_by_role("link", name=number).click()
    open_action(supervisor, "rule_on_dispute")
    supervisor.get_by_label("Overrule the return: the case goes back to the unit").check()
    supervisor.get_by_label("Reason for the ruling").fill("Shelters at bus stops are the Transport Bureau's.")
    supervisor.get_by_role("button", name="Rule").click()
    expect(supervisor.locator("#case-status")).to_have_text("accepted")
    expect(supervisor.locator("#case-unit")).to_have_text("Transport Bureau")

    _ctx, unit = staff(chromium_browser, base, "transport")
    unit.goto(f"{base}/cases/{number}")
    expect(unit.locator("section.timeline")).to_contain_text("Shelters at bus stops are the Transport Bureau's.")
    # The desk's note was written while the case was at the desk: the office's only.
    expect(unit.locator("#notes")).not_to_contain_text("the bureau repaired the same shelter")
    unit.locator("#note-body").fill("Which shelter exactly?")
    unit.get_by_role("button", name="Add note").last.click()
    clerk.goto(f"{base}/cases/{number}")
    thread = clerk.locator(".note", has_text="Which shelter exactly?").first
    thread.locator("summary", has_text="Answer").click()
    thread.get_by_label("Internal note (never shown to the citizen)").first.fill("The one at Elm Street, stop 12.")
    thread.get_by_role("button", name="Answer").first.click()
    unit.reload()
    reply = unit.locator(".note-replies .note-text")
    expect(reply).to_have_text("The one at Elm Street, stop 12.")
    if os.environ.get("RETURNS_SCREENSHOT"):
        unit.set_viewport_size({"width": 1280, "height": 900})
        unit.locator("#notes").screenshot(path=str(SCREENSHOTS / "case-notes.png"))
