"""Unit handlers: their own unit's cases, and nothing else."""
from __future__ import annotations

from flask import Blueprint

from cases.queries import CaseFilter
from cases.workflow import Status
from web.auth import role_required
from web.case_list import render_case_list

bp = Blueprint("unit", __name__, url_prefix="/unit")
QUEUES = {
    "new": (Status.DISPATCHED,),
    "working": (Status.ACCEPTED,),
    "answered": (Status.ANSWERED, Status.REPLIED, Status.CLOSED),
}


@bp.route("/")
@bp.route("/<queue>")
@role_required("unit")
def inbox(queue: str = "new") -> str:
    return render_case_list("pages/unit/inbox.html", CaseFilter(statuses=QUEUES.get(queue, QUEUES["new"])),
                            queue=queue, queues=QUEUES)
