"""Supervisors: every case, the overdue list, extension approvals and disputed returns."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from cases import returns
from cases.queries import CaseFilter
from cases.workflow import Status
from web.auth import role_required
from web.case_list import render_case_list
from web.app_state import db

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
ROLES = ("supervisor", "admin")


@bp.route("/")
@role_required(*ROLES)
def overview() -> str:
    status = request.args.get("status", "")
    statuses = (Status(status),) if status in {s.value for s in Status} else ()
    text = request.args.get("q", "")[:100]
    return render_case_list("pages/supervisor/cases.html", CaseFilter(statuses=statuses, text=text),
                            title="all", status=status, q=text, statuses=list(Status))


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
