"""Supervision pages: who may see them, charts without scripts, exports, supervise, weekly report."""
from __future__ import annotations

import csv
import io
import re
from html import unescape

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select, update

from cases import demo
from cases.models import Case, Event, OutboxItem, Unit
from cases.models_disclosure import WeeklyReport
from tests.conftest import DEMO_PASSWORDS, csrf_token, login
from tests.servers.supervision_app import FastHasher, module_app  # noqa: F401
from web.app_state import state

STAFF_ONLY = ["/supervision/", "/supervision/performance", "/supervision/performance.csv",
              "/supervision/performance.xlsx", "/supervision/deadlines"]


@pytest.mark.parametrize("username", ["transport", "clerk"])
def test_unit_handlers_and_clerks_get_404(module_app: Flask, username: str) -> None:
    client = module_app.test_client()
    login(client, username)
    for path in STAFF_ONLY:
        assert client.get(path).status_code == 404, path
    assert client.post("/supervision/reports").status_code == 404
    assert client.post("/supervision/cases/2026-000001/supervise", data={"note": "x"}).status_code == 404


def test_anonymous_is_sent_to_log_in(module_app: Flask) -> None:
    response = module_app.test_client().get("/supervision/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_dashboard_draws_svg_charts_without_scripts(module_app: Flask) -> None:
    client = module_app.test_client()
    login(client, "supervisor")
    response = client.get("/supervision/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("<svg") >= 6 and "<script" not in html and "style=" not in html
    assert 'id="kpi-total">4<' in html  # the four demo letters of today
    assert "<title>Cases per day by kind</title>" in html and "<polyline" in html
    bad = client.get("/supervision/?start=2026-99-01")  # a bad date is a message, not a crash
    assert bad.status_code == 200 and "Dates are written" in bad.get_data(as_text=True)


def test_performance_table_sorts_and_exports(module_app: Flask) -> None:
    client = module_app.test_client()
    login(client, "admin")
    html = client.get("/supervision/performance?sort=received&desc=1").get_data(as_text=True)
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td>", html)
    assert rows[0] == ("Transport Bureau", "2")
    assert [int(n) for _u, n in rows] == sorted((int(n) for _u, n in rows), reverse=True)
    assert client.get("/supervision/performance?sort=evil").status_code == 200

    exported = client.get("/supervision/performance.csv?sort=received&desc=1")
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:3] == ["Unit", "Received", "On time"] and table[1][:2] == ["Transport Bureau", "2"]
    # The export holds the page's figures as the page shows them; a dash on the page is an empty cell.
    screen = [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
              for tr in re.findall(r"<tr><td>.*?</tr>", html, re.S)]
    assert [["" if cell == "—" else cell for cell in row] for row in screen] == table[1:]
    assert any(cell.endswith("%") for row in table[1:] for cell in row)

    book = load_workbook(io.BytesIO(client.get("/supervision/performance.xlsx?sort=received&desc=1").data))
    sheet = book.active
    assert sheet.cell(row=2, column=1).value == "Unit"
    assert sheet.cell(row=3, column=1).value == "Transport Bureau" and sheet.cell(row=3, column=2).value == 2
    rates = [c for c in sheet[3] if c.value is not None and sheet.cell(row=2, column=c.column).value == "Reply rate"]
    assert rates and rates[0].number_format == "0%"
    assert all(c.value != "" for row in sheet.iter_rows(min_row=3) for c in row)

    client.post("/lang/zh")
    chinese = list(csv.reader(io.StringIO(client.get("/supervision/performance.csv").get_data(as_text=True)
                                          .lstrip("\ufeff"))))
    assert chinese[0][0] == "承办单位" and "Unit" not in chinese[0]


def test_supervise_from_the_deadlines_page_and_the_unit_sees_it(module_app: Flask) -> None:
    with state(module_app).sessions() as session:
        number = session.scalar(select(Case.number).where(Case.subject.like("Street light%")))
    supervisor = module_app.test_client()
    login(supervisor, "supervisor")
    assert "Transport Bureau" in supervisor.get("/supervision/deadlines").get_data(as_text=True)
    response = supervisor.post(f"/supervision/cases/{number}/supervise",
                               data={"note": "Fix the light before the weekend.", "next": "//evil.example"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/supervision/deadlines")
    assert supervisor.post("/supervision/cases/1999-000000/supervise", data={"note": "x"}).status_code == 404

    unit = module_app.test_client()
    login(unit, "transport")
    page = unit.get("/supervision/supervised").get_data(as_text=True)
    assert number in page and "Fix the light before the weekend." in page
    other = module_app.test_client()
    login(other, "housing")
    assert number not in other.get("/supervision/supervised").get_data(as_text=True)


def test_weekly_report_html_and_pdf(module_app: Flask) -> None:
    client = module_app.test_client()
    login(client, "supervisor")
    response = client.post("/supervision/reports", data={"week": "2026-11-18"})  # a Wednesday: its week's Monday
    assert response.status_code == 302
    html = client.get(response.headers["Location"])
    assert html.status_code == 200 and "<svg" in html.get_data(as_text=True)
    assert "script-src" not in html.headers["Content-Security-Policy"]
    with state(module_app).sessions() as session:
        report = session.scalar(select(WeeklyReport).order_by(WeeklyReport.id.desc()))
        assert report.week_start.isoformat() == "2026-11-16" and report.week_start.weekday() == 0
    pdf = client.get(f"/supervision/reports/{report.id}.pdf")
    assert pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert "2026-11-16" in client.get("/supervision/").get_data(as_text=True)


def test_periodic_tasks_are_registered(module_app: Flask) -> None:
    from web.tasks.supervision import run_hour_notices, run_notices

    tasks = state(module_app).tasks
    assert tasks.supervision_notices and tasks.weekly_report and tasks.hour_notices
    assert set(run_notices(module_app)) == {"reminder", "chase", "escalation", "part_reminder", "part_chase"}
    assert set(run_hour_notices(module_app)) == {"sign_chase", "reminder", "chase", "escalation"}


@pytest.fixture()
def csrf_app(app_factory: Callable[..., Flask]) -> Flask:
    """CSRF enforced as in production, on the test database of the run (SQLite or PostgreSQL)."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, FastHasher())
        session.execute(update(Unit).where(Unit.name == "Transport Bureau")
                        .values(head_email="head@transport.example.org"))
        session.commit()
    return app


def _login(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"username": username, "password": DEMO_PASSWORDS[username],
                                                 "csrf_token": token})
    assert response.status_code == 302
    return client


def _case(app: Flask, number: str) -> tuple[bool, list[str]]:
    """(supervised, the case's supervision events) as stored."""
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        actions = [e.action for e in session.scalars(select(Event).where(Event.case_id == case.id)
                                                     .order_by(Event.id))]
        return case.supervised, [a for a in actions if a in ("supervise", "supervision_ended")]


def _notices(app: Flask, kind: str) -> list[dict]:
    with state(app).sessions() as session:
        return [o.payload for o in session.scalars(select(OutboxItem).where(OutboxItem.topic == "send_mail"))
                if o.payload.get("notice") == kind]


def test_supervise_and_end_supervision_from_the_case_page(csrf_app: Flask) -> None:
    with state(csrf_app).sessions() as session:
        number = session.scalar(select(Case.number).where(Case.subject.like("Street light%")))
    page_path, post_path = f"/cases/{number}", f"/supervision/cases/{number}/supervise"
    supervisor = _login(csrf_app, "supervisor")
    page = supervisor.get(page_path).get_data(as_text=True)
    assert 'id="action-supervise"' in page and 'id="case-supervision"' not in page

    # Without the CSRF token: refused, nothing changes.
    refused = supervisor.post(post_path, data={"note": "Answer this week.", "next": page_path})
    assert refused.status_code == 400 and _case(csrf_app, number) == (False, [])
    token = csrf_token(supervisor, page_path)
    # A note is required: back to the case with the message, nothing recorded.
    empty = supervisor.post(post_path, data={"note": "   ", "next": page_path, "csrf_token": token},
                            follow_redirects=True)
    assert "Write a note for the unit" in empty.get_data(as_text=True) and _case(csrf_app, number) == (False, [])

    note = "Answer this week, please. <script>alert(1)</script>"
    done = supervisor.post(post_path, data={"note": note, "next": page_path, "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(page_path)
    assert _case(csrf_app, number) == (True, ["supervise"])
    page = supervisor.get(page_path).get_data(as_text=True)
    assert 'id="case-supervision"' in page and "End supervision" in page
    assert "Answer this week, please. &lt;script&gt;" in page and "<script>alert" not in page
    # The unit's mailbox, its handler and the unit's head are told, with the note.
    [mail] = _notices(csrf_app, "supervise")
    assert set(mail["to"]) == {"transport@units.example.org", "transport@office.example.org",
                               "head@transport.example.org"}
    assert "Answer this week, please." in mail["body"] and number in mail["subject"]

    # The unit sees the flag and the note on its case, but has no form and may not post.
    unit = _login(csrf_app, "transport")
    unit_page = unit.get(page_path).get_data(as_text=True)
    assert 'id="case-supervision"' in unit_page and "Answer this week, please." in unit_page
    assert 'id="action-supervise"' not in unit_page
    assert unit.post(post_path, data={"end": "1", "csrf_token": csrf_token(unit, page_path)}).status_code == 404
    # Another unit's handler sees neither the case nor the flag.
    other = _login(csrf_app, "housing")
    assert other.get(page_path).status_code == 404
    assert number not in other.get("/supervision/supervised").get_data(as_text=True)
    assert other.post(post_path, data={"end": "1", "csrf_token": csrf_token(other, "/supervision/supervised")}
                      ).status_code == 404
    clerk = _login(csrf_app, "clerk")
    assert 'id="action-supervise"' not in clerk.get(page_path).get_data(as_text=True)
    assert _case(csrf_app, number) == (True, ["supervise"])

    # Clearing the flag: recorded, the unit is told, and the flag is gone from the unit's page.
    ended = supervisor.post(post_path, data={"end": "1", "note": "Light repaired.", "next": page_path,
                                             "csrf_token": token})
    assert ended.status_code == 302
    assert _case(csrf_app, number) == (False, ["supervise", "supervision_ended"])
    assert [m["notice"] for m in _notices(csrf_app, "supervision_ended")] == ["supervision_ended"]
    assert 'id="case-supervision"' not in unit.get(page_path).get_data(as_text=True)
    page = supervisor.get(page_path).get_data(as_text=True)
    assert "Light repaired." in page  # in the timeline
    # Ending it twice is a message, not an error page.
    again = supervisor.post(post_path, data={"end": "1", "next": page_path, "csrf_token": token},
                            follow_redirects=True)
    assert again.status_code == 200 and "not under supervision" in again.get_data(as_text=True)
    assert _case(csrf_app, number) == (False, ["supervise", "supervision_ended"])


def test_exports_guard_formulas_only_and_drop_control_characters(module_app: Flask) -> None:
    """Empty cells stay empty; a cell that would start a formula is quoted; characters XML 1.0 forbids (which
    openpyxl refuses) are dropped from both exports."""
    names = ["=HYPERLINK(\"http://evil.example\")\x0b Lift team", "\tTab unit", "Plain\x01 unit"]
    with state(module_app).sessions() as session:
        session.add_all([Unit(name=name) for name in names])
        session.commit()
    try:
        client = module_app.test_client()
        login(client, "supervisor")
        csv_text = client.get("/supervision/performance.csv").get_data(as_text=True).lstrip("\ufeff")
        table = {row[0]: row for row in csv.reader(io.StringIO(csv_text))}
        book = load_workbook(io.BytesIO(client.get("/supervision/performance.xlsx").data))
        sheet = {row[0]: row for row in book.active.iter_rows(min_row=3, values_only=True)}
        for rows in (table, sheet):
            assert "'=HYPERLINK(\"http://evil.example\") Lift team" in rows
            assert "'\tTab unit" in rows and "Plain unit" in rows
            idle = rows["Plain unit"]
            assert all(cell in ("", None, 0, "0") for cell in idle[1:]), idle  # no stray "'" in empty cells
            assert not any(isinstance(c, str) and c.startswith("'") and len(c) == 1 for row in rows.values()
                           for c in row)
    finally:
        with state(module_app).sessions() as session:
            session.execute(Unit.__table__.delete().where(Unit.name.in_(names)))
            session.commit()
