"""Unit handlers: their own unit's cases, and nothing else; "mine" narrows them to the cases given to the
handler, "unassigned" to those given to nobody yet."""
from __future__ import annotations

from flask import Blueprint, request

from cases.queries import CaseFilter
from cases.workflow import Status
from web.auth import current_actor, role_required
from web.case_list import render_case_list
from web.levels.panel import shares

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
WHO = ("unit", "mine", "unassigned")


@bp.route("/")
@bp.route("/<queue>")
@role_required("unit")
def inbox(queue: str = "new") -> str:
    queue = queue if queue in QUEUES else "new"
    statuses, holding = QUEUES[queue]
    who = request.args.get("who", "unit")
    who = who if who in WHO else "unit"
    flt = CaseFilter(statuses=statuses, holding=holding,
                     assignee_id=current_actor().user_id if who == "mine" else None, unassigned=who == "unassigned")
    return render_case_list("pages/unit/inbox.html", flt, queue=queue, queues=QUEUES, who=who, whos=WHO,
                            row_info=shares)
