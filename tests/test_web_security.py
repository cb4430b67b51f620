"""Bad input and hostile users: errors beside fields, nothing stored, nothing leaked, no 500."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from cases.models import Case, User
from tests.conftest import category_id, csrf_token, login
from tests.helpers.web_forms import PNG, letter_form, submit_letter, unit_id
from web.app_state import state

# A CSRF token: the visitor's raw token, then when it was signed and the signature.
CSRF_SIGNATURE = re.compile(r'(name="csrf_token"[^>]*? value="[\w-]+)\.[\w-]+\.[\w-]+"')
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def case_count(app: Flask) -> int:
    with state(app).sessions() as s:
        return s.scalar(select(func.count()).select_from(Case))


def stored_files(app: Flask) -> int:
    root = Path(app.config["FILES_DIR"])
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


@pytest.mark.parametrize("field,value,message", [
    ("subject", "", "This field is required."),
    ("body", "short", "Field must be between 10 and 20000 characters long."),
    ("email", "not-an-email", "Invalid email address."),
    ("phone", "call me maybe", "Enter a phone number"),
    ("preferred_reply", "post", "Fill in “Postal address”"),
])
def test_invalid_letter_shows_error_beside_field_and_stores_nothing(app: Flask, client: FlaskClient, field: str,
                                                                    value: str, message: str) -> None:
    before = case_count(app)
    response = client.post("/write", data=letter_form(**{field: value}), content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    wrapper = {"preferred_reply": "preferred_reply"}.get(field, field)
    block = re.search(rf'<div class="field has-error">(?:(?!<div class="field).)*?id="{wrapper}-error">([^<]*)<',
                      html, re.S)
    assert block and message in block.group(1)
    assert case_count(app) == before


def test_attachment_judged_by_bytes_not_name(app: Flask, client: FlaskClient) -> None:
    before_files = stored_files(app)
    response = client.post("/write", data=letter_form(attachments=[(io.BytesIO(b"#!/bin/sh\nrm -rf /\n"),
                                                                    "holiday.png")]),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "is not an image or PDF" in response.get_data(as_text=True)
    assert case_count(app) == 0 and stored_files(app) == before_files
    too_many = [(io.BytesIO(PNG), f"p{i}.png") for i in range(6)]
    response = client.post("/write", data=letter_form(attachments=too_many), content_type="multipart/form-data")
    assert response.status_code == 400 and "At most 5 files." in response.get_data(as_text=True)


def test_oversized_upload_gets_friendly_413(app_factory) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(MAX_CONTENT_LENGTH=1024 * 1024)
    client = app.test_client()
    big = PNG + b"\x00" * (2 * 1024 * 1024)
    # The letter form reads the post and comes back filled in (tests/test_upload_limits.py); elsewhere, a page.
    response = client.post("/write", data=letter_form(attachments=[(io.BytesIO(big), "big.png")]),
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "Broken pavement" in response.get_data(as_text=True)
    response = client.post("/track", data=letter_form(attachments=[(io.BytesIO(big), "big.png")]),
                           content_type="multipart/form-data")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The upload is too large" in html and "Traceback" not in html
    assert case_count(app) == 0


def test_csrf_is_enforced(app_factory) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/write", data=letter_form(), content_type="multipart/form-data")
    assert response.status_code == 400 and "The form expired" in response.get_data(as_text=True)
    assert case_count(app) == 0
    token = csrf_token(client, "/write")
    response = client.post("/write", data=letter_form(csrf_token=token), content_type="multipart/form-data")
    assert response.status_code == 302 and case_count(app) == 1


def _unsigned(html: str, number: str) -> str:
    """``html`` with the case number as N and the time each CSRF token was signed taken out: a token is the
    visitor's own secret, signed with the second it is rendered, so two requests a second apart differ there."""
    page, tokens = CSRF_SIGNATURE.subn(r'\1.SIGNED"', html.replace(number, "N"))
    assert tokens, "the track form carries a CSRF token"
    return page


def test_wrong_tracking_code_looks_like_unknown_number(app: Flask, client: FlaskClient) -> None:
    number, code = submit_letter(client)
    wrong_code = client.post("/track", data={"number": number, "code": "ZZZZ-ZZZZ-ZZ"})
    unknown = client.post("/track", data={"number": "2026-999999", "code": "ZZZZ-ZZZZ-ZZ"})
    assert wrong_code.status_code == unknown.status_code == 404
    assert _unsigned(wrong_code.get_data(as_text=True), number) == _unsigned(unknown.get_data(as_text=True),
                                                                             "2026-999999")


