"""Unit handlers: their own unit's cases, and nothing else."""
from __future__ import annotations

from flask import Blueprint

from cases.queries import CaseFilter
from cases.workflow import Status
from web.auth import role_required
from web.levels.panel import shares
from web.lists import render_case_list

bp = Blueprint("unit", __name__, url_prefix="/unit")
# queue -> (statuses, the unit's share: lead, a part passed down to it, co-handling, its sub-units' cases)
QUEUES = {
    "new": ((Status.DISPATCHED,), "lead"),
    "working": ((Status.ACCEPTED,), "lead"),
    "passed-down": ((), "sub"),
    "co-handling": ((), "co"),
    "below": ((), "below"),
    "answered": ((Status.ANSWERED, Status.REPLIED, Status.CLOSED), "lead"),
}


@bp.route("/")
@bp.route("/<queue>")
@role_required("unit")
def inbox(queue: str = "new") -> str:
    queue = queue if queue in QUEUES else "new"
    statuses, holding = QUEUES[queue]
    return render_case_list("pages/unit/inbox.html", CaseFilter(statuses=statuses, holding=holding),
                            queue=queue, queues=QUEUES, row_info=shares)
