"""Chinese letters and phone photos through the web app: PP-OCR reads them, the review screen names the engine,
and a page read with low confidence is flagged at the top, with a link to its image beside the text."""
from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from cases import scans
from cases.models_scans import ScanItem
from tests.conftest import login
from tests.ocr_fixtures import draw_letter, encode
from tests.helpers.scan_pages import fake_result
from web.scans.processing import ocr_settings
from web.app_state import state


def test_a_chinese_heic_photo_is_read_by_ppocr_and_reviewed(app: Flask, client: FlaskClient,
                                                            demo_data: object) -> None:
    login(client, "clerk")
    buf = io.BytesIO()
    draw_letter("chi_sim", 200).convert("RGB").save(buf, "HEIF", quality=85)
    response = client.post("/scans/", data={"mode": "letter", "files": [(io.BytesIO(buf.getvalue()), "信.heic")]},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with state(app).sessions() as s:
        item = s.scalars(select(ScanItem)).one()
    page = client.get(f"/scans/items/{item.id}").get_data(as_text=True)
    assert "OCR engine: PP-OCR" in page and "尊敬的市长" in page and "王建国" in page
    assert 'id="low-pages"' not in page  # read well: nothing to flag
    # One character per word box over the page image.
    assert re.search(r'<rect class="word" [^>]*><title>市 \(\d+%\)</title>', page)


def test_a_page_read_with_low_confidence_is_flagged_beside_its_image(app: Flask, client: FlaskClient,
                                                                    demo_data: object) -> None:
    st = state(app)
    with st.sessions() as s:
        batch = scans.create_batch(s, st.policy, [("a.png", b"\x89PNG\r\n\x1a\n")])
        good = fake_result("k" * 64)
        good.pages.append(scans.ScanPage(image_png=encode(Image.new("L", (20, 10), 255), "PNG"), confidence=97.0,
                                         width=20, height=10, words=[("好", 97.0, 1, 1, 5, 5)]))
        good.pages.reverse()  # page 1 read well, page 2 (confidence 42) poorly
        item = scans.add_results(s, st.policy, batch, [0], [good])[0]
        s.commit()
        item_id = item.id
    login(client, "clerk")
    # The Accept-Language header chooses the UI language (no language picked in the session).
    for lang, words in (("en", "Read with low confidence"), ("zh", "识别置信度低")):
        page = client.get(f"/scans/items/{item_id}", headers={"Accept-Language": lang}).get_data(as_text=True)
        notice = re.search(r'<p class="flash warning" id="low-pages"[^>]*>(.*?)</p>', page, re.S)
        assert notice and words in notice.group(1), lang
        assert 'href="#page-2"' in notice.group(1) and 'href="#page-1"' not in notice.group(1)
        # The flagged page's figure holds its image next to the words read from it.
        opening, figure = page.split('id="page-2"')[0].rsplit("<figure", 1)[1], page.split('id="page-2"')[1]
        figure = figure.split("</figure>")[0]
        assert "low-page" in opening and f"/scans/items/{item_id}/pages/2.png" in figure and "Mayrr" in figure


def test_engines_come_from_the_configuration(app: Flask) -> None:
    assert ocr_settings(app).engine_for("chi_sim") == "ppocr"
    app.config["OCR_ENGINES"] = "chi_sim:tesseract"
    assert ocr_settings(app).engine_for("chi_sim") == "tesseract"
    app.config["OCR_ENGINES"] = {"chi_sim": "ppocr", "eng": "tesseract"}
    settings = ocr_settings(app)
    assert settings.engine_for("chi_sim") == "ppocr" and settings.engine_for("eng") == "tesseract"
