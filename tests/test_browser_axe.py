"""Accessibility: axe-core (vendored in tests/axe/, injected by Playwright) on every page each role reaches from
the menus, following links inside the app, in English, and on a sample in Chinese and Spanish. No serious or
critical violation may remain."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from cases.models import Case
from tests.conftest import DEMO_PASSWORDS
from web.app_state import state

from tests.helpers.browser import demo_app, served

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")
# Links that are no page: downloads, log-out, the language switch, recordings, APIs.
NOT_PAGES = re.compile(r"\.(pdf|csv|xlsx|zip|json|png|svg|txt)$|/files/|/play$|/raw|/logout|/lang/|/open311|/static/"
                       r"|/\.well-known/|/health")
MAX_PAGES = 60


def _context(browser: Browser, base: str, username: str | None, lang: str = "en") -> tuple[BrowserContext, Page]:
    # The app's CSP allows no injected script; axe is a test tool, so the test's browser ignores the CSP.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768},
                                  extra_http_headers={"Accept-Language": lang})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    if username:
        tab.goto(f"{base}/auth/login")
        tab.locator("#username").fill(username)
        tab.locator("#password").fill(DEMO_PASSWORDS[username])
        tab.locator("main form [type=submit]").click()
        expect(tab.locator("form[action$='/auth/logout']")).to_be_visible()
    return context, tab


def _shape(url: str) -> str:
    """Pages of one kind (every case page, every user's edit page) are checked once."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + ("?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else "")


def _violations(tab: Page) -> list[str]:
    tab.add_script_tag(content=AXE)
    result = tab.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
                                       target: v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}));
    }""")
    return [f"{v['id']} ({v['impact']}, {v['n']}×: {v['target']})" for v in result if v["impact"] in BLOCKING]


def _crawl(tab: Page, base: str, seeds: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    """Every page reachable from ``seeds`` by links inside the app (one of each shape): the blocking findings per
    page, and the shapes of the pages checked."""
    queue, seen, found = [urljoin(base, s) for s in seeds], set(), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        shape = _shape(url)
        if shape in seen or NOT_PAGES.search(urlsplit(url).path):
            continue
        seen.add(shape)
        response = tab.goto(url)
        if response is None or response.status >= 500 or "text/html" not in response.headers.get("content-type", ""):
            found[url] = [f"HTTP {response.status if response else '?'}"] if response and response.status >= 500 \
                else []
            continue
        problems = _violations(tab)
        if problems:
            found[url] = problems
        for href in tab.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if href.startswith(base) and "#" not in href[len(base):] and _shape(href) not in seen:
                queue.append(href)
    return {url: problems for url, problems in found.items() if problems}, seen


@pytest.fixture()
def live(app_factory) -> Iterator[tuple[str, Flask]]:  # type: ignore[no-untyped-def]
    """The app with the demo data, served on a loopback port, as in production (CSRF, secure cookies)."""
    app = demo_app(app_factory)
    with served(app) as base:
        yield base, app


def _tracking_link(app: Flask) -> str:
    with state(app).sessions() as s:
        case = s.scalars(select(Case).order_by(Case.id)).first()
        return f"/track?number={case.number}&code={case.tracking_code}"


def test_the_check_finds_a_serious_violation(chromium_browser: Browser) -> None:
    context = chromium_browser.new_context()
    try:
        tab = context.new_page()
        tab.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
        problems = _violations(tab)
    finally:
        context.close()
    assert any(p.startswith("image-alt") for p in problems) and any(p.startswith("label") for p in problems)


ROLE_SEEDS = {
    None: ["/", "/write", "/track", "/archive", "/statistics", "/auth/login", "/no-such-page"],
    "clerk": ["/desk/", "/desk/phone", "/desk/callbacks", "/letters/post", "/scans/", "/quarantine/",
              "/search/?q=light", "/knowledge/", "/auth/password"],
    "transport": ["/unit/", "/supervision/supervised", "/search/?q=light", "/knowledge/"],
    "supervisor": ["/supervision/", "/supervision/performance", "/supervision/deadlines", "/letters/approvals",
                   "/privacy/log", "/supervisor/"],
    "admin": ["/admin/users", "/admin/units", "/admin/categories", "/letters/templates"],
}


@pytest.mark.parametrize("username", list(ROLE_SEEDS), ids=lambda u: u or "citizen")
def test_every_page_of_every_role_passes_axe(chromium_browser: Browser, live: tuple[str, Flask],
                                            username: str | None) -> None:
    base, app = live
    context, tab = _context(chromium_browser, base, username)
    try:
        seeds = list(ROLE_SEEDS[username])
        if username is None:
            seeds.append(_tracking_link(app))
        found, checked = _crawl(tab, base, seeds)
    finally:
        context.close()
    assert len(checked) >= len(seeds)
    assert found == {}, "\n".join(f"{url}: {'; '.join(p)}" for url, p in found.items())


@pytest.mark.parametrize("lang", ["zh", "es"])
@pytest.mark.parametrize("username, paths", [
    (None, ["/", "/write", "/track", "/statistics", "/archive"]),
    ("clerk", ["/desk/", "/desk/phone", "/letters/post", "/search/?q=light"]),
    ("supervisor", ["/supervision/", "/supervision/performance"]),
    ("admin", ["/admin/users", "/admin/categories"]),
], ids=["citizen", "clerk", "supervisor", "admin"])
def test_a_sample_in_chinese_and_spanish_passes_axe(chromium_browser: Browser, live: tuple[str, Flask], lang: str,
                                                    username: str | None, paths: list[str]) -> None:
    base, app = live
    context, tab = _context(chromium_browser, base, username, lang)
    try:
        found = {}
        for path in paths + ([_tracking_link(app)] if username is None else []):
            tab.goto(base + path)
            assert tab.locator("html").get_attribute("lang").startswith(lang)
            problems = _violations(tab)
            if problems:
                found[path] = problems
    finally:
        context.close()
    assert found == {}, "\n".join(f"{url}: {'; '.join(p)}" for url, p in found.items())
