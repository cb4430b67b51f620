"""Who saw what: every access to personal data and every administrative change is in the access log, which
supervisors and administrators read and filter, and which nobody can change, not even with SQL."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from cases import audit
from cases.actors import Actor
from cases.models import Attachment, Case, User
from cases.models_privacy import AccessLog
from tests.conftest import login
from tests.privacy_cases import letter_case
from web.app_state import state


def logged(app: Flask) -> list[tuple[str, str, str | None, str]]:
    with state(app).sessions() as session:
        return [(row.action, row.actor, row.case_number, row.target)
                for row in session.scalars(select(AccessLog).order_by(AccessLog.id))]


def attachment_id(app: Flask, number: str) -> int:
    with state(app).sessions() as session:
        return session.scalar(select(Attachment.id).join(Case).where(Case.number == number))


def test_each_access_to_personal_data_and_each_admin_change_is_logged(app: Flask, client: FlaskClient,
                                                                     demo_data: object) -> None:
    number = letter_case(client)
    assert logged(app) == []  # the citizen writing is no access by staff
    clerk = app.test_client()
    login(clerk, "clerk")
    assert "Ana Ruiz" in clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert clerk.get(f"/cases/{number}/files/{attachment_id(app, number)}").status_code == 200
    admin = app.test_client()
    login(admin, "admin")
    assert admin.post("/admin/categories", data={"name": "Parks"}).status_code == 302
    assert admin.post("/admin/units", data={"name": "Parks Office", "kind": "department", "parent": 0,
                                            "email": "", "head_email": ""}).status_code == 302
    assert admin.post("/admin/users", data={"username": "newclerk", "password": "a-long-password-2026",
                                            "role": "clerk", "unit": "", "display_name": "", "email": ""}
                      ).status_code == 302
    with state(app).sessions() as session:
        newclerk = session.scalar(select(User.id).where(User.username == "newclerk"))
    assert admin.post(f"/admin/users/{newclerk}/active", data={"confirm": "yes"}).status_code == 302
    assert admin.post("/letters/templates/reply/en", data={"source": admin_template(admin), "note": "tone"}
                      ).status_code == 302
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    assert supervisor.get(f"/privacy/citizen/{number}/export.zip").status_code == 200

    rows = logged(app)
    assert (audit.VIEW_CITIZEN, "Clerk", number, f"citizen of {number}") in rows
    assert any(r[0] == audit.DOWNLOAD_ATTACHMENT and r[2] == number and "photo.png" in r[3] for r in rows)
    assert (audit.ADMIN_CATEGORY, "Admin", None, "added category Parks") in rows
    assert (audit.ADMIN_UNIT, "Admin", None, "added unit Parks Office") in rows
    assert (audit.ADMIN_USER, "Admin", None, "created user newclerk (clerk)") in rows
    assert (audit.ADMIN_USER, "Admin", None, f"deactivation of user {newclerk} (newclerk)") in rows
    assert any(r[0] == audit.ADMIN_TEMPLATE and r[3].startswith("template reply/en v") for r in rows)
    assert any(r[0] == audit.EXPORT_CITIZEN and r[1] == "Supervisor" and r[2] == number for r in rows)

    page = supervisor.get("/privacy/log").get_data(as_text=True)
    assert number in page and "downloaded a file" in page and "added category Parks" in page


def admin_template(admin: FlaskClient) -> str:
    page = admin.get("/letters/templates/reply/en").get_data(as_text=True)
    source = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)
    import html

    return html.unescape(source).lstrip("\n") + "\n"


def _fill(app: Flask, count: int, **kw: object) -> None:
    with state(app).sessions() as session:
        for i in range(count):
            audit.record(session, Actor(user_id=kw.get("user_id"), role="clerk", name=str(kw.get("name", "x"))),
                         str(kw.get("action", audit.VIEW_CITIZEN)), case_number=str(kw.get("case", f"C-{i}")),
                         target=f"row {i}")
        session.commit()


def test_the_log_filters_and_pages_by_keyset(app: Flask, demo_data: object) -> None:
    with state(app).sessions() as session:
        clerk_id = session.scalar(select(User.id).where(User.username == "clerk"))
    _fill(app, 70, user_id=clerk_id, name="Clerk")
    _fill(app, 3, user_id=None, name="system", action=audit.ERASE_RETENTION, case="2026-0000042")
    supervisor = app.test_client()
    login(supervisor, "supervisor")

    first = supervisor.get(f"/privacy/log?user={clerk_id}").get_data(as_text=True)
    shown = re.findall(r">row (\d+)<", first)
    assert len(shown) == 50 and shown[0] == "69"  # newest first
    older = re.search(r'id="older" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = supervisor.get(older).get_data(as_text=True)
    rest = re.findall(r">row (\d+)<", second)
    assert rest == [str(i) for i in range(19, -1, -1)] and 'id="older"' not in second
    assert not set(shown) & set(rest)

    erased = supervisor.get(f"/privacy/log?action={audit.ERASE_RETENTION}").get_data(as_text=True)
    assert len(re.findall(r'<tr class="access">', erased)) == 3
    by_case = supervisor.get("/privacy/log?case=C-7").get_data(as_text=True)
    assert re.findall(r">row (\d+)<", by_case) == ["7"]
    today = date.today()
    in_range = supervisor.get(f"/privacy/log?since={today - timedelta(days=1)}&until={today + timedelta(days=1)}")
    assert len(re.findall(r'<tr class="access">', in_range.get_data(as_text=True))) == 50
    before = supervisor.get(f"/privacy/log?until={today - timedelta(days=2)}").get_data(as_text=True)
    assert '<tr class="access">' not in before
    bad = supervisor.get("/privacy/log?since=not-a-date")
    assert bad.status_code == 400 and "Not a valid date" in bad.get_data(as_text=True)


@pytest.mark.parametrize("user", ["clerk", "transport"])
def test_units_and_clerks_cannot_read_the_log_nor_a_citizens_data(app: Flask, client: FlaskClient,
                                                                   demo_data: object, user: str) -> None:
    number = letter_case(client)
    staff = app.test_client()
    login(staff, user)
    for path in ("/privacy/log", f"/privacy/citizen/{number}", f"/privacy/citizen/{number}/export.zip"):
        assert staff.get(path).status_code == 404, path
    assert staff.post(f"/privacy/citizen/{number}/erase", data={"reason": "x", "confirm": "y"}).status_code == 404
    assert "privacy/log" not in staff.get("/search/").get_data(as_text=True)
    assert not any(r[0] in (audit.EXPORT_CITIZEN, audit.ERASE_CITIZEN) for r in logged(app))


def test_the_database_refuses_to_change_or_delete_the_log(app: Flask, demo_data: object) -> None:
    _fill(app, 2)
    engine = state(app).engine
    statements = ["UPDATE access_log SET actor = 'someone else'", "DELETE FROM access_log"]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE access_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    assert [row[1] for row in logged(app)] == ["x", "x"]


def test_downloads_of_originals_scans_and_letters_are_logged(app: Flask, client: FlaskClient,
                                                             demo_data: object) -> None:
    from cases.models import QuarantineItem, Reply
    from cases.models_letters import PostalBatch
    from cases.models_scans import ScanBatch, ScanItem

    number = letter_case(client)
    store = state(app).policy.store
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        pdf = store.put(b"%PDF-1.4 a letter to Ana Ruiz")
        reply = Reply(case=case, channel="post", body="Dear Ana", pdf_sha256=pdf, status="sent")
        batch = PostalBatch(pdf_sha256=pdf, count=1)
        quarantined = QuarantineItem(source="email", reason="unreadable", raw_sha256=store.put(b"From: ana"))
        scan = ScanBatch(files=[])
        item = ScanItem(batch=scan, key="k", sha256="0" * 64, pdf_sha=store.put(b"%PDF-1.4 scanned"))
        session.add_all([reply, batch, quarantined, item])
        session.commit()
        ids = reply.id, batch.id, quarantined.id, item.id
    clerk = app.test_client()
    login(clerk, "clerk")
    for path in (f"/letters/cases/{number}/replies/{ids[0]}.pdf", f"/letters/post/batches/{ids[1]}.pdf",
                 f"/quarantine/{ids[2]}/raw", f"/scans/items/{ids[3]}/searchable.pdf"):
        assert clerk.get(path).status_code == 200, path
    rows = logged(app)
    assert (audit.DOWNLOAD_REPLY, "Clerk", number, f"reply {ids[0]}") in rows
    assert (audit.DOWNLOAD_POST, "Clerk", None, f"postal batch {ids[1]}") in rows
    assert (audit.DOWNLOAD_RAW, "Clerk", None, f"quarantine {ids[2]}") in rows
    assert (audit.DOWNLOAD_SCAN, "Clerk", None, f"scan {ids[3]} searchable PDF") in rows
    # A file that is no longer stored (erased) is a plain 404, never an error page, and no access.
    store.delete(pdf)
    assert clerk.get(f"/letters/post/batches/{ids[1]}.pdf").status_code == 404
    assert len(logged(app)) == len(rows)


def test_a_user_created_from_the_command_line_is_logged(app: Flask, demo_data: object) -> None:
    created = app.test_cli_runner().invoke(args=["users", "create", "nightclerk", "--role", "clerk"],
                                           input="a-long-password\na-long-password\n")
    assert created.exit_code == 0, created.output
    assert (audit.ADMIN_USER, "command line", None, "created user nightclerk (clerk)") in logged(app)


def test_case_list_exports_and_a_case_shown_on_the_command_line_are_logged(app: Flask, client: FlaskClient,
                                                                          demo_data: object) -> None:
    number = letter_case(client)
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    csv = supervisor.get("/supervisor/cases.csv?status=received&q=pothole")
    assert csv.status_code == 200
    csv.get_data()  # the rows stream after the log row is committed
    assert supervisor.get("/supervisor/cases.xlsx").status_code == 200
    shown = app.test_cli_runner().invoke(args=["cases", "show", number])
    assert shown.exit_code == 0, shown.output
    rows = logged(app)
    assert (audit.EXPORT_CASES, "Supervisor", None, "case list csv (status received, text 'pothole')") in rows
    assert (audit.EXPORT_CASES, "Supervisor", None, "case list xlsx (status any, text '')") in rows
    assert (audit.VIEW_CITIZEN, "command line", number, f"case {number} shown on the command line") in rows
    with state(app).sessions() as session:
        assert session.scalar(select(AccessLog.data).where(AccessLog.action == audit.EXPORT_CASES)) == {
            "format": "csv", "status": "received", "q": "pothole"}
    log_page = supervisor.get("/privacy/log?action=export_cases").get_data(as_text=True)
    assert "exported a case list" in log_page
