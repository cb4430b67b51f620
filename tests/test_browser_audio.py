"""A call recording in Chromium: attached on the phone desk form, then loaded and decoded by the case page's
player under the app's Content Security Policy."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers.media import wav
from tests.helpers.browser import desk_app, staff  # noqa: F401 (desk_app is a fixture)

pytestmark = pytest.mark.browser


def test_a_recorded_call_plays_on_the_case_page(chromium_browser: Browser, desk_app) -> None:  # noqa: F811
    _app, base = desk_app
    context, clerk = staff(chromium_browser, base, "clerk")
    refused: list[str] = []
    clerk.on("console", lambda message: refused.append(message.text)
             if "Content Security Policy" in message.text else None)
    clerk.goto(f"{base}/desk/phone")
    clerk.get_by_label("Caller").fill("王女士")
    clerk.get_by_label("Number").fill("13911112222")
    clerk.get_by_label("Summary").fill("小区门口的路灯坏了一个星期。")
    clerk.get_by_label("Call recording or voice message").set_input_files(
        files=[{"name": "call.wav", "mimeType": "audio/wav", "buffer": wav(seconds=1.5)}])
    clerk.get_by_role("button", name="Save call").click()
    expect(clerk.locator(".flash.success")).to_contain_text("Call saved")
    player = clerk.locator("audio.recording")
    expect(player).to_have_count(1)
    # Fetch and decode it as pressing play does (headless Chromium has no sound card to play it to).
    duration = player.evaluate("""audio => new Promise((loaded, failed) => {
        audio.addEventListener("loadedmetadata", () => loaded(audio.duration));
        audio.addEventListener("error", () => failed(new Error("media error " + audio.error.code)), true);
        audio.preload = "auto";
        audio.load();
    })""")
    assert abs(duration - 1.5) < 0.05
    assert player.evaluate("audio => audio.error") is None
    assert refused == []
    context.close()
