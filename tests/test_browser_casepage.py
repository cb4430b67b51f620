"""The case page in Chromium: the action bar stays on screen, the page lands where the change is, a merge asks in
a dialog (a page without JavaScript) and can be undone, and the reply is previewed before it is sent."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from cases.models import Case
from tests.helpers.browser import demo_app, served, staff
from tests.helpers.casepage import make_case
from web.app_state import state

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "images"
LONG_LETTER = "\n\n".join(f"Paragraph {n}: the pavement in front of No. {n} Elm Street is broken and people trip "
                          "over the loose stones every evening." for n in range(1, 30))


@pytest.fixture()
def case_app(app_factory) -> Iterator[tuple[Flask, str]]:  # type: ignore[no-untyped-def]
    """The demo office served on a loopback port, with CSRF and secure cookies as in production."""
    app = demo_app(app_factory)
    with served(app) as base:
        yield app, base


def long_case(app: Flask, until: str) -> str:
    """A case whose letter is several screens long."""
    number = make_case(app, until=until)
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        case.letters[0].body = LONG_LETTER
        s.commit()
    return number


def status_of(app: Flask, number: str) -> str:
    with state(app).sessions() as s:
        return s.scalar(select(Case.status).where(Case.number == number)).value


def in_viewport(tab: Page, selector: str) -> bool:
    """Wait until the top of ``selector`` is inside the window (a timeout error if it never is)."""
    tab.wait_for_function("""sel => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight; }""", arg=selector)
    return True


def test_the_action_bar_stays_in_reach_and_opens_the_form(chromium_browser: Browser,
                                                          case_app: tuple[Flask, str]) -> None:
    app, base = case_app
    number = long_case(app, "answered")
    context, clerk = staff(chromium_browser, base, "clerk")
    clerk.set_viewport_size({"width": 1366, "height": 768})
    clerk.goto(f"{base}/cases/{number}")
    bar = clerk.locator("#action-bar")
    expect(bar.locator("a").first).to_have_text("Write the reply")
    clerk.mouse.wheel(0, 3000)
    clerk.wait_for_function("window.scrollY > 1500")
    box = bar.bounding_box()
    assert box is not None and abs(box["y"]) < 2  # stuck to the top of the window, far down the page
    bar.get_by_role("link", name="Write the reply").click()
    expect(clerk.locator("#action-reply")).to_have_attribute("open", "")
    expect(clerk.locator("#reply-body")).to_be_focused()
    assert in_viewport(clerk, "#action-reply")
    context.close()


def test_after_an_action_the_page_shows_what_changed(chromium_browser: Browser, case_app: tuple[Flask, str]) -> None:
    app, base = case_app
    number = long_case(app, "accepted")
    context, unit = staff(chromium_browser, base, "transport")
    unit.set_viewport_size({"width": 1366, "height": 768})
    unit.goto(f"{base}/cases/{number}")
    unit.mouse.wheel(0, 2500)
    unit.locator("#action-bar").get_by_role("link", name="Give feedback").click()
    unit.get_by_label("Feedback").fill("The stones were fixed on Tuesday.")
    unit.get_by_role("button", name="Send feedback").click()
    expect(unit.locator(".flash.success")).to_have_text("Your feedback was sent to the desk.")
    assert unit.url.endswith(f"/cases/{number}#feedback")
    unit.wait_for_function("window.scrollY > 500")  # not back at the top: at the feedback, below the letter
    assert in_viewport(unit, "#feedback")
    expect(unit.locator("#case-status")).to_have_text("answered")
    context.close()


def test_a_merge_asks_in_a_dialog_and_can_be_undone(chromium_browser: Browser, case_app: tuple[Flask, str]) -> None:
    app, base = case_app
    main, duplicate = make_case(app, until="registered"), make_case(app, until="registered")
    context, clerk = staff(chromium_browser, base, "clerk")
    clerk.goto(f"{base}/cases/{duplicate}")
    clerk.locator("#action-bar").get_by_role("link", name="Merge into another case").click()
    clerk.get_by_label("Main case number").fill(main)
    clerk.get_by_role("button", name="Merge into main case").click()
    dialog = clerk.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert status_of(app, duplicate) == "registered"
    clerk.get_by_role("button", name="Merge into main case").click()
    dialog.get_by_role("button", name="Yes, merge").click()
    expect(clerk.locator(".flash.success")).to_have_text(f"The case was merged into {main}.")
    expect(clerk.locator("#case-status")).to_have_text("merged")
    expect(clerk.locator("#banner-merged").get_by_role("link", name=main)).to_be_visible()
    clerk.locator("#undo-merge").click()
    expect(clerk.locator("#case-status")).to_have_text("registered")
    assert status_of(app, duplicate) == "registered"
    clerk.goto(f"{base}/cases/{main}")
    expect(clerk.locator("#timeline .other-case", has_text=duplicate)).to_have_count(2)  # merged in, taken out
    context.close()


def test_without_javascript_the_confirmation_is_a_page(chromium_browser: Browser,
                                                       case_app: tuple[Flask, str]) -> None:
    app, base = case_app
    number = make_case(app, until="registered")
    context = chromium_browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    clerk = context.new_page()
    clerk.goto(f"{base}/auth/login")
    clerk.get_by_label("User name").fill("clerk")
    from tests.conftest import DEMO_PASSWORDS

    clerk.get_by_label("Password").fill(DEMO_PASSWORDS["clerk"])
    clerk.get_by_role("button", name="Log in").click()
    clerk.goto(f"{base}/cases/{number}")
    clerk.locator("#action-bar").get_by_role("link", name="Mark invalid").click()
    expect(clerk.locator("#action-mark_invalid")).to_have_attribute("open", "")  # opened by the server
    clerk.get_by_label("Reason (spam, abuse, ...)").fill("advertising")
    clerk.get_by_role("button", name="Mark invalid").click()
    expect(clerk.locator("#confirm-step")).to_contain_text(f"Mark {number} invalid?")
    assert status_of(app, number) == "registered"
    clerk.get_by_role("button", name="Yes, mark it invalid").click()
    expect(clerk.locator("#case-status")).to_have_text("invalid")
    context.close()


def test_the_reply_is_previewed_with_its_pdf_before_it_is_sent(chromium_browser: Browser,
                                                               case_app: tuple[Flask, str]) -> None:
    app, base = case_app
    number = long_case(app, "answered")
    context, clerk = staff(chromium_browser, base, "clerk")
    clerk.set_viewport_size({"width": 1366, "height": 768})
    clerk.goto(f"{base}/cases/{number}")
    clerk.locator("#action-bar").get_by_role("link", name="Write the reply").click()
    body = clerk.locator("#reply-body")
    before = body.bounding_box()["height"]
    assert before >= 350  # tall from the start
    body.fill("Dear Ana,\n\n" + "\n".join(f"Line {n} of the answer." for n in range(60)))
    body.dispatch_event("input")
    assert body.bounding_box()["height"] > before + 300  # grows with the text
    clerk.get_by_role("button", name="Preview", exact=True).click()
    preview = clerk.locator("#reply-preview")
    expect(preview).to_contain_text("Line 59 of the answer.")
    assert in_viewport(clerk, "#reply-preview")
    assert "Line 59 of the answer." in clerk.locator("#reply-body").input_value()  # the editor kept the text
    with context.expect_page() as popup_info, \
            context.expect_event("response", lambda r: "/reply/preview.pdf" in r.url) as got:
        clerk.get_by_role("button", name="Preview the PDF").click()
    response = got.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    popup_info.value.close()
    assert status_of(app, number) == "answered"  # nothing was sent
    if os.environ.get("CASE_SCREENSHOT"):  # CASE_SCREENSHOT=1 refreshes the README picture
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        clerk.goto(f"{base}/cases/{returned_case(app)}")
        expect(clerk.locator("#banner-return-reason")).to_be_visible()
        clerk.screenshot(path=str(SCREENSHOTS / "case.png"))
    context.close()


def returned_case(app: Flask) -> str:
    """An urgent, supervised case the unit sent back: the banner has something to say."""
    from cases import services, supervision
    from tests.helpers.workflow import actor_for

    number = make_case(app, until="dispatched", urgent=True, subject="Street light out at the school crossing",
                       note="Check the crossing tonight and call the citizen back.")
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        policy = state(app).policy
        supervision.supervise(s, policy, case, actor_for(s, "supervisor"), "Children cross here at 7:30.")
        services.return_to_desk(s, policy, case, actor_for(s, "transport"),
                                "Street lights are the Eastern District's, not the Transport Bureau's.")
        s.commit()
    return number


def test_deactivating_a_unit_asks_in_a_dialog(chromium_browser: Browser, case_app: tuple[Flask, str]) -> None:
    from cases.models import Unit

    app, base = case_app
    context, admin = staff(chromium_browser, base, "admin")
    admin.goto(f"{base}/admin/units")
    row = admin.locator("tr", has_text="Ecology and Environment Bureau")
    row.get_by_role("button", name="Switch active").click()
    dialog = admin.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Deactivate Ecology and Environment Bureau?")
    dialog.get_by_role("button", name="Cancel").click()
    with state(app).sessions() as s:
        assert s.scalar(select(Unit.active).where(Unit.name == "Ecology and Environment Bureau"))
    row.get_by_role("button", name="Switch active").click()
    dialog.get_by_role("button", name="Yes, deactivate").click()
    expect(admin.locator("tr", has_text="Ecology and Environment Bureau")).to_contain_text("✘")
    with state(app).sessions() as s:
        assert not s.scalar(select(Unit.active).where(Unit.name == "Ecology and Environment Bureau"))
    context.close()


def test_deactivating_a_user_asks_in_a_dialog(chromium_browser: Browser, case_app: tuple[Flask, str]) -> None:
    from cases.models import User

    app, base = case_app
    with state(app).sessions() as s:
        clerk_id = s.scalar(select(User.id).where(User.username == "clerk"))
    context, admin = staff(chromium_browser, base, "admin")
    admin.goto(f"{base}/admin/users/{clerk_id}")
    expect(admin.locator("form[action$='/active'] input[type=checkbox]")).to_have_count(0)  # the dialog asks
    admin.get_by_role("button", name="Deactivate").click()
    dialog = admin.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Deactivate the account clerk and end its sessions?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    with state(app).sessions() as s:
        assert s.get(User, clerk_id).active
    admin.get_by_role("button", name="Deactivate").click()
    dialog.get_by_role("button", name="Yes, deactivate").click()
    expect(admin.locator(".flash.success")).to_have_text("Account deactivated; its sessions have ended.")
    expect(admin.get_by_role("button", name="Activate")).to_be_visible()
    with state(app).sessions() as s:
        assert not s.get(User, clerk_id).active
    context.close()