def test_script_is_text_on_every_staff_page(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number, _ = submit_letter(client, subject="Hi " + XSS, body="Body " + XSS, name=XSS,
                              attachments=[(io.BytesIO(PNG), XSS + ".png")])
    for username in ("clerk", "supervisor"):
        staff = app.test_client()
        login(staff, username)
        for path in (f"/cases/{number}", "/desk/new", "/supervisor/", f"/supervisor/?q={number}"):
            response = staff.get(path)
            if response.status_code == 404:
                continue
            html = response.get_data(as_text=True)
            assert "<script>alert" not in html and "<img src=x" not in html, path
            assert "&lt;script&gt;alert" in html, path
    staff = app.test_client()
    login(staff, "clerk")
    page = staff.get(f"/cases/{number}").get_data(as_text=True)
    file_url = re.search(r'href="(/cases/[^"]+/files/\d+)"', page).group(1)
    download = staff.get(file_url)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "\n" not in download.headers["Content-Disposition"] and "<" not in download.headers[
        "Content-Disposition"].split(";")[1]


def _routes_with_case_number(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if "number" not in rule.arguments:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.rule, method))
    return routes


def test_unit_handler_gets_404_for_other_units_cases_on_every_route(app: Flask, client: FlaskClient,
                                                                    demo_data: object) -> None:
    number, _ = submit_letter(client, attachments=[(io.BytesIO(PNG), "p.png")])
    clerk = app.test_client()
    login(clerk, "clerk")
    clerk.post(f"/cases/{number}/register", data={"kind": "report", "category": 0})
    clerk.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, "Housing and Urban-Rural Development Bureau"),
                                                  "category": category_id(app, "Housing")})
    attachment_id = re.search(r"/files/(\d+)", clerk.get(f"/cases/{number}").get_data(as_text=True)).group(1)
    other = app.test_client()
    login(other, "transport")
    routes = _routes_with_case_number(app)
    assert len(routes) >= 3
    from web.casepage.views import ACTIONS

    for rule, method in routes:
        paths = [rule.replace("<number>", number)]
        if "<action>" in rule:
            paths = [p.replace("<action>", a) for p in paths for a in ACTIONS]
        paths = [p.replace("<int:attachment_id>", attachment_id) for p in paths]
        for path in paths:
            response = other.open(path, method=method, data={"reason": "x", "body": "x", "days": 1})
            assert response.status_code == 404, (path, method)
    assert number not in other.get("/unit/new").get_data(as_text=True)
    assert number not in other.get("/unit/working").get_data(as_text=True)
    # Staff-only areas answer a unit handler with 404 too.
    for path in ("/desk/", "/desk/phone", "/supervisor/", "/admin/users"):
        assert other.get(path).status_code == 404, path
    # ... while the right unit sees it.
    own = app.test_client()
    login(own, "housing")
    assert own.get(f"/cases/{number}").status_code == 200


def test_security_headers(app: Flask, client: FlaskClient, demo_data: object) -> None:
    public = client.get("/")
    assert "default-src 'self'" in public.headers["Content-Security-Policy"]
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    login(client, "clerk")
    assert client.get("/desk/").headers["Cache-Control"] == "no-store"


def test_secure_cookie_flags_by_default(app_factory, demo_data: object) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(SESSION_COOKIE_SECURE=True)
    from cases import demo as demo_module
    from web.auth import hasher

    with state(app).sessions() as s:
        demo_module.load(s, state(app).policy, hasher(app))
        s.commit()
    response = app.test_client().post("/auth/login", data={"username": "clerk", "password": "clerk-demo-2026"},
                                      base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_argon2id(app: Flask, demo_data: object) -> None:
    with state(app).sessions() as s:
        hashes = s.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_login_is_throttled_per_address_and_account_without_locking_the_owner_out(
        app: Flask, demo_data: object) -> None:
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for _ in range(5):
        assert "Wrong user name or password." in login(attacker, "clerk", "wrong-password").get_data(as_text=True)
    blocked = login(attacker, "clerk")
    assert blocked.status_code == 429 and "Too many failed log-ins" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    # The owner, from their own address, is not locked out by somebody else's guesses.
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert login(owner, "clerk").status_code == 302


def test_the_password_hash_is_computed_with_no_transaction_open(app: Flask, demo_data: object) -> None:
    """Argon2 is slow by design; on SQLite a transaction open meanwhile held the one write turn, and every letter
    form waited for a staff member's log-in. The web ends the lookups' transaction before the check."""
    from cases.login import authenticate
    from tests.conftest import DEMO_PASSWORDS
    from web.auth import hasher

    real, open_during_check = hasher(), []

    class Watching:
        """The real hasher, noting whether a transaction was open when it was asked."""

        def verify(self, hashed: str, password: str) -> bool:
            open_during_check.append(session.in_transaction())
            return real.verify(hashed, password)

        def dummy_hash(self) -> str:
            return real.dummy_hash()

    with state(app).sessions() as session:
        user = authenticate(session, Watching(), "clerk", DEMO_PASSWORDS["clerk"], "192.0.2.1",
                            end_reads=session.commit)
        session.commit()
    assert user is not None and user.username == "clerk" and open_during_check == [False]


def test_login_renews_session_and_logs_out_when_idle(app: Flask, client: FlaskClient, demo_data: object) -> None:
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, "clerk")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        sess["seen_at"] = sess["seen_at"] - 31 * 60
    response = client.get("/desk/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/desk/").status_code == 302


