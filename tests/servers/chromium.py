"""Headless Chromium for browser tests, driven by Playwright's sync API.

It uses the distribution's Chromium binary; Playwright never downloads a
browser here. Fixtures: ``chromium_browser`` (session) and ``page`` (function:
a fresh context, so fresh cookies, per test; a screenshot is saved to the
test's tmp dir when the test fails).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.servers.freeport import ServerStartError

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = (
    "--no-sandbox",  # the sandbox needs user namespaces, often missing in containers and as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No traffic of its own: tests reach only loopback servers.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # /dev/shm is tiny in containers
)
DEFAULT_TIMEOUT_MS = 10_000
FAILURE_SCREENSHOT = "failure.png"

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_PLUGIN_NAME = "throwaway-servers-browser-reports"


def find_chromium() -> str:
    """Path of the installed Chromium binary."""
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    raise ServerStartError("Chromium not found; install the chromium package")


class _ReportRecorder:
    """Pytest plugin keeping each phase's report on the test item.

    Registered at run time by the ``page`` fixture, so the fixture can tell in
    its teardown whether the test failed without anyone editing conftest.py.
    """

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        report = yield
        item.stash.setdefault(_REPORTS, {})[report.when] = report
        return report


def _test_failed(node: pytest.Item) -> bool:
    reports = node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


def browser_env(home: Path) -> dict[str, str]:
    """Environment for the browser: our own, with a throwaway home folder.

    Chromium's crash reporter writes under ``$XDG_CONFIG_HOME`` even when the
    profile is temporary; this keeps it out of the real home.
    """
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        # Only matters if something ever runs Playwright's installer: never download a browser.
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    }


@pytest.fixture(scope="session")
def chromium_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """A headless Chromium shared by the session (contexts isolate the tests)."""
    executable = find_chromium()
    home = tmp_path_factory.mktemp("chromium-home")
    # expect() has its own default (5 s); make it match the page timeout.
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_ARGS),
            env=browser_env(home),
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture()
def page(
    chromium_browser: Browser, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Page]:
    """A new page in a new browser context (no cookies or storage from other tests).

    Actions and navigations time out after 10 s. If the test fails, a screenshot
    is written to ``<tmp_path>/failure.png`` and its path printed.
    """
    plugins = request.config.pluginmanager
    if not plugins.has_plugin(_PLUGIN_NAME):
        plugins.register(_ReportRecorder(), _PLUGIN_NAME)
    context = chromium_browser.new_context()
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    try:
        new_page = context.new_page()
        yield new_page
        if isinstance(request.node, pytest.Item) and _test_failed(request.node):
            shot = tmp_path / FAILURE_SCREENSHOT
            try:
                new_page.screenshot(path=str(shot), full_page=True)
                print(f"failure screenshot: {shot}")
            except Exception as exc:  # noqa: BLE001 - a broken page must not hide the real failure
                print(f"failure screenshot not taken: {exc}")
    finally:
        context.close()
