"""The quarantine pages: staff only, reasons listed, raw originals downloaded as they were, retry for email (and
for scans through the hook the scan integration registers)."""
from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from cases import demo, intake
from cases.drafts import Channel, LetterDraft
from cases.mail_intake import DatabaseIntakeStore
from cases.models import Case, Letter, QuarantineItem
from tests.conftest import login
from tests.mail_corpus import CORPUS, make_plain
from web.auth import hasher
from web.app_state import state


@pytest.fixture
def qapp(app_factory, smtp_server) -> Flask:
    app = app_factory(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      MAIL_FROM="Mayor <mailbox@city.example>")
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    smtp_server.envelopes.clear()
    return app


def quarantined(app: Flask, raw: bytes, reason: str, source: str = "imap://x@y/INBOX;UIDVALIDITY=1/;UID=7") -> int:
    """Quarantine ``raw`` the way the poller does; returns the item id."""
    store = DatabaseIntakeStore(state(app).sessions, state(app).policy)
    sha = store.store_raw(raw)
    store.quarantine(source, sha, reason)
    store.quarantine(source, sha, reason)  # idempotent per raw bytes
    with state(app).sessions() as s:
        return s.scalar(select(QuarantineItem.id).where(QuarantineItem.raw_sha256 == sha))


def staff(app: Flask, username: str = "clerk"):
    client = app.test_client()
    login(client, username)
    return client


def test_list_and_download_are_for_staff_only(qapp):
    item_id = quarantined(qapp, CORPUS["garbage_binary"], "unparseable: no header fields")
    with state(qapp).sessions() as s:
        assert s.scalar(select(func.count()).select_from(QuarantineItem)) == 1
    clerk = staff(qapp)
    page = clerk.get("/quarantine/").get_data(as_text=True)
    assert "unparseable: no header fields" in page and "imap://x@y/INBOX" in page
    assert 'href="/quarantine/"' in clerk.get("/desk/").get_data(as_text=True)  # the nav link
    raw = clerk.get(f"/quarantine/{item_id}/raw")
    assert raw.data == CORPUS["garbage_binary"] and raw.mimetype == "message/rfc822"
    assert raw.headers["Content-Disposition"] == f'attachment; filename="quarantine-{item_id}.eml"'
    assert raw.headers["X-Content-Type-Options"] == "nosniff"
    unit = staff(qapp, "transport")
    assert unit.get("/quarantine/").status_code == 404
    assert unit.get(f"/quarantine/{item_id}/raw").status_code == 404
    assert unit.post(f"/quarantine/{item_id}/retry").status_code == 404
    assert qapp.test_client().get("/quarantine/").status_code in (302, 401)
    assert clerk.get("/quarantine/999/raw").status_code == 404


def test_retry_that_still_fails_keeps_the_item_with_the_reason(qapp):
    item_id = quarantined(qapp, CORPUS["garbage_text"], "unparseable: no header fields")
    clerk = staff(qapp)
    response = clerk.post(f"/quarantine/{item_id}/retry", follow_redirects=True)
    assert "Retry failed" in response.get_data(as_text=True)
    with state(qapp).sessions() as s:
        item = s.get(QuarantineItem, item_id)
        assert item.resolved_at is None and item.attempts == 1 and "unparseable" in item.data["last_error"]
        assert s.scalar(select(func.count()).select_from(Letter).where(Letter.raw_sha256 == item.raw_sha256)) == 0


def test_retry_registers_the_letter_once_and_resolves(qapp, smtp_server):
    raw = make_plain(3, subject="Street light out")
    item_id = quarantined(qapp, raw, "unparseable: parser failure (since fixed)")
    clerk = staff(qapp)
    response = clerk.post(f"/quarantine/{item_id}/retry")
    assert response.status_code == 302 and "/cases/2026-" in response.headers["Location"]
    with state(qapp).sessions() as s:
        item = s.get(QuarantineItem, item_id)
        letter = s.scalar(select(Letter).where(Letter.subject == "Street light out"))
        assert item.resolved_at is not None and item.data["case"] == letter.case.number
        assert letter.dedup_key and letter.raw_sha256 == item.raw_sha256
        assert any("quarantine item" in note for note in letter.notes)
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["citizen3@example.org"]]  # the acknowledgement
    page = clerk.get("/quarantine/").get_data(as_text=True)
    assert "Street light out" not in page and f'id="item-{item_id}"' not in page  # resolved items leave the list
    assert f'id="item-{item_id}"' in clerk.get("/quarantine/?all=1").get_data(as_text=True)
    # The same message quarantined again (e.g. a copy in another folder) resolves to the case already there.
    again = quarantined(qapp, raw + b"\r\n", "unparseable: again")
    clerk.post(f"/quarantine/{again}/retry")
    with state(qapp).sessions() as s:
        assert s.get(QuarantineItem, again).data["case"] == letter.case.number
        assert s.scalar(select(func.count()).select_from(Letter).where(Letter.subject == "Street light out")) == 1


def test_scan_items_retry_through_the_registered_hook(qapp):
    policy = state(qapp).policy
    with state(qapp).sessions() as s:
        item = intake.quarantine(s, policy, source="scan", data=b"%PDF-1.4 not really", reason="OCR failed",
                                 filename="letter.pdf")
        s.commit()
        item_id = item.id
    clerk = staff(qapp)
    clerk.get("/quarantine/")
    hooks = state(qapp).quarantine_retry
    hooks.pop("scan", None)  # as if the scan integration were not installed
    page = clerk.get("/quarantine/").get_data(as_text=True)
    assert "OCR failed" in page and f"/quarantine/{item_id}/retry" not in page  # no hook: no button
    assert "no retry is available" in clerk.post(f"/quarantine/{item_id}/retry",
                                                 follow_redirects=True).get_data(as_text=True)

    def retry_scan(app, session, quarantine_item, actor):
        draft = LetterDraft(channel=Channel.PAPER, subject="Scanned letter", body="Recognised at last.",
                            raw_sha256=quarantine_item.raw_sha256)
        return intake.receive(session, state(app).policy, draft, actor=actor).case

    hooks["scan"] = retry_scan  # the contract the scan integration implements
    assert f"/quarantine/{item_id}/retry" in clerk.get("/quarantine/").get_data(as_text=True)
    response = clerk.post(f"/quarantine/{item_id}/retry")
    assert response.status_code == 302
    with state(qapp).sessions() as s:
        case = s.scalar(select(Case).where(Case.subject == "Scanned letter"))
        assert case is not None and s.get(QuarantineItem, item_id).data["case"] == case.number
