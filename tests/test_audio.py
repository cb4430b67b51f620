"""Call recordings and voice messages: accepted by their bytes on the web letter and the phone desk, within
``MAX_AUDIO_BYTES``, played on the case page from an inline route confined like the file download, and logged."""
from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases import audit
from cases.models import Attachment, Case
from cases.models_privacy import AccessLog
from cases.sniff import sniff
from tests.conftest import login
from tests.helpers.media import pdf
from tests.helpers.web_forms import letter_form, submit_letter
from web.public.posts import spool
from web.app_state import state
from tests.helpers.media import wav


def encoded(tmp_path: Path, kind: str, rate: int) -> bytes:
    """The WAV tone encoded by SoX (MP3 through LAME, AMR-NB through opencore-amr)."""
    source, target = tmp_path / "tone.wav", tmp_path / f"tone.{kind}"
    source.write_bytes(wav())
    subprocess.run(["sox", str(source), "-r", str(rate), "-t", {"mp3": "mp3", "amr": "amr-nb"}[kind], str(target)],
                   check=True, capture_output=True)
    return target.read_bytes()


@pytest.fixture()
def recordings(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    return {"call.wav": (wav(), "audio/x-wav"), "voice.mp3": (encoded(tmp_path, "mp3", 22050), "audio/mpeg"),
            "memo.amr": (encoded(tmp_path, "amr", 8000), "audio/amr"),
            "line.mp3": (encoded(tmp_path, "mp3", 8000), "audio/mpeg")}  # MPEG 2.5 frames, no ID3 tag


def phone_call(client: FlaskClient, recording: tuple[bytes, str] | None = None, **over: object):  # noqa: ANN201
    data: dict[str, object] = {"caller": "周先生", "phone": "13900000001", "kind": "report", "category": 0,
                               "summary": "路灯坏了，晚上很黑。"}
    if recording is not None:
        data["recording"] = (io.BytesIO(recording[0]), recording[1])
    data.update(over)
    return client.post("/desk/phone", data=data, content_type="multipart/form-data")


def files_of(app: Flask, number: str) -> list[tuple[int, str, str]]:
    with state(app).sessions() as session:
        return [tuple(row) for row in session.execute(
            select(Attachment.id, Attachment.filename, Attachment.content_type).join(Case)
            .where(Case.number == number).order_by(Attachment.id))]


def case_count(app: Flask) -> int:
    with state(app).sessions() as session:
        return len(session.scalars(select(Case.id)).all())


def test_real_recordings_are_sniffed_as_audio(recordings: dict[str, tuple[bytes, str]]) -> None:
    for data, kind in recordings.values():
        assert sniff(data) == kind
    phone_line = recordings["line.mp3"][0]
    assert phone_line[:2] == b"\xff\xe3"  # the frames filetype alone does not know
    # One frame header followed by anything else is no MP3.
    assert sniff(phone_line[:4] + b"<html><script>alert(1)</script></html>" * 20) == "application/octet-stream"


def test_web_letter_takes_recordings_and_the_case_page_plays_them(
        app: Flask, client: FlaskClient, demo_data: object, recordings: dict[str, tuple[bytes, str]]) -> None:
    assert 'accept="image/*,application/pdf,audio/*,.amr,.3gp"' in client.get("/write").get_data(as_text=True)
    number, _ = submit_letter(client, attachments=[(io.BytesIO(data), name)
                                                   for name, (data, _kind) in recordings.items()])
    stored = files_of(app, number)
    assert [(name, kind) for _id, name, kind in stored] == [(name, kind) for name, (_d, kind) in recordings.items()]
    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    for attachment_id, _name, kind in stored:
        src = f"/cases/{number}/files/{attachment_id}/play"
        assert f'<audio controls preload="none" class="recording"><source src="{src}" type="{kind}">' in page
        played = clerk.get(src)
        assert played.status_code == 200 and played.mimetype == kind
        assert played.headers["Content-Disposition"].startswith("inline;")
        assert played.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in played.headers["Content-Security-Policy"]
    wav_id = stored[0][0]
    assert clerk.get(f"/cases/{number}/files/{wav_id}/play").data == recordings["call.wav"][0]


def test_the_player_gets_ranges_and_one_log_row_per_playing(app: Flask, client: FlaskClient, demo_data: object,
                                                             recordings: dict[str, tuple[bytes, str]]) -> None:
    data = recordings["call.wav"][0]
    number, _ = submit_letter(client, attachments=[(io.BytesIO(data), "call.wav")])
    attachment_id = files_of(app, number)[0][0]
    clerk = app.test_client()
    login(clerk, "clerk")
    src = f"/cases/{number}/files/{attachment_id}/play"
    first = clerk.get(src, headers={"Range": "bytes=0-"})
    assert first.status_code == 206 and first.data == data
    later = clerk.get(src, headers={"Range": "bytes=100-199"})
    assert later.status_code == 206 and later.data == data[100:200]
    assert later.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    with state(app).sessions() as session:
        rows = session.execute(select(AccessLog.action, AccessLog.case_number, AccessLog.target)).all()
    assert [r for r in rows if r[0] == audit.PLAY_RECORDING] == [
        (audit.PLAY_RECORDING, number, f"attachment {attachment_id} call.wav")]


def test_the_phone_desk_keeps_the_call_recording(app: Flask, demo_data: object,
                                                   recordings: dict[str, tuple[bytes, str]]) -> None:
    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get("/desk/phone").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="recording"' in page
    for name, (data, kind) in recordings.items():
        response = phone_call(clerk, (data, name))
        assert response.status_code == 302, response.get_data(as_text=True)[:1500]
        number = response.headers["Location"].rsplit("/", 1)[-1]
        (attachment_id, stored_name, stored_kind), = files_of(app, number)
        assert (stored_name, stored_kind) == (name, kind)
        assert f"/cases/{number}/files/{attachment_id}/play" in clerk.get(f"/cases/{number}").get_data(as_text=True)
        played = clerk.get(f"/cases/{number}/files/{attachment_id}/play")
        assert played.status_code == 200 and played.mimetype == kind and played.data == data


def test_a_follow_up_call_keeps_its_recording_on_the_open_case(app: Flask, demo_data: object,
                                                               recordings: dict[str, tuple[bytes, str]]) -> None:
    clerk = app.test_client()
    login(clerk, "clerk")
    number = phone_call(clerk).headers["Location"].rsplit("/", 1)[-1]
    response = phone_call(clerk, (recordings["memo.amr"][0], "again.amr"), follow_up=number,
                          summary="又打来了，路灯还是坏的。")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{number}")
    assert [(name, kind) for _id, name, kind in files_of(app, number)] == [("again.amr", "audio/amr")]


def test_the_player_route_is_confined_like_downloads(app: Flask, client: FlaskClient, demo_data: object,
                                                     recordings: dict[str, tuple[bytes, str]]) -> None:
    number, _ = submit_letter(client, attachments=[(io.BytesIO(recordings["voice.mp3"][0]), "voice.mp3"),
                                                   (io.BytesIO(pdf()), "scan.pdf")])
    (audio_id, _n, _k), (pdf_id, _n2, _k2) = files_of(app, number)
    unit = app.test_client()
    login(unit, "transport")  # a unit the case was never dispatched to
    assert unit.get(f"/cases/{number}/files/{audio_id}/play").status_code == 404
    assert unit.get(f"/cases/{number}/files/{audio_id}").status_code == 404
    assert client.get(f"/cases/{number}/files/{audio_id}/play").status_code in (302, 401)  # not logged in
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.get(f"/cases/{number}/files/{pdf_id}/play").status_code == 404  # only recordings play inline
    assert clerk.get(f"/cases/WRONG-1/files/{audio_id}/play").status_code == 404
    with state(app).sessions() as session:
        assert not session.scalars(select(AccessLog.id).where(AccessLog.action == audit.PLAY_RECORDING)).all()


def test_too_large_or_not_audio_is_refused_next_to_its_field(app: Flask, client: FlaskClient, demo_data: object,
                                                             recordings: dict[str, tuple[bytes, str]]) -> None:
    app.config["MAX_AUDIO_BYTES"] = 4000
    before = case_count(app)
    big = wav(seconds=2)  # 32 kB
    response = client.post("/write", data=letter_form(attachments=[(io.BytesIO(big), "long.wav")]),
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="attachments-error">The recording “long.wav” is larger than' in page
    assert "The pavement on Elm Street is broken." in page  # the letter is still there
    clerk = app.test_client()
    login(clerk, "clerk")
    response = phone_call(clerk, (big, "long.wav"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="recording-error">The recording “long.wav” is larger than' in page
    assert "路灯坏了，晚上很黑。" in page and "13900000001" in page
    response = phone_call(clerk, (pdf(), "call.mp3"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="recording-error">“call.mp3” is not a sound recording' in page
    response = phone_call(clerk, (b"#!/bin/sh\nrm -rf /\n", "call.mp3"))
    assert response.status_code == 400
    assert case_count(app) == before


def test_recording_errors_are_translated(app: Flask, demo_data: object) -> None:
    clerk = app.test_client()
    login(clerk, "clerk")
    response = clerk.post("/desk/phone", content_type="multipart/form-data", headers={"Accept-Language": "zh"},
                          data={"caller": "周先生", "phone": "13900000001", "kind": "report", "category": 0,
                                "summary": "路灯坏了，晚上很黑。", "recording": (io.BytesIO(pdf()), "call.mp3")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "不是录音" in page


def test_a_letter_kept_through_an_outage_keeps_its_recording(app: Flask, recordings: dict[str, tuple[bytes, str]]
                                                             ) -> None:
    from cases.spool import SpooledPost

    store = state(app).policy.store
    raw = store.put(json.dumps({**letter_form(), "consent": False, "_received": "2026-03-02T08:00:00+00:00"})
                    .encode())
    data = recordings["memo.amr"][0]
    spool(app).add(SpooledPost(key="C" * 20, raw_sha256=raw, attachments=[
        {"filename": "memo.amr", "declared_type": "audio/amr", "sha256": store.put(data)}]))
    state(app).tasks.drain_letter_spool()  # the worker registers it with the same types as the form
    assert spool(app).pending() == [] and list(spool(app).failed()) == []
    with state(app).sessions() as session:
        assert session.execute(select(Attachment.filename, Attachment.content_type)).all() == [
            ("memo.amr", "audio/amr")]
