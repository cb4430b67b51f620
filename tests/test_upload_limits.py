"""Uploads over the size limits: the citizen's letter comes back filled in with a translated message (its files
refused, nothing stored), a post too large to read gets a translated page, never Werkzeug's bare English 413."""
from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from cases.models import Case
from tests.helpers.web_forms import letter_form
from web.app_state import state

LIMITS = {"MAX_CONTENT_LENGTH": 200_000, "MAX_ATTACHMENT_BYTES": 100_000, "MAX_AUDIO_BYTES": 150_000,
          "LETTER_POST_READ_BYTES": 1_000_000}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def app(app_factory: Any) -> Flask:
    return app_factory(**LIMITS)


def _files(*sizes: int) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(PNG + b"\0" * (size - len(PNG))), f"photo{i}.png") for i, size in enumerate(sizes)]


def _cases(app: Flask) -> int:
    with state(app).sessions() as s:
        return s.scalar(select(func.count()).select_from(Case))


@pytest.mark.parametrize("lang, message", [("en", "The files together are larger than"), ("zh", "附件合计超过"),
                                           ("es", "Los archivos juntos superan")])
def test_a_letter_over_the_limit_comes_back_filled_in(app: Flask, lang: str, message: str) -> None:
    client = app.test_client()
    response = client.post("/write", data=letter_form(subject="Farola rota", body="La farola lleva semanas apagada.",
                                                      attachments=_files(90_000, 90_000, 90_000)),
                           content_type="multipart/form-data", headers={"Accept-Language": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and 'class="field has-error"' in html
    assert "Farola rota" in html and "La farola lleva semanas apagada." in html and "ana@example.org" in html
    assert _cases(app) == 0


def test_one_file_over_its_limit_names_the_configured_size(app: Flask) -> None:
    response = app.test_client().post("/write", data=letter_form(attachments=_files(120_000)),
                                      content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "photo0.png" in html and f"larger than {100_000 / 1048576:g} MB" in html
    assert "Broken pavement" in html


@pytest.mark.parametrize("path", ["/write", "/track"])
def test_a_post_too_large_to_read_gets_a_translated_page(app: Flask, path: str) -> None:
    response = app.test_client().post(path, data=letter_form(attachments=_files(1_200_000)),
                                      content_type="multipart/form-data", headers={"Accept-Language": "zh"})
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and "Request Entity Too Large" not in html
    assert "上传的文件太大" in html and 'lang="zh' in html
    assert _cases(app) == 0


def test_error_pages_speak_the_readers_language(app: Flask) -> None:
    page = app.test_client().get("/no-such-page", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Esta página no existe." in page


def test_the_form_tells_the_browser_its_limits(app: Flask) -> None:
    html = app.test_client().get("/write", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert 'data-max-file="100000"' in html and 'data-max-total="200000"' in html and 'data-max-audio="150000"' in html
    assert "js/uploads.js" in html and "{name}" in html
