"""The case page's actions for returns and reassignment (dispute a return, rule on it, recall, assign to a
handler) and its internal notes: forms beside the few lines that call ``cases.returns``, ``cases.assignment``
and ``cases.notes``."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cases import assignment, notes, returns
from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Case, Unit
from cases.workflow import Action
from web.auth import current_actor
from web.code_labels import named
from web.app_state import db, policy
from web.domain_text import say


class DisputeReturnForm(FlaskForm):
    reason = TextAreaField(_l("Why is this the unit's case after all?"),
                           validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Dispute the return"))


class RuleOnDisputeForm(FlaskForm):
    decision = RadioField(_l("Ruling"), validators=[DataRequired()], choices=[
        ("uphold", _l("Uphold the return: the case stays with the desk")),
        ("overrule", _l("Overrule the return: the case goes back to the unit"))])
    note = TextAreaField(_l("Reason for the ruling"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Rule"))


class RecallForm(FlaskForm):
    reason = TextAreaField(_l("Why is the case recalled?"), validators=[DataRequired(), Length(max=2000)])
    unit = SelectField(_l("Dispatch at once to (optional)"), coerce=int, choices=[])
    note = TextAreaField(_l("Instructions for the new unit"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Recall"))


class AssignForm(FlaskForm):
    handler = SelectField(_l("Handler"), coerce=int, choices=[], validators=[DataRequired()])
    note = TextAreaField(_l("Note for the handler"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Assign"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note (never shown to the citizen)"),
                         validators=[DataRequired(), Length(max=notes.MAX_NOTE)])
    reply_to = HiddenField()
    submit = SubmitField(_l("Add note"))


# action -> (form class, what the form does), merged into the case page's actions.
WORK_ACTIONS: dict[str, tuple[type[FlaskForm], Any]] = {
    "dispute_return": (DisputeReturnForm, lambda a, c, fm: returns.dispute_return(
        db(), policy(), c, a, fm.reason.data)),
    "rule_on_dispute": (RuleOnDisputeForm, lambda a, c, fm: returns.rule_on_dispute(
        db(), policy(), c, a, upheld=fm.decision.data == "uphold", note=fm.note.data)),
    "recall": (RecallForm, lambda a, c, fm: returns.redispatch(
        db(), policy(), c, a, fm.reason.data, fm.unit.data or None, fm.note.data or "")),
    "assign": (AssignForm, lambda a, c, fm: assignment.assign(db(), policy(), c, a, fm.handler.data,
                                                               fm.note.data or "")),
}
WORK_BUTTONS = {Action.UPHOLD_RETURN: "rule_on_dispute", Action.OVERRULE_RETURN: "rule_on_dispute"}


def prepare(form: FlaskForm, case: Case) -> None:
    """Fill the choices of the work forms from the database."""
    if isinstance(form, RecallForm):
        form.unit.choices = [(0, "—")] + [(u.id, named(u)) for u in db().scalars(
            select(Unit).where(Unit.active, Unit.id != (case.unit_id or 0)).order_by(Unit.name))]
    elif isinstance(form, AssignForm):
        form.handler.choices = [(0, "—")] + [(u.id, u.display_name or u.username)
                                             for u in assignment.handlers(db(), case.unit_id or 0)]
        if not form.is_submitted():
            form.handler.data = case.assignee_id or 0


def hidden(names: list[str], actor: Actor) -> list[str]:
    """The work buttons the workflow allows but this user may not use: assigning is the unit head's."""
    if "assign" in names and not assignment.is_unit_head(db(), actor):
        return ["assign"]
    return []


def context(case: Case, actor: Actor, note_form: NoteForm | None = None) -> dict[str, Any]:
    """What the case page shows of the work inside the office: the note threads and the note form."""
    return {"note_threads": notes.threads(notes.visible_notes(db(), actor, case)),
            "note_form": note_form or NoteForm(formdata=None)}


def register(bp: Any, visible_case: Any, page: Any) -> None:
    """Add the notes route to the case page's blueprint (``visible_case``/``page``: its lookup and renderer)."""

    @bp.route("/<number>/notes", methods=["POST"])
    @login_required
    def add_note(number: str) -> Response | tuple[str, int]:
        case = visible_case(number)
        form = NoteForm()
        if not form.validate_on_submit():
            return page(case, note_form=form, status=400)
        reply_to = form.reply_to.data or ""
        if reply_to and not reply_to.isdigit():
            abort(400)
        try:
            note = notes.add_note(db(), case, current_actor(), form.body.data, int(reply_to) if reply_to else None)
            db().commit()
        except CaseError as err:
            db().rollback()
            form.body.errors = [say(err)]
            return page(case, note_form=form, status=400)
        flash(_("Note added."), "success")
        return redirect(url_for("casepage.show", number=number, _anchor=f"note-{note.id}"))
