"""The paper channel through the web app with the real tesseract: upload, background job (inline in tests),
review with low-confidence marks, registration as a case, search; batches, quarantine, refused uploads."""
from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases import scans
from cases.models import Case, QuarantineItem
from cases.models_scans import ScanBatch, ScanItem
from tests.conftest import login
from tests.helpers.scan_pages import (OTHER_LINES, SECOND_LINES, blank_page, corrupt_png, fake_result, letter_page,
                                      png, tiff)
from web.app_state import state


def upload(client: FlaskClient, files: list[tuple[bytes, str]], mode: str = "letter"):
    return client.post("/scans/", data={"mode": mode, "files": [(io.BytesIO(data), name) for data, name in files]},
                       content_type="multipart/form-data")


def batch_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/scans/batches/(\d+)", response.headers["Location"]).group(1))


def test_letter_upload_review_register_and_search(app: Flask, client: FlaskClient, demo_data: object) -> None:
    login(client, "clerk")
    first, second = png(letter_page()), png(letter_page(SECOND_LINES, smudged=False))
    batch_id = batch_id_of(upload(client, [(first, "page1.png"), (second, "page2.png")]))

    status = client.get(f"/scans/batches/{batch_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in status  # done: no more refreshing
    with state(app).sessions() as s:
        batch = s.get(ScanBatch, batch_id)
        assert batch.status == "done" and batch.done_pages == batch.total_pages == 2
        assert all(state(app).policy.store.exists(f["sha256"]) for f in batch.files)
        item = s.scalars(select(ScanItem).where(ScanItem.batch_id == batch_id)).one()
    assert f"/scans/items/{item.id}" in status
    assert item.status == "review" and len(item.pages) == 2 and len(item.originals) == 2

    page = client.get(f"/scans/items/{item.id}").get_data(as_text=True)
    assert "street" in page and "bakery" in page  # both pages' text, in order, in the editable field
    assert page.index("street") < page.index("bakery")
    # Low-confidence words are marked in the word list and as boxes over the page image.
    low = re.findall(r'<span class="word low"[^>]*>([^<]+)</span>', page)
    assert low and any("ost" in w for w in low), low
    assert '<rect class="word low"' in page and "low-page" not in page.split('id="page-2"')[1]
    assert 'value="Ana Ruiz"' in page and "12 Elm Street, Springfield" in page  # sender guessed
    image = client.get(f"/scans/items/{item.id}/pages/1.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert client.get(f"/scans/items/{item.id}/pages/3.png").status_code == 404

    text = re.search(r'<textarea[^>]*id="text"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1)
    edited = text.replace("Lemppost", "Lamppost").replace("&#39;", "'") + "\n(checked by the clerk)"
    response = client.post(f"/scans/items/{item.id}", data={
        "subject": "Street light broken", "kind": "report", "category": 0, "sender_name": "Ana Ruiz",
        "sender_address": "12 Elm Street, Springfield", "sender_phone": "", "sender_email": "", "text": edited})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    number = response.headers["Location"].rsplit("/", 1)[1]

    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case.channel.value == "paper" and case.status.value == "registered" and case.kind.value == "report"
        assert case.citizen.name == "Ana Ruiz" and case.citizen.preferred_reply == "post"
        assert "(checked by the clerk)" in case.letters[0].body and case.letters[0].ocr_confidence
        files = {a.filename: a for a in case.attachments}
        assert set(files) == {"page1.png", "page2.png", "page1-searchable.pdf"}
        assert all("bakery" in (a.text or "") for a in case.attachments)
        pdf_id = files["page1-searchable.pdf"].id
    # The clerk downloads the searchable PDF from the case page; its text layer is there.
    case_page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert f"/cases/{number}/files/{pdf_id}" in case_page
    pdf = pdfium.PdfDocument(client.get(f"/cases/{number}/files/{pdf_id}").data)
    assert len(pdf) == 2 and "bakery" in pdf[1].get_textpage().get_text_range()
    # The OCR text is found by the archive search (indexed from the attachments after the commit).
    assert number in client.get("/search/?q=bakery").get_data(as_text=True)
    # Registered once: the review page now leads to the case.
    again = client.get(f"/scans/items/{item.id}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/cases/{number}")


def test_batch_splits_at_blank_pages_and_quarantines_a_corrupt_file(app: Flask, client: FlaskClient,
                                                                     demo_data: object) -> None:
    login(client, "clerk")
    broken = corrupt_png()
    stack = tiff([letter_page(smudged=False), blank_page(), letter_page(OTHER_LINES, smudged=False)])
    batch_id = batch_id_of(upload(client, [(stack, "stack.tif"), (broken, "broken.png")], mode="batch"))
    with state(app).sessions() as s:
        batch = s.get(ScanBatch, batch_id)
        assert batch.status == "done" and batch.done_pages == batch.total_pages == 4  # the broken PNG opens, its page fails
        drafts = [i for i in batch.items if i.status == "review"]
        failed = [i for i in batch.items if i.status == "quarantined"]
        assert [len(d.pages) for d in drafts] == [1, 1]
        assert "street" in drafts[0].text and "bus stop" in drafts[1].text
        assert len(failed) == 1 and failed[0].filename == "broken.png"
        quarantined = s.get(QuarantineItem, failed[0].quarantine_id)
        assert quarantined.source == "scan" and "broken.png" in quarantined.reason
        assert quarantined.raw_sha256 == failed[0].sha256
    status = client.get(f"/scans/batches/{batch_id}").get_data(as_text=True)
    assert "could not be read" in status and failed[0].reason in status
    listing = client.get("/scans/").get_data(as_text=True)
    assert all(f"/scans/items/{d.id}" in listing for d in drafts)
    # The original is kept in quarantine, byte for byte, and a retry says why it still fails.
    assert client.get(f"/quarantine/{quarantined.id}/raw").data == broken
    retry = client.post(f"/quarantine/{quarantined.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "Retry failed" in retry and "still unreadable" in retry

    # A file quarantined for a passing reason (say, a language pack was missing) reads on retry: its letter joins
    # the review list and the quarantine item is resolved.
    st = state(app)
    with st.sessions() as s:
        other = scans.create_batch(s, st.policy, [("later.png", png(letter_page(OTHER_LINES, smudged=False)))],
                                   mode="batch")
        held = scans.quarantine_file(s, st.policy, other, 0, "tesseract lacks a language", "engine_error")
        s.commit()
        held_id, q_id = held.id, held.quarantine_id
    assert client.post(f"/quarantine/{q_id}/retry").status_code == 302
    with st.sessions() as s:
        assert s.get(QuarantineItem, q_id).resolved_at is not None and s.get(ScanItem, held_id).status == "retried"
        readable = s.scalars(select(ScanItem).where(ScanItem.batch_id == other.id, ScanItem.status == "review")).one()
        assert "bus stop" in readable.text and readable.pdf_sha


def test_a_non_image_upload_is_refused_beside_the_field(app: Flask, client: FlaskClient, demo_data: object) -> None:
    login(client, "clerk")
    response = upload(client, [(b"Dear Mayor, this is plain text.", "letter.png")])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="files-error">[^<]*letter\.png[^<]*not a PNG', page)
    assert upload(client, []).status_code == 400
    with state(app).sessions() as s:
        assert s.scalar(select(ScanBatch.id)) is None


def test_unit_handlers_get_404_on_every_scan_route(app: Flask, client: FlaskClient, demo_data: object) -> None:
    st = state(app)
    with st.sessions() as s:
        batch = scans.create_batch(s, st.policy, [("a.png", b"\x89PNG\r\n\x1a\n")])
        item = scans.add_results(s, st.policy, batch, [0], [fake_result("k" * 64)])[0]
        s.commit()
        batch_id, item_id = batch.id, item.id
    routes = [("get", "/scans/"), ("post", "/scans/"), ("get", f"/scans/batches/{batch_id}"),
              ("post", f"/scans/batches/{batch_id}/rerun"), ("get", f"/scans/items/{item_id}"),
              ("post", f"/scans/items/{item_id}"), ("get", f"/scans/items/{item_id}/pages/1.png"),
              ("get", f"/scans/items/{item_id}/searchable.pdf")]
    login(client, "transport")
    for method, path in routes:
        assert getattr(client, method)(path).status_code == 404, path
    anonymous = app.test_client()
    assert all(getattr(anonymous, m)(p).status_code in (302, 401) for m, p in routes)
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.get(f"/scans/items/{item_id}/pages/1.png").status_code == 200
    # While a job waits or runs its page refreshes itself (a meta refresh: no scripts under the CSP).
    with st.sessions() as s:
        scans.report_progress(s, batch_id, 1, 3)
    waiting = clerk.get(f"/scans/batches/{batch_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in waiting and "<script" not in waiting
    assert re.search(r'<progress id="batch-progress" max="3" value="1">', waiting)
