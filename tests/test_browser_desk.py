"""The desk answering on the spot, in Chromium: suggestions and caller history while a call is typed, answering
by keyboard from a suggested article, following up an open case, and a letter answered directly and rated."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from cases.models import Case
from tests.helpers.browser import open_action, staff, write_letter
from web.app_state import state
from tests.helpers.browser import desk_app  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "images"


def test_a_call_is_answered_by_keyboard_from_a_suggested_article(chromium_browser: Browser,
                                                                  desk_app: tuple[Flask, str]) -> None:
    app, base = desk_app
    context, clerk = staff(chromium_browser, base, "clerk")
    clerk.set_viewport_size({"width": 1280, "height": 900})
    clerk.goto(f"{base}/desk/phone")
    expect(clerk.get_by_label("Caller")).to_be_focused()
    clerk.keyboard.type("张伟")
    clerk.keyboard.press("Tab")
    clerk.keyboard.type("138 0000 0000")  # the demo's heating caller: an open case this month
    expect(clerk.locator("#repeat-caller")).to_have_text("Repeat caller — cases in 30 days: 1")
    expect(clerk.locator("#caller-cases li.open")).to_contain_text("Heating not working in public housing")
    clerk.get_by_label("Summary").click()
    clerk.keyboard.type("市民问：公交卡怎么办理？")
    first = clerk.locator("#suggested-articles-list li").first
    expect(first).to_contain_text("公交卡（市民卡）怎么办理？")
    expect(clerk.locator("#suggested-articles-list li")).to_have_count(1)
    if os.environ.get("DESK_SCREENSHOT"):  # DESK_SCREENSHOT=1 refreshes the README picture
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        clerk.screenshot(path=str(SCREENSHOTS / "desk-phone-suggestions.png"), full_page=True)
    clerk.keyboard.press("Alt+1")  # the first suggestion becomes the answer, its number is noted
    expect(clerk.get_by_label("Answer given on the call")).to_have_value(
        "携带本人身份证到任一公交服务网点或地铁客服中心办理，押金20元，当场取卡。60岁以上老人可办理免费乘车的老年卡。")
    article = first.get_attribute("data-article-id")
    expect(clerk.get_by_label("Knowledge base articles used")).to_have_value(str(article))
    clerk.keyboard.press("Tab")  # from the summary, saving is one Tab away
    expect(clerk.get_by_role("button", name="Save call")).to_be_focused()
    clerk.keyboard.press("Enter")
    expect(clerk.locator("#case-status")).to_have_text("closed")
    expect(clerk.locator(".direct-answer")).to_contain_text("押金20元")
    expect(clerk.locator(".articles-used")).to_contain_text(f"#{article}")
    context.close()


def test_a_repeat_call_is_added_to_the_open_case_with_one_click(chromium_browser: Browser,
                                                                desk_app: tuple[Flask, str]) -> None:
    app, base = desk_app
    with state(app).sessions() as session:
        heating = session.scalar(select(Case).where(Case.subject.startswith("Heating"))).number
    context, clerk = staff(chromium_browser, base, "clerk")
    clerk.goto(f"{base}/desk/phone")
    clerk.get_by_label("Caller").fill("张伟")
    clerk.get_by_label("Number").fill("13800000000")
    clerk.locator(f'#caller-cases button.follow-up[data-number="{heating}"]').click()
    expect(clerk.locator("#follow-up-number")).to_have_text(heating)
    clerk.get_by_label("Summary").fill("The heating is still off; he calls again.")
    clerk.get_by_role("button", name="Save call").click()
    expect(clerk.get_by_text(f"Call added to case {heating}.")).to_be_visible()
    expect(clerk.locator(".letter").last).to_contain_text("The heating is still off")
    context.close()


def test_a_written_consultation_is_answered_directly_and_rated_by_the_citizen(page: Page, chromium_browser: Browser,
                                                                             desk_app: tuple[Flask, str]) -> None:
    app, base = desk_app
    page.goto(f"{base}/write")
    page.get_by_label("What kind of letter is it?").select_option("consultation")
    page.get_by_label("Subject").fill("Documents for public rental housing")
    page.get_by_label("Your letter").fill("Which documents do I need to apply for public rental housing?")
    page.get_by_label("Your name").fill("Ana Ruiz")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_role("button", name="Send the letter").click()
    number, code = page.locator("#case-number").inner_text(), page.locator("#tracking-code").inner_text()

    context, clerk = staff(chromium_browser, base, "clerk")
    clerk.goto(f"{base}/cases/{number}")
    expect(clerk.locator("#suggested-articles-list li").first).to_contain_text(
        "Which documents do I need to apply for public rental housing?")
    open_action(clerk, "answer_directly")
    clerk.locator("#suggested-articles-list li").first.get_by_role("button").click()
    form = clerk.locator("#action-answer_directly")
    expect(form.get_by_label("Answer", exact=True)).to_have_value(
        "Bring your ID card, household register, proof of income for the last 12 months and a signed statement "
        "that you own no housing in the city. Apply at your district housing office; the answer comes within 20 "
        "working days.")
    form.get_by_label("Answered").select_option("email")
    form.get_by_role("button", name="Answer and close").click()
    expect(clerk.locator("#case-status")).to_have_text("closed")
    context.close()

    page.goto(f"{base}/track?number={number}&code={code}")
    expect(page.get_by_text("proof of income for the last 12 months")).to_be_visible()
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_role("button", name="Send my rating").click()
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    with state(app).sessions() as session:
        assert session.scalar(select(Case).where(Case.number == number)).satisfaction.value == "satisfied"
    assert write_letter  # the shared helper stays importable for the other browser tests


def test_an_address_typed_on_the_phone_form_shows_the_households_letters(chromium_browser: Browser,
                                                                         desk_app: tuple[Flask, str]) -> None:
    _app, base = desk_app
    citizen = chromium_browser.new_page()
    citizen.goto(f"{base}/write")
    citizen.get_by_label("What kind of letter is it?").select_option("report")
    citizen.get_by_label("Subject").fill("楼道灯坏了")
    citizen.get_by_label("Your letter").fill("楼道灯坏了很久，晚上很黑，老人上下楼不安全。")
    citizen.get_by_label("Your name").fill("王女士")
    citizen.get_by_label("Postal address").fill("北京市朝阳区建国路８８號 3单元")
    citizen.get_by_label("By post").check()
    citizen.get_by_role("button", name="Send the letter").click()
    expect(citizen.locator("#case-number")).to_be_visible()
    citizen.close()
    context, clerk = staff(chromium_browser, base, "clerk")
    clerk.goto(f"{base}/desk/phone")
    clerk.get_by_label("Caller").fill("王先生")
    clerk.get_by_label("Number").fill("13800001111")  # a number with no history: the address finds the household
    clerk.get_by_label("Postal address").type("北京市 朝阳区 建国路88号3单元")
    expect(clerk.locator("#caller-cases li.open")).to_contain_text("楼道灯坏了")
    expect(clerk.locator("#repeat-caller")).to_have_text("Repeat caller — cases in 30 days: 1")
    context.close()
