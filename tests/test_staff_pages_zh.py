"""Staff pages in Chinese name units and categories by their Chinese names (search hits and facets, performance and
deadline tables, pickers on the case page, the knowledge base, the scan review and the case map), the template editor
describes its placeholders in Chinese, and the timeline says 系统 for what no person did."""
from __future__ import annotations

import re
from html import unescape

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Case, Category, Event, Unit
from reply_render.placeholders import PLACEHOLDERS
from tests.conftest import login
from tests.helpers.casepage import make_case
from web.app_state import state


def _zh(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    client.post("/lang/zh", data={"next": "/"})
    return client


def _text(page: str) -> str:
    """The page's visible text and option labels, without scripts, styles and attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", page))


def _names(app: Flask, model: type) -> list[tuple[str, str]]:
    with state(app).sessions() as s:
        return [(item.name, item.name_zh) for item in s.scalars(select(model)) if item.name_zh]


def test_units_and_categories_are_named_in_chinese(app: Flask, demo_data: object) -> None:
    units, categories = _names(app, Unit), _names(app, Category)
    assert units and categories
    registered = make_case(app, until="registered")
    # path: (a unit's Chinese name is shown, a category's Chinese name is shown)
    pages = {
        "clerk": {"/search/?q=light": (True, False), f"/cases/{registered}?open=dispatch": (True, True),
                  "/knowledge/new": (True, True)},
        "supervisor": {"/supervision/performance": (True, False), "/supervision/deadlines": (True, False),
                       "/places/map": (False, True), "/supervision/work-across-units": (True, False)},
    }
    for username, paths in pages.items():
        client = _zh(app, username)
        for path, (unit_shown, category_shown) in paths.items():
            response = client.get(path)
            assert response.status_code == 200, path
            text = _text(response.get_data(as_text=True))
            assert [name for name, _ in units if name in text] == [], path
            assert [name for name, _ in categories if re.search(rf"(^|[\s→]){re.escape(name)}($|[\s→])", text)
                    ] == [], path
            if unit_shown:
                assert any(zh in text for _, zh in units), path
            if category_shown:
                assert any(zh in text for _, zh in categories), path


def test_the_template_editor_describes_placeholders_in_chinese(app: Flask, demo_data: object) -> None:
    text = _text(_zh(app, "admin").get("/letters/templates/reply/zh").get_data(as_text=True))
    assert "市民查询工单进展的网址。" in text
    assert [p.description for p in PLACEHOLDERS if p.description in text] == []


def test_the_timeline_says_system_in_chinese(app: Flask, demo_data: object) -> None:
    with state(app).sessions() as s:
        number = next(s.scalar(select(Case.number).where(Case.id == e.case_id))
                      for e in s.scalars(select(Event).order_by(Event.id)) if (e.data or {}).get("actor") == "system")
    text = _text(_zh(app, "clerk").get(f"/cases/{number}").get_data(as_text=True))
    assert "· 系统" in text and "· system" not in text
