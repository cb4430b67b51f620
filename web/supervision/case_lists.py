"""Supervisors: every case, the overdue list, extension approvals and disputed returns."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request

from cases import audit, queries, returns
from cases.queries import CaseFilter
from cases.workflow import Status
from web.auth import current_actor, role_required
from web.case_list import render_case_list
from web.app_state import db, policy
from web.privacy.access import log_access
from web.streaming import csv_response, xlsx_response

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
ROLES = ("supervisor", "admin")


def _overview_filter() -> tuple[CaseFilter, str, str]:
    status = request.args.get("status", "")
    statuses = (Status(status),) if status in {s.value for s in Status} else ()
    text = request.args.get("q", "")[:100]
    return CaseFilter(statuses=statuses, text=text), status, text


@bp.route("/")
@role_required(*ROLES)
def overview() -> str:
    flt, status, text = _overview_filter()
    return render_case_list("pages/supervisor/cases.html", flt, title="all", status=status, q=text,
                            statuses=list(Status))


def _log_export(kind: str) -> None:
    """Log the download of the whole list (its subjects carry what citizens wrote) before it streams."""
    _flt, status, text = _overview_filter()
    log_access(audit.EXPORT_CASES, target=f"case list {kind} (status {status or 'any'}, text {text!r})"[:200],
               data={"format": kind, "status": status, "q": text})


def _export_rows() -> Iterator[tuple[Any, ...]]:
    zone = ZoneInfo(policy().timezone)
    for row in queries.export_rows(db(), current_actor(), _overview_filter()[0], today=policy().today()):
        number, received, *rest = row
        yield (number, received.astimezone(zone).strftime("%Y-%m-%d %H:%M"), *rest)


@bp.route("/cases.csv")
@role_required(*ROLES)
def cases_csv() -> Response:
    """Every case of the list (the same filter), streamed."""
    _log_export("csv")
    return csv_response("cases.csv", queries.EXPORT_COLUMNS, _export_rows())


@bp.route("/cases.xlsx")
@role_required(*ROLES)
def cases_xlsx() -> Response:
    """Every case of the list (the same filter), streamed."""
    _log_export("xlsx")
    return xlsx_response("cases.xlsx", "Cases", [list(queries.EXPORT_COLUMNS)], _export_rows(),
                         widths={"I": 60})


@bp.route("/overdue")
@role_required(*ROLES)
def overdue() -> str:
    return render_case_list("pages/supervisor/cases.html", CaseFilter(overdue_only=True), title="overdue",
                            status="", q="", statuses=[])


@bp.route("/extensions")
@role_required(*ROLES)
def extensions() -> str:
    return render_case_list("pages/supervisor/cases.html", CaseFilter(extension_pending=True), title="extensions",
                            status="", q="", statuses=[])


@bp.route("/disputes")
@role_required(*ROLES)
def disputes() -> str:
    """Returns the desk disputed, waiting for a supervisor's ruling (made on each case's page)."""
    return render_template("pages/supervisor/disputes.html", disputes=returns.awaiting_ruling(db()))
