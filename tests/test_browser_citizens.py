"""Citizens and the desk in a real browser: the phone layout, the language switcher, required fields, the upload
size check before sending, and printing the post in two steps. With README_SCREENSHOTS=1 the README's pictures of
these pages (and of the weekly report and a Chinese postal reply, rasterised) are refreshed."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from cases import services
from cases.models import Case
from tests.conftest import DEMO_PASSWORDS, drain
from tests.helpers.workflow import actor_for
from tests.helpers.reply_letters import answered_case
from web.app_state import state
from web.supervision import report

from tests.helpers.browser import demo_app, served

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "images"
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture()
def live(app_factory) -> Iterator[tuple[str, Flask]]:  # type: ignore[no-untyped-def]
    """The demo office served on a loopback port, with small upload limits to cross in the browser."""
    app = demo_app(app_factory, MAX_ATTACHMENT_BYTES=100_000, MAX_AUDIO_BYTES=150_000, MAX_CONTENT_LENGTH=250_000)
    with served(app) as base:
        yield base, app


def _tab(browser: Browser, viewport: dict, lang: str = "en") -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=viewport, extra_http_headers={"Accept-Language": lang})
    context.set_default_timeout(10_000)
    return context, context.new_page()


def _login(tab: Page, base: str, username: str) -> None:
    tab.goto(f"{base}/auth/login")
    tab.get_by_label("User name").fill(username)
    tab.get_by_label("Password").fill(DEMO_PASSWORDS[username])
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("button", name="Log out")).to_be_visible()


def _screenshots() -> bool:
    return bool(os.environ.get("README_SCREENSHOTS"))


def test_on_a_phone_the_header_is_short_and_no_page_scrolls_sideways(chromium_browser: Browser,
                                                                     live: tuple[str, Flask]) -> None:
    base, _app = live
    for lang in ("en", "zh", "es"):
        context, tab = _tab(chromium_browser, PHONE, lang)
        try:
            for path in ("/", "/write", "/track", "/statistics", "/archive"):
                tab.goto(base + path)
                header = tab.locator("header.top").bounding_box()
                assert header["height"] <= PHONE["height"] / 4, (lang, path, header)
                wide = tab.evaluate("document.documentElement.scrollWidth")
                assert wide <= PHONE["width"], (lang, path, wide)
            if lang == "en" and _screenshots():
                tab.goto(base + "/write")
                tab.screenshot(path=str(SCREENSHOTS / "write-phone.png"))
        finally:
            context.close()


def test_the_switcher_marks_the_language_and_required_fields_are_marked(chromium_browser: Browser,
                                                                        live: tuple[str, Flask]) -> None:
    base, _app = live
    context, tab = _tab(chromium_browser, DESKTOP)
    try:
        tab.goto(base + "/write")
        expect(tab.locator(".langs button[aria-current=true]")).to_have_text("English")
        assert tab.locator("link[rel=icon]").get_attribute("href").endswith("favicon.svg")
        icon = tab.request.get(base + tab.locator("link[rel=icon]").get_attribute("href"))
        assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
        subject = tab.get_by_label("Subject")
        assert subject.get_attribute("required") is not None
        expect(tab.locator("label[for=subject] + .req")).to_be_visible()
        expect(tab.locator("label[for=phone] + .req")).to_have_count(0)  # optional
        tab.get_by_role("button", name="中文").click()
        expect(tab.locator(".langs button[aria-current=true]")).to_have_text("中文")
        expect(tab.locator(".langs button[aria-current]")).to_have_count(1)
        assert tab.locator("html").get_attribute("lang").startswith("zh")
    finally:
        context.close()


@pytest.mark.parametrize("lang, message", [("en", "is larger than"), ("zh", "超过")])
def test_files_over_the_limit_are_refused_before_sending(chromium_browser: Browser, live: tuple[str, Flask],
                                                          lang: str, message: str) -> None:
    base, app = live
    context, tab = _tab(chromium_browser, DESKTOP, lang)
    try:
        tab.goto(base + "/write")
        tab.locator("#subject").fill("Streetlight out")
        tab.locator("#body").fill("The streetlight at the corner has been out for a week.")
        tab.locator("#name").fill("Ana Ruiz")
        tab.locator("#email").fill("ana@example.org")
        big = {"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\0" * 120_000}
        tab.locator("#attachments").set_input_files([big])
        expect(tab.locator("#attachments-size-error")).to_contain_text(message)
        expect(tab.locator("#attachments-size-error")).to_contain_text("photo.png")
        tab.locator("form:has(#subject) [type=submit]").click()
        expect(tab.locator("#attachments-size-error")).to_be_visible()
        assert tab.url.endswith("/write") and tab.locator("#subject").input_value() == "Streetlight out"
        with state(app).sessions() as s:
            before = s.scalar(select(func.count()).select_from(Case))
        small = dict(big, buffer=b"\x89PNG\r\n\x1a\n" + b"\0" * 1000)
        three = [dict(big, name=f"p{i}.png", buffer=b"\x89PNG\r\n\x1a\n" + b"\0" * 90_000) for i in range(3)]
        tab.locator("#attachments").set_input_files(three)  # each within its limit, together too large
        expect(tab.locator("#attachments-size-error")).to_be_visible()
        tab.locator("#attachments").set_input_files([small])
        expect(tab.locator("#attachments-size-error")).to_be_hidden()
        with state(app).sessions() as s:
            assert s.scalar(select(func.count()).select_from(Case)) == before
    finally:
        context.close()


def test_the_post_is_marked_only_after_the_clerk_confirms_the_print(chromium_browser: Browser,
                                                                     live: tuple[str, Flask], tmp_path: Path) -> None:
    base, app = live
    number = answered_case(app, name="李华", email="", preferred="post", address="春田市河滨路12号\n邮编 100115",
                           subject="路灯损坏", body="路灯坏了两个星期。", feedback="经查，路灯已于周一修复。")
    with state(app).sessions() as s:  # the clerk's postal reply (its PDF is made when the post is printed)
        case = s.scalar(select(Case).where(Case.number == number))
        services.reply(s, state(app).policy, case, actor_for(s, "clerk"), channel="post", subject=f"关于{case.subject}",
                       body="李华您好：\n\n经查，路灯已于周一修复。感谢您的来信。\n\n市长信箱")
        s.commit()
    context, tab = _tab(chromium_browser, DESKTOP)
    try:
        _login(tab, base, "clerk")
        tab.goto(base + "/letters/post")
        tab.get_by_role("button", name="Print all and mark as posted").click()
        with tab.expect_download() as download:
            tab.locator("#print-pdf").click()
        pdf = tmp_path / "post.pdf"
        download.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        tab.get_by_role("button", name="Something went wrong: keep them waiting").click()
        expect(tab.locator(".flash")).to_contain_text("still waiting")
        expect(tab.locator("table.post-queue")).to_contain_text(number)
        tab.get_by_role("button", name="Print all and mark as posted").click()
        tab.get_by_role("button", name="The print went well: mark them as posted").click()
        expect(tab.locator(".flash")).to_contain_text("1 letters marked as posted")
        expect(tab.locator("#post-empty")).to_be_visible()
        if _screenshots():
            _rasterise(pdf, SCREENSHOTS / "postal-reply-zh.png")
    finally:
        context.close()


def test_readme_pictures_of_search_the_phone_form_and_the_weekly_report(chromium_browser: Browser,
                                                                        live: tuple[str, Flask],
                                                                        tmp_path: Path) -> None:
    base, app = live
    drain(app, "index_case")  # what the worker does after the demo's commit
    week = report.last_full_week(state(app).policy.today())
    with state(app).sessions() as s:  # the demo's letters spread over last week, so the report draws lines
        for i, case in enumerate(s.scalars(select(Case).order_by(Case.id))):
            case.received_at = datetime.combine(week + timedelta(days=i % 7), time(9), timezone.utc)
        s.commit()
    context, tab = _tab(chromium_browser, DESKTOP)
    try:
        _login(tab, base, "supervisor")
        tab.goto(base + "/search/?q=light")
        expect(tab.locator("main")).to_contain_text("Street light broken on Jiefang Road")
        if _screenshots():
            tab.screenshot(path=str(SCREENSHOTS / "search.png"))
        tab.goto(base + "/desk/phone")
        expect(tab.locator("main form")).to_be_visible()
        if _screenshots():
            tab.screenshot(path=str(SCREENSHOTS / "desk-phone.png"))
        tab.goto(base + "/supervision/")
        tab.locator("form[action$='/supervision/reports'] [type=submit]").click()
        expect(tab.locator("svg.chart polyline").first).to_be_attached()
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(tab.request.get(tab.url.rsplit(".", 1)[0] + ".pdf").body())
        assert pdf.read_bytes().startswith(b"%PDF")
        if _screenshots():
            _rasterise(pdf, SCREENSHOTS / "weekly-report.png")
    finally:
        context.close()


def _rasterise(pdf: Path, png: Path) -> None:
    """The first page of ``pdf`` as a PNG, as a reader sees it printed."""
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True)
