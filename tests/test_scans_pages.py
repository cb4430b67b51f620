"""Scanned pages for the paper-channel tests (small, drawn with Pillow), and the domain's exactly-once rules
without OCR."""
from __future__ import annotations

import io
import random

from flask import Flask
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from cases import scans
from cases.actors import Actor
from cases.models import Case, Letter
from cases.models_scans import ScanBatch, ScanItem
from tests.ocr_fixtures import draw_page, encode, font_for
from web.app_state import state

LETTER_LINES = ["Dear Mayor, the street", "light on our road is", "broken and it is dark.", "",
                "Sincerely,", "Ana Ruiz", "12 Elm Street, Springfield"]
SECOND_LINES = ["The lamp near the bakery", "has been out since March."]
OTHER_LINES = ["Dear Mayor, the bus stop", "shelter on Oak Avenue", "lost its roof in the storm."]


def letter_page(lines: list[str] = LETTER_LINES, smudged: bool = True) -> Image.Image:
    """A small page; with ``smudged`` a crossed-out word and a scribble that tesseract reads with low confidence."""
    page = draw_page(lines, size_in=(5.83, 5.0), pt=16)
    if smudged:
        draw = ImageDraw.Draw(page)
        draw.text((520, 172), "Lamppost", font=font_for("eng", 33), fill=0)
        draw.line((515, 194, 700, 186), fill=0, width=5)
        rnd = random.Random(3)
        draw.line([(560 + i * 12, 228 + rnd.randint(0, 30)) for i in range(14)], fill=0, width=3)
    return page


def png(page: Image.Image) -> bytes:
    return encode(page, "PNG")


def tiff(pages: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return buf.getvalue()


def blank_page() -> Image.Image:
    return draw_page([""], size_in=(5.83, 5.0))


def corrupt_png() -> bytes:
    """A PNG cut short: its type is right (the upload accepts it), its content unreadable."""
    return png(letter_page(OTHER_LINES, smudged=False))[:400]


# --- the domain alone: no OCR, plain values in -----------------------------------------------------------------------
def fake_result(key: str, text: str = "Dear Mayor, hello.") -> scans.ScanResult:
    tiny = encode(Image.new("L", (20, 10), 255), "PNG")
    return scans.ScanResult(key=key, file_index=0, originals=[], text=text, confidence=42.0,
                            pages=[scans.ScanPage(image_png=tiny, confidence=42.0, width=20, height=10,
                                                  words=[("Dear", 91.0, 1, 1, 5, 5), ("Mayrr", 12.0, 8, 1, 5, 5)])],
                            pdf=None, sender_name="Ana", sender_address="1 Elm St")


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
