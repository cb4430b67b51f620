"""The case desk as people use it: Playwright driving Debian's Chromium against the app on a loopback port."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser import live_url, open_action, staff, write_letter  # noqa: F401 (live_url: a fixture)

pytestmark = pytest.mark.browser


def test_a_letter_travels_from_citizen_to_unit_and_back(page: Page, chromium_browser: Browser,
                                                        live_url: str) -> None:
    base = live_url
    # A citizen writes a letter, with an error first that is shown beside its field.
    page.goto(f"{base}/write")
    page.get_by_role("button", name="Send the letter").click()
    expect(page.locator("#subject-error")).to_have_text("This field is required.")
    number, code = write_letter(page, base, "Hole in the road at the school")
    page.get_by_role("link", name="Track my case").last.click()
    expect(page.locator("#case-status")).to_have_text("received")

    # A clerk logs a phone call by keyboard alone, then dispatches both cases.
    clerk_ctx, clerk = staff(chromium_browser, base, "clerk")
    clerk.goto(f"{base}/desk/phone")
    expect(clerk.get_by_label("Caller")).to_be_focused()  # the form opens ready to type
    clerk.keyboard.type("Mr Zhou")
    clerk.keyboard.press("Tab")
    clerk.keyboard.type("13800001111")
    clerk.get_by_label("Summary").fill("Bus 12 skips the Riverside stop")
    clerk.get_by_label("Summary").press("Tab")  # reach the save button by keyboard
    clerk.keyboard.press("Enter")
    expect(clerk.locator("#case-status")).to_have_text("registered")
    phone_number = clerk.url.rsplit("/", 1)[1]
    for case_number in (phone_number, number):
        clerk.goto(f"{base}/cases/{case_number}")
        if clerk.locator("#action-register").count():
            open_action(clerk, "register")
            clerk.locator("#action-register").get_by_role("button", name="Register").click()
        open_action(clerk, "dispatch")
        clerk.locator("#action-dispatch").get_by_label("Category").select_option(label="Transport")
        clerk.locator("#action-dispatch").get_by_label("Unit", exact=True).select_option(label="Transport Bureau")
        clerk.locator("#action-dispatch").get_by_role("button", name="Dispatch").click()
        expect(clerk.locator("#case-status")).to_have_text("dispatched")

    # The unit handler returns the phone case and answers the letter.
    unit_ctx, unit = staff(chromium_browser, base, "transport")
    unit.goto(f"{base}/cases/{phone_number}")
    open_action(unit, "return")
    unit.get_by_label("Why is this not your unit's case?").fill("Bus stops belong to the bus company desk.")
    unit.get_by_role("button", name="Return to the desk").click()
    expect(unit.locator(".flash.success")).to_have_text("The case was returned to the desk.")
    unit.goto(f"{base}/cases/{number}")
    open_action(unit, "accept")
    unit.locator("#action-accept").get_by_role("button", name="Sign for").click()
    open_action(unit, "feedback")
    unit.get_by_label("Feedback").fill("The hole was filled on Tuesday.")
    unit.get_by_role("button", name="Send feedback").click()
    expect(unit.locator("#case-status")).to_have_text("answered")

    # The clerk sees the return, replies to the letter and it is tracked by the citizen.
    clerk.goto(f"{base}/desk/to-dispatch")
    expect(clerk.get_by_role("link", name=phone_number)).to_be_visible()
    clerk.goto(f"{base}/cases/{number}")
    open_action(clerk, "reply")
    clerk.get_by_label("Reply letter").fill("Dear Ana, the hole was filled on Tuesday. Thank you for writing.")
    clerk.get_by_role("button", name="Send reply").click()
    expect(clerk.locator("#case-status")).to_have_text("replied")

    page.goto(f"{base}/track")
    page.get_by_label("Case number").fill(number)
    page.get_by_label("Tracking code").fill(code)
    page.get_by_role("button", name="Show my case").click()
    expect(page.get_by_text("the hole was filled on Tuesday")).to_be_visible()
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_role("button", name="Send my rating").click()
    expect(page.locator("#case-status")).to_have_text("closed")
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    clerk_ctx.close()
    unit_ctx.close()


def test_language_switcher_and_browser_language(chromium_browser: Browser, live_url: str) -> None:
    context = chromium_browser.new_context(locale="zh-CN")
    tab = context.new_page()
    tab.goto(f"{live_url}/write")
    expect(tab.locator("html")).to_have_attribute("lang", "zh")
    tab.get_by_role("button", name="Español").click()
    expect(tab.locator("html")).to_have_attribute("lang", "es")
    context.close()
