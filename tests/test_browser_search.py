"""The search page in Chromium at 1366×768: the first result above the fold, facets in a side column with
translated headings, one clean highlighted excerpt per hit."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser import live_url  # noqa: F401 (a fixture)
from tests.helpers.browser import staff, write_letter

pytestmark = pytest.mark.browser

SUBJECT = "Hole in the road at the school"
FACET_TITLES = {
    "English": ["Status", "Unit", "Kind", "Channel", "Year"],
    "中文": ["状态", "承办单位", "诉求类型", "来源渠道", "年份"],
    "Español": ["Estado", "Unidad responsable", "Tipo", "Canal", "Año"],
}


def test_search_results_layout_and_translated_facets(page: Page, chromium_browser: Browser,
                                                     live_url: str) -> None:  # noqa: F811
    write_letter(page, live_url, SUBJECT)
    context, tab = staff(chromium_browser, live_url, "clerk")
    tab.set_viewport_size({"width": 1366, "height": 768})
    url = f"{live_url}/search/?q={quote('hole school')}"
    tab.goto(url)

    first = tab.locator("article.hit").first
    expect(first).to_contain_text(SUBJECT)
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 768, box

    # One excerpt, without the title shown above it, every match marked once, nothing but <mark> inside.
    snippet = first.locator(".snippet")
    expect(snippet).to_have_count(1)
    assert SUBJECT not in snippet.inner_text()
    assert snippet.locator("mark").all_inner_texts() == ["hole", "school"]
    assert snippet.locator("*:not(mark)").count() == 0

    # The facets sit in a column beside the results.
    hits = tab.locator("section.hits").bounding_box()
    facets = tab.locator("aside.facets").bounding_box()
    assert hits is not None and facets is not None
    assert facets["x"] >= hits["x"] + hits["width"] and facets["y"] < hits["y"] + 100

    for language, titles in FACET_TITLES.items():
        tab.get_by_role("button", name=language).click()
        tab.goto(url)
        headings = tab.locator("aside.facets h3.facet-title").all_inner_texts()
        assert headings and set(headings) <= set(titles), (language, headings)
        assert headings[0] == titles[0]
    context.close()
