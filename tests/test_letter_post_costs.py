"""What keeps a letter's post cheap for every other letter: its files are stored before its database transaction
(on SQLite, the machine's one write turn), and WTForms' catalogs are read once per process and language."""
from __future__ import annotations

from io import BytesIO

from flask import Flask, request
from flask.testing import FlaskClient
from PIL import Image

from web.app_state import db, state


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _puts_seen_in_transaction(app: Flask, monkeypatch) -> list[bool]:  # type: ignore[no-untyped-def]
    """Watch the file store: for each file written, whether the request's database session was in a transaction."""
    store, in_transaction = state(app).policy.store, []
    real_put = store.put

    def put(data: bytes) -> str:
        in_transaction.append(db().in_transaction())
        return real_put(data)

    monkeypatch.setattr(store, "put", put)
    return in_transaction


def test_a_letter_and_its_files_are_stored_before_its_database_transaction_begins(
        app: Flask, client: FlaskClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    in_transaction = _puts_seen_in_transaction(app, monkeypatch)
    form = {"kind": "report", "subject": "Broken pavement", "body": "The pavement on Elm Street is broken.",
            "name": "Ana Ruiz", "phone": "", "email": "ana@example.org", "address": "", "preferred_reply": "email",
            "submission_key": "k" * 32, "attachments": [(BytesIO(_png()), "photo.png")]}
    response = client.post("/write", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(in_transaction) == 2  # the post as it came, and the photo
    assert not any(in_transaction)


def test_wtforms_messages_are_translated_from_one_catalog_per_language_and_process(app: Flask) -> None:
    catalogs: dict[str, list] = {}
    for lang in ("zh", "es", "zh"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            catalogs.setdefault(lang, []).append(request.wtforms_translations)
    assert catalogs["zh"][0] is catalogs["zh"][1]
    assert catalogs["zh"][0].gettext("This field is required.") == "该字段是必填字段。"
    assert catalogs["es"][0].gettext("This field is required.") == "Este campo es obligatorio."


def test_a_phone_call_recording_is_stored_outside_any_transaction(app: Flask, demo_data: object,
                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import login

    clerk = app.test_client()
    login(clerk, "clerk")
    in_transaction = _puts_seen_in_transaction(app, monkeypatch)
    riff = b"RIFF" + (36 + 800).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little") + bytes.fromhex(
        "01000100401f0000401f000001000800") + b"data" + (800).to_bytes(4, "little") + bytes(800)
    response = clerk.post("/desk/phone", data={
        "caller": "周先生", "phone": "13900000001", "kind": "report", "category": 0, "summary": "路灯坏了，晚上很黑。",
        "submission_key": "d" * 32, "recording": (BytesIO(riff), "call.wav")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    assert in_transaction == [False]
