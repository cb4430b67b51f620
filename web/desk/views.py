"""The clerks' desk: the inbox of new letters and the phone-call form."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cases import phone_calls, submissions
from cases.actors import Actor
from cases.callbacks import due_callbacks
from cases.errors import CaseError
from cases.models import Case
from cases.queries import CaseFilter
from cases.sniff import AUDIO_TYPES
from cases.workflow import Status
from web.auth import current_actor, role_required
from web.desk.answering import answer
from web.desk.forms import PhoneCallForm
from web.domain_text import say
from web.form_fields import category_choices
from web.tasks.queue import kick
from web.case_list import render_case_list
from web.app_state import db, policy

bp = Blueprint("desk", __name__, url_prefix="/desk")
DESK_ROLES = ("clerk", "supervisor", "admin")
QUEUES = {
    "new": (Status.RECEIVED,),
    "to-dispatch": (Status.REGISTERED, Status.RETURNED),
    "to-reply": (Status.ANSWERED,),
    "replied": (Status.REPLIED,),
    "with-units": (Status.DISPATCHED, Status.ACCEPTED),
    "disputed": (Status.DISPUTED,),  # returns the desk disputed, waiting for a supervisor's ruling
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
    form.category.choices = category_choices()
    if not form.validate_on_submit():
        form.submission_key.data = form.submission_key.data or submissions.new_key()
        return render_template("pages/desk/phone.html", form=form), 400 if form.is_submitted() else 200
    actor = current_actor()
    # The form's reads (the category choices) end here, so the recording is stored outside any transaction: on
    # SQLite a transaction holds the machine's one write turn, and a file's fsync inside it holds up every letter.
    db().commit()
    try:
        case, message = _save_call(form, actor)
        db().commit()
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return render_template("pages/desk/phone.html", form=form), 400
    kick()
    flash(message, "success")
    return redirect(url_for("casepage.show", number=case.number))


def _save_call(form: PhoneCallForm, actor: Actor) -> tuple[Case, str]:
    """Take the call (:func:`cases.phone_calls.take_call`) and, when it opened a case and the clerk answered on
    the call, answer it: the case and what to tell the clerk. The caller commits."""
    taken = phone_calls.take_call(db(), policy(), form.letter_draft(), actor, follow_up=form.follow_up.data or "",
                                  submission_key=form.submission_key.data, category_id=form.category.data or None,
                                  major_emergency=form.major_emergency.data, allowed_types=AUDIO_TYPES)
    case = taken.case
    if taken.follow_up:
        return case, _("Call added to case %(number)s.", number=case.number)
    if taken.opened and (form.answer.data or "").strip():
        answer(actor, case, body=form.answer.data, channel="call", article_ids=form.articles.ids,
               satisfaction=form.satisfaction.data or "")
        return case, _("Call saved as case %(number)s and answered.", number=case.number)
    return case, _("Call saved as case %(number)s.", number=case.number)
