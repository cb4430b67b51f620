"""Supervision pages: who may see them, charts without scripts, exports, supervise, weekly report."""
from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from cases.models import Case
from cases.models_disclosure import WeeklyReport
from tests.conftest import login
from tests.servers.supervision_app import module_app  # noqa: F401
from web.state import state

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
    assert table[0][:3] == ["unit", "received", "answered"] and table[1][:2] == ["Transport Bureau", "2"]

    book = load_workbook(io.BytesIO(client.get("/supervision/performance.xlsx?sort=received&desc=1").data))
    sheet = book.active
    assert sheet.cell(row=2, column=1).value == "unit"
    assert sheet.cell(row=3, column=1).value == "Transport Bureau" and sheet.cell(row=3, column=2).value == 2


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
    from web.supervision import run_notices

    tasks = state(module_app).extra["supervision_tasks"]
    assert len(tasks) == 2
    assert set(run_notices(module_app)) == {"reminder", "chase", "escalation"}


def test_supervisor_supervises_from_the_case_page(app, client, demo_data) -> None:
    from tests.conftest import login

    login(client, "supervisor")
    page = client.get("/cases/2026-000001").get_data(as_text=True)
    assert 'id="action-supervise"' in page
    response = client.post("/supervision/cases/2026-000001/supervise",
                           data={"note": "Answer this week, please.", "next": "/cases/2026-000001"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/2026-000001")
    page = client.get("/cases/2026-000001").get_data(as_text=True)
    assert "supervised" in page and "Answer this week, please." in page
    clerk = app.test_client()
    login(clerk, "clerk")
    assert 'id="action-supervise"' not in clerk.get("/cases/2026-000001").get_data(as_text=True)
