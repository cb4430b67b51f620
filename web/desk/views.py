"""The clerks' desk: the inbox of new letters and the phone-call form."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cases import callers, queries, services, submissions
from cases.callbacks import due_callbacks
from cases.drafts import AttachmentDraft, Channel, LetterDraft, PlaceDraft
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
    summary = form.summary.data.strip()
    draft = LetterDraft(channel=Channel.PHONE, subject=summary.splitlines()[0][:120], body=summary,
                        sender_name=form.caller.data, sender_phone=form.phone.data,
                        sender_address=form.address.data or "", preferred_reply="phone",
                        kind=form.kind.data, urgent=form.urgent.data, attachments=_recording(form),
                        place=PlaceDraft(address=form.place.data.strip(), source="address")
                        if (form.place.data or "").strip() else None)
    actor = current_actor()
    # The form's reads (the category choices) end here, so the recording is stored outside any transaction: on
    # SQLite a transaction holds the machine's one write turn, and a file's fsync inside it holds up every letter.
    db().commit()
    try:
        if form.follow_up.data:
            case = queries.get_case(db(), actor, form.follow_up.data.strip())
            callers.add_follow_up(db(), case, draft, actor, policy=policy(), allowed_types=AUDIO_TYPES)
            message = _("Call added to case %(number)s.", number=case.number)
        else:
            opened, new = submissions.open_submitted(db(), policy(), draft, form.submission_key.data, actor=actor,
                                                     allowed_types=AUDIO_TYPES)
            case = db().get(Case, opened.id)
            message = _("Call saved as case %(number)s.", number=case.number)
            if new:
                # The clerk checked everything while on the phone: the call is registered at once.
                services.register(db(), policy(), case, actor, category_id=form.category.data or None,
                                  major_emergency=form.major_emergency.data)
                if (form.answer.data or "").strip():
                    answer(actor, case, body=form.answer.data, channel="call", article_ids=form.articles.ids,
                           satisfaction=form.satisfaction.data or "")
                    message = _("Call saved as case %(number)s and answered.", number=case.number)
        db().commit()
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return render_template("pages/desk/phone.html", form=form), 400
    kick()
    flash(message, "success")
    return redirect(url_for("casepage.show", number=case.number))


def _recording(form: PhoneCallForm) -> list[AttachmentDraft]:
    """The call's recording as the draft's attachment (checked already by the form), or none."""
    item = form.recording.data
    if not getattr(item, "filename", None):
        return []
    return [AttachmentDraft(filename=item.filename, data=item.read(), declared_type=item.mimetype)]
