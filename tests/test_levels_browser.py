"""A case passed down and back up in Chromium: the desk dispatches to a district with a co-handling bureau, the
district passes it to its street office (a late deadline refused beside its field), accepts the street office's
part and answers the office with it, saying why the bureau's part is missing."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser import live_url  # noqa: F401 (a fixture)
from tests.helpers.browser import open_action, staff, write_letter

pytestmark = pytest.mark.browser


def test_a_case_goes_down_to_the_street_office_and_back_up(page: Page, chromium_browser: Browser,
                                                           live_url: str) -> None:  # noqa: F811
    base = live_url
    number, _code = write_letter(page, base, "Loose paving at the school gate")
    _clerk_ctx, clerk = staff(chromium_browser, base, "clerk")
    clerk.goto(f"{base}/cases/{number}")
    open_action(clerk, "register")
    clerk.locator("#action-register").get_by_role("button", name="Register").click()
    open_action(clerk, "dispatch")
    dispatch = clerk.locator("#action-dispatch")
    dispatch.get_by_label("Category").select_option(label="Transport")
    dispatch.get_by_label("Unit", exact=True).select_option(label="Eastern District")
    dispatch.get_by_label("Co-handling units (协办)").select_option(label="Housing and Urban-Rural Development Bureau")
    dispatch.get_by_role("button", name="Dispatch").click()
    expect(clerk.locator("#case-status")).to_have_text("dispatched")
    expect(clerk.locator("#parts")).to_contain_text("co-handling")

    _d_ctx, district = staff(chromium_browser, base, "eastern")
    district.goto(f"{base}/cases/{number}")
    open_action(district, "accept")
    district.locator("#action-accept").get_by_role("button", name="Sign for").click()
    due = district.locator("#case-due").inner_text().strip()[:10]
    open_action(district, "pass-down")
    form = district.locator("#action-pass-down")
    form.get_by_label("Sub-unit", exact=True).select_option(label="Jiefang Road Street Office")
    form.get_by_label("Instructions for the sub-unit").fill("Count the loose stones.")
    form.get_by_label("Due on").fill((date.fromisoformat(due) + timedelta(days=2)).isoformat())
    form.get_by_role("button", name="Pass down").click()
    expect(district.locator("#pass-down-due-error")).to_contain_text(f"on or before your own, {due}")
    district.locator("#action-pass-down").get_by_label("Due on").fill(due)
    district.locator("#action-pass-down").get_by_role("button", name="Pass down").click()
    expect(district.get_by_text("Passed down.")).to_be_visible()

    _s_ctx, street = staff(chromium_browser, base, "jiefang")
    street.goto(f"{base}/unit/passed-down")
    street.get_by_role("link", name=number).click()
    expect(street.locator("#parts")).to_contain_text("Count the loose stones.")
    street.get_by_label("Your unit's part").fill("Nine stones loose; fixed on Thursday.")
    street.get_by_role("button", name="Give our part").click()
    expect(street.get_by_text("Your part was given.")).to_be_visible()

    district.goto(f"{base}/cases/{number}")
    review = district.locator("details[id^=action-review-]")
    review.locator("summary").click()
    review.get_by_label("Accept the part").check()
    review.get_by_role("button", name="Decide").click()
    open_action(district, "feedback")
    expect(district.get_by_label("Feedback", exact=True)).to_have_value(re.compile("Nine stones loose"))
    district.get_by_role("button", name="Send feedback").click()
    expect(district.locator("#feedback-without_parts_reason-error")).to_contain_text("Housing")
    district.get_by_label("Answer without a co-handling unit's part").fill("No housing matter in a pavement.")
    district.get_by_role("button", name="Send feedback").click()
    expect(district.locator("#case-status")).to_have_text("answered")
    timeline = district.locator("ol.timeline")
    for step in ("passed down", "part given", "part accepted", "answered without a part"):
        expect(timeline).to_contain_text(step)
