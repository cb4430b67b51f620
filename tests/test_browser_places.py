"""Maps in Chromium: a citizen drops a pin on the letter form and the case is placed in its area; supervisors see
the cases clustered on the map with the count per area, and filter them."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from cases import areas, geocode, intake
from cases.drafts import Channel, LetterDraft, PlaceDraft
from cases.models import Case
from cases.models_places import Area, CasePlace
from tests.places_fixtures import ADDRESSES_CSV, IN_HARBOUR, IN_WEST, city_geojson
from tests.helpers.browser import demo_app, served
from tests.helpers.browser import staff
from web.app_state import state

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "images"


@pytest.fixture()
def map_app(app_factory) -> Iterator[tuple[Flask, str]]:  # type: ignore[no-untyped-def]
    """The demo app with the made-up city's areas and addresses, served on a loopback port (no tiles)."""
    app = demo_app(app_factory)
    with state(app).sessions() as session:
        areas.save_areas(session, areas.parse_areas(city_geojson()))
        geocode.save_addresses(session, geocode.parse_address_csv(ADDRESSES_CSV.encode()))
        session.commit()
    with served(app) as base:
        yield app, base


def _fill_letter(page: Page) -> None:
    page.get_by_label("What kind of letter is it?").select_option("report")
    page.get_by_label("Subject").fill("Broken street light")
    page.get_by_label("Your letter").fill("The street light has been dark for a week.")
    page.get_by_label("Your name").fill("Ana Ruiz")
    page.get_by_label("Email", exact=True).fill("ana@example.org")


def test_a_citizen_drops_a_pin_and_the_case_is_placed(chromium_browser: Browser, map_app: tuple[Flask, str]) -> None:
    app, base = map_app
    context = chromium_browser.new_context(viewport={"width": 1100, "height": 1400})
    page = context.new_page()
    page.goto(f"{base}/write")
    pin_map = page.locator("#pin-map")
    expect(pin_map).to_be_visible()
    expect(pin_map.locator("path[data-area]")).to_have_count(3)  # the areas, drawn without tiles
    _fill_letter(page)
    box = pin_map.locator('path[data-area="West"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)  # inside West
    expect(pin_map.locator(".leaflet-marker-icon")).to_have_count(1)
    lat, lon = float(page.get_by_label("Latitude").input_value()), float(page.get_by_label("Longitude").input_value())
    assert 31.2 <= lat <= 31.3 and 121.4 <= lon < 121.5
    page.get_by_role("button", name="Remove the pin").click()
    expect(page.get_by_label("Latitude")).to_have_value("")
    expect(pin_map.locator(".leaflet-marker-icon")).to_have_count(0)
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.get_by_role("button", name="Send the letter").click()
    number = page.locator("#case-number").inner_text()
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        place = session.get(CasePlace, case.id)
        assert place.source == "pin" and session.get(Area, place.area_id).name == "West"
    context.close()


def test_supervisors_see_clustered_cases_and_counts_per_area(chromium_browser: Browser,
                                                              map_app: tuple[Flask, str]) -> None:
    app, base = map_app
    with state(app).sessions() as session:
        for n in range(6):
            spot = IN_HARBOUR if n % 3 else IN_WEST
            intake.receive(session, state(app).policy, LetterDraft(
                channel=Channel.WEB, subject=f"Pothole {n}", body="A deep pothole in the road.",
                place=PlaceDraft(lat=spot[0] + n * 0.001, lon=spot[1] + n * 0.001)))
        session.commit()
    context, tab = staff(chromium_browser, base, "supervisor")
    tab.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.get_by_role("link", name="Map").click()
    case_map = tab.locator("#case-map")
    expect(case_map).to_have_attribute("data-ready", "1")
    expect(case_map).to_have_attribute("data-points", "6")
    expect(case_map.locator(".area-label", has_text="East: 4")).to_be_visible()
    expect(case_map.locator(".area-label", has_text="West: 2")).to_be_visible()
    expect(case_map.locator(".marker-cluster").first).to_be_visible()  # nearby cases gather in a cluster
    expect(tab.locator("#area-counts tr[data-area]").first).to_contain_text("East")
    if os.environ.get("MAP_SCREENSHOT"):  # MAP_SCREENSHOT=1 refreshes the README picture
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)
    tab.get_by_label("Status").select_option("closed")
    tab.get_by_role("button", name="Show").click()
    expect(case_map).to_have_attribute("data-ready", "1")
    expect(case_map).to_have_attribute("data-points", "0")
    expect(case_map.locator(".area-label", has_text="East: 0")).to_be_visible()
    assert errors == []
    context.close()
