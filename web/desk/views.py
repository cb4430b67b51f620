"""The clerks' desk: the inbox of new letters and the phone-call form."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from cases import intake, services
from cases.callbacks import due_callbacks
from cases.drafts import Channel, LetterDraft
from cases.models import Category
from cases.queries import CaseFilter
from cases.workflow import Status
from web.auth import current_actor, role_required
from web.desk.forms import PhoneCallForm
from web.jobs import kick
from web.lists import render_case_list
from web.state import db, policy

bp = Blueprint("desk", __name__, url_prefix="/desk")
DESK_ROLES = ("clerk", "supervisor", "admin")
QUEUES = {
    "new": (Status.RECEIVED,),
    "to-dispatch": (Status.REGISTERED, Status.RETURNED),
    "to-reply": (Status.ANSWERED,),
    "replied": (Status.REPLIED,),
    "with-units": (Status.DISPATCHED, Status.ACCEPTED),
}


@bp.route("/")
@bp.route("/<queue>")
@role_required(*DESK_ROLES)
def inbox(queue: str = "new") -> str:
    statuses = QUEUES.get(queue, QUEUES["new"])
    return render_case_list("pages/desk/inbox.html", CaseFilter(statuses=statuses), queue=queue, queues=QUEUES)


@bp.route("/callbacks")
@role_required(*DESK_ROLES)
def callbacks() -> str:
    """Replied cases whose citizen has not rated the answer after ``SURVEY_CALLBACK_DAYS``: call them."""
    due = due_callbacks(db(), policy(), int(current_app.config["SURVEY_CALLBACK_DAYS"]))
    return render_template("pages/desk/callbacks.html", callbacks=due, queues=QUEUES,
                           days=current_app.config["SURVEY_CALLBACK_DAYS"])


@bp.route("/phone", methods=["GET", "POST"])
@role_required(*DESK_ROLES)
def phone() -> str | Response | tuple[str, int]:
    form = PhoneCallForm()
    form.category.choices = [(0, "—")] + [(c.id, c.name) for c in db().scalars(
        select(Category).where(Category.active).order_by(Category.name))]
    if not form.validate_on_submit():
        return render_template("pages/desk/phone.html", form=form), 400 if form.is_submitted() else 200
    summary = form.summary.data.strip()
    draft = LetterDraft(channel=Channel.PHONE, subject=summary.splitlines()[0][:120], body=summary,
                        sender_name=form.caller.data, sender_phone=form.phone.data, preferred_reply="phone",
                        kind=form.kind.data, urgent=form.urgent.data)
    actor = current_actor()
    case = intake.receive(db(), policy(), draft, actor=actor).case
    # The clerk checked everything while on the phone: the call is registered at once.
    services.register(db(), policy(), case, actor, category_id=form.category.data or None,
                      major_emergency=form.major_emergency.data)
    db().commit()
    kick()
    flash(_("Call saved as case %(number)s.", number=case.number), "success")
    return redirect(url_for("casepage.show", number=case.number))
