"""Scanned pages for the paper-channel tests (small, drawn with Pillow), and the domain's exactly-once rules
without OCR."""
from __future__ import annotations


from flask import Flask
from sqlalchemy import func, select

from cases import scans
from cases.actors import Actor
from cases.models import Case, Letter
from cases.models_scans import ScanBatch, ScanItem
from web.app_state import state
from tests.helpers.scan_pages import fake_result


# --- the domain alone: no OCR, plain values in -----------------------------------------------------------------------


def test_batches_drafts_and_registration_happen_once(app: Flask, demo_data: object) -> None:
    st = state(app)
    clerk = Actor(user_id=None, role="clerk", name="test")
    with st.sessions() as session:
        batch = scans.create_batch(session, st.policy, [("a.png", b"\x89PNG\r\n\x1a\nabc")], mode="batch",
                                   source="watch", dedup_key="watch:x")
        session.commit()
        again = scans.create_batch(session, st.policy, [("a.png", b"\x89PNG\r\n\x1a\nabc")], mode="batch",
                                   source="watch", dedup_key="watch:x")
        assert again.id == batch.id and st.policy.store.exists(batch.files[0]["sha256"])
        key = scans.letter_key([batch.files[0]["sha256"]])
        result = fake_result(key)
        result.originals = [{"filename": "a.png", "sha256": batch.files[0]["sha256"]}]
        first = scans.add_results(session, st.policy, batch, [0], [result])
        session.commit()
        # A job re-run after a crash offers the same letter again: nothing new.
        assert scans.add_results(session, st.policy, batch, [0], [result]) == []
        assert scans.pending_files(batch) == []
        item = first[0]
        assert scans.low_words(item.pages[0], 60) == ["Mayrr"]
        case = scans.register(session, st.policy, item, clerk, subject="", body="Dear Mayor, hello.",
                              sender_name="Ana")
        session.commit()
        assert case.channel.value == "paper" and case.status.value == "registered"
        # The same pages in another batch (uploaded twice) register as the same case.
        other = scans.create_batch(session, st.policy, [("copy.png", b"\x89PNG\r\n\x1a\nabc")])
        twin = scans.add_results(session, st.policy, other, [0], [fake_result(key)])[0]
        assert scans.register(session, st.policy, twin, clerk, subject="x", body="text").id == case.id
        session.commit()
        assert session.scalar(select(func.count()).select_from(Letter).where(Letter.dedup_key == key)) == 1
        assert twin.status == "registered" and twin.case_id == case.id
        assert session.scalar(select(func.count()).select_from(ScanBatch)) == 2
        assert session.scalar(select(func.count()).select_from(ScanItem)) == 2
        assert session.get(Case, case.id).letters[0].ocr_confidence == 42.0
