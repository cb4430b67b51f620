"""Uploads and downloads: a type counts only when the file starts as it and opens; every download goes out under
our own name, with the sniffed type, as an attachment, with nosniff."""
from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select, update

from cases import intake
from cases.drafts import AttachmentDraft, Channel, LetterDraft
from cases.models import Attachment, Case
from cases.sniff import extension_of, sniff
from tests.conftest import category_id, login
from tests.helpers.web_forms import letter_form, submit_letter, unit_id
from web.app_state import state
from tests.helpers.media import pdf

SCRIPT = b"<html><body><script>fetch('/admin/users')</script></body></html>"
# An HTML page that carries a PDF header inside its first kilobyte: a PDF for a lax sniffer, a page for a browser.
HTML_WITH_PDF_HEADER = b"<html><!-- %PDF-1.7 -->" + SCRIPT
BROKEN_PDF = b"%PDF-1.7\n" + SCRIPT  # starts as a PDF, but pdfium cannot open it
GIF_HEADER_SCRIPT = b"GIF89a" + SCRIPT  # starts as a GIF, but Pillow cannot open it


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "expected", "extension"), [
    (image("PNG"), "image/png", "png"), (image("JPEG"), "image/jpeg", "jpg"), (image("GIF"), "image/gif", "gif"),
    (image("WEBP"), "image/webp", "webp"), (image("TIFF"), "image/tiff", "tif"), (pdf(), "application/pdf", "pdf"),
    (HTML_WITH_PDF_HEADER, "text/plain", "txt"), (BROKEN_PDF, "application/octet-stream", "bin"),
    (GIF_HEADER_SCRIPT, "application/octet-stream", "bin"), (image("PNG")[:20], "application/octet-stream", "bin"),
    (b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream", "bin"), (b"", "application/octet-stream", "bin"),
    ("Dear Mayor, 你好".encode()[:-1], "text/plain", "txt"),  # a character cut at the end is still text
])
def test_one_sniffer_needs_the_start_and_the_library(data: bytes, expected: str, extension: str) -> None:
    assert sniff(data) == expected and extension_of(expected) == extension


@pytest.mark.parametrize("data", [HTML_WITH_PDF_HEADER, BROKEN_PDF, GIF_HEADER_SCRIPT])
def test_web_letter_refuses_files_that_only_look_like_images_or_pdfs(app: Flask, client: FlaskClient,
                                                                      data: bytes) -> None:
    response = client.post("/write", data=letter_form(attachments=[(io.BytesIO(data), "letter.pdf")]),
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "is not an image or PDF" in response.get_data(as_text=True)
    with state(app).sessions() as session:
        assert session.scalar(select(Case.id)) is None


def test_a_real_pdf_and_photo_are_accepted(app: Flask, client: FlaskClient) -> None:
    number, _ = submit_letter(client, attachments=[(io.BytesIO(pdf()), "scan.pdf"),
                                                   (io.BytesIO(image("JPEG")), "photo.jpg")])
    with state(app).sessions() as session:
        kinds = session.scalars(select(Attachment.content_type).join(Case).where(Case.number == number)).all()
    assert sorted(kinds) == ["application/pdf", "image/jpeg"]


def test_feedback_documents_are_checked_the_same_way(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number, _ = submit_letter(client)
    clerk = app.test_client()
    login(clerk, "clerk")
    clerk.post(f"/cases/{number}/register", data={"kind": "report", "category": 0})
    clerk.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, "Transport Bureau"), "note": "please",
                                                    "category": category_id(app)})
    unit = app.test_client()
    login(unit, "transport")
    assert unit.post(f"/cases/{number}/accept", data={}).status_code == 302
    refused = unit.post(f"/cases/{number}/feedback", content_type="multipart/form-data",
                        data={"body": "Repaired on Monday.", "attachments": [(io.BytesIO(BROKEN_PDF), "report.pdf")]})
    assert refused.status_code == 400 and "is not an image or PDF" in refused.get_data(as_text=True)
    with state(app).sessions() as session:
        assert session.scalar(select(Attachment.id)) is None


def test_scan_upload_refuses_a_page_with_a_pdf_header_further_in(app: Flask, client: FlaskClient,
                                                                  demo_data: object) -> None:
    login(client, "clerk")
    response = client.post("/scans/", data={"mode": "letter", "files": [(io.BytesIO(HTML_WITH_PDF_HEADER),
                                                                         "scan.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "is not a PNG, JPEG, TIFF, HEIC or PDF file that can be opened" in response.get_data(as_text=True)


def _email_case(app: Flask, name: str, data: bytes) -> tuple[str, int]:
    """A case from an email carrying ``data`` as the attachment ``name`` (any type: email takes them all)."""
    with state(app).sessions() as session:
        result = intake.receive(session, state(app).policy, LetterDraft(
            channel=Channel.EMAIL, subject="Noise", body="See the file.", sender_email="ana@example.org",
            attachments=[AttachmentDraft(name, data, declared_type="image/png")]))
        session.commit()
        return result.case.number, result.case.attachments[0].id


def test_a_download_has_our_name_the_sniffed_type_and_never_renders(app: Flask, demo_data: object) -> None:
    number, attachment_id = _email_case(app, "invoice.html", SCRIPT)
    clerk = app.test_client()
    login(clerk, "clerk")
    assert f"/cases/{number}/files/{attachment_id}" in clerk.get(f"/cases/{number}").get_data(as_text=True)
    response = clerk.get(f"/cases/{number}/files/{attachment_id}")
    assert response.data == SCRIPT
    assert response.headers["Content-Disposition"] == f'attachment; filename="{number}-file-{attachment_id}.txt"'
    assert response.mimetype == "text/plain"  # from the bytes, not the sender's "image/png" or ".html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_file_stored_under_a_wrong_type_is_served_as_what_it_is(app: Flask, demo_data: object) -> None:
    """A row that says PDF (as the old, lax sniffer recorded such a page) is served by its real bytes."""
    number, attachment_id = _email_case(app, "letter.pdf", HTML_WITH_PDF_HEADER)
    with state(app).sessions() as session:
        session.execute(update(Attachment).where(Attachment.id == attachment_id)
                        .values(content_type="application/pdf"))
        session.commit()
    clerk = app.test_client()
    login(clerk, "clerk")
    response = clerk.get(f"/cases/{number}/files/{attachment_id}")
    assert response.mimetype == "text/plain" and re.search(r'filename="[^"]+\.txt"',
                                                           response.headers["Content-Disposition"])


def test_a_quarantined_original_downloads_under_our_name_and_its_real_type(app: Flask, demo_data: object) -> None:
    with state(app).sessions() as session:
        item = intake.quarantine(session, state(app).policy, source="scan", data=SCRIPT, reason="OCR failed",
                                 filename="letter.html")
        session.commit()
        item_id = item.id
    clerk = app.test_client()
    login(clerk, "clerk")
    response = clerk.get(f"/quarantine/{item_id}/raw")
    assert response.data == SCRIPT and response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == f'attachment; filename="quarantine-{item_id}.txt"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