def test_a_staff_session_used_from_another_browser_is_logged_out(client: FlaskClient, demo_data: object) -> None:
    login(client, "clerk")
    assert client.get("/desk/").status_code == 200
    moved = client.get("/desk/", headers={"User-Agent": "another browser"})
    assert moved.status_code == 302 and "/auth/login" in moved.headers["Location"]
    assert client.get("/desk/").status_code == 302  # the log-in is gone, not only hidden from that browser


def test_a_visitors_session_cookie_is_issued_when_it_changes_only(client: FlaskClient) -> None:
    assert "Set-Cookie" in client.get("/write").headers  # the form's token goes in the session
    assert "Set-Cookie" not in client.get("/write").headers
    assert "Set-Cookie" not in client.get("/write", headers={"User-Agent": "another browser"}).headers
    response = client.post("/write", data=letter_form(), content_type="multipart/form-data")
    assert response.status_code == 302 and "Set-Cookie" in response.headers  # the case to confirm
    assert "Set-Cookie" not in client.get("/write/sent").headers


@pytest.mark.parametrize("storage", ["memory://", ""])  # "": the embedded default, sqlitefile://
def test_anonymous_letters_are_rate_limited(app_factory, storage: str) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(LETTER_RATE_LIMIT="2 per minute", RATELIMIT_STORAGE_URI=storage)
    client = app.test_client()
    for _ in range(2):
        assert client.post("/write", data=letter_form(), content_type="multipart/form-data").status_code == 302
    limited = client.post("/write", data=letter_form(), content_type="multipart/form-data")
    assert limited.status_code == 429 and "Too many requests" in limited.get_data(as_text=True)
    assert case_count(app) == 2


def test_open_redirect_after_login_is_refused(client: FlaskClient, demo_data: object) -> None:
    response = client.post("/auth/login?next=//evil.example/x", data={"username": "clerk",
                                                                      "password": "clerk-demo-2026"})
    assert response.status_code == 302 and response.headers["Location"] == "/desk/"


def test_unknown_page_and_bad_method_are_friendly(client: FlaskClient) -> None:
    assert "This page does not exist." in client.get("/nope").get_data(as_text=True)
    assert client.get("/track/rate").status_code == 405


def test_our_mailbox_package_shadows_the_standard_library() -> None:
    import mailbox

    from web import CHECKOUT

    assert Path(mailbox.__file__).resolve().is_relative_to(CHECKOUT)


def test_security_txt_says_where_to_report(app_factory) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta, timezone

    for settings, contact in (({"OFFICE_EMAIL": "office@city.example"}, "mailto:office@city.example"),
                              ({"SECURITY_CONTACT": ["mailto:cert@city.example", "https://city.example/report"]},
                               "https://city.example/report")):
        response = app_factory(**settings).test_client().get("/.well-known/security.txt")
        assert response.status_code == 200 and response.mimetype == "text/plain"
        fields = dict(line.split(": ", 1) for line in response.get_data(as_text=True).splitlines()
                      if not line.startswith("Contact"))
        assert f"Contact: {contact}" in response.get_data(as_text=True)
        expires = datetime.fromisoformat(fields["Expires"].replace("Z", "+00:00"))
        assert datetime.now(timezone.utc) < expires < datetime.now(timezone.utc) + timedelta(days=365)
        assert fields["Canonical"].endswith("/.well-known/security.txt")
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
