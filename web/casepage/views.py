"""The case page (the whole timeline) and the action buttons on it, for every staff role."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from cases import audit, case_places, categories, queries, services, sms, texts
from cases.letters import awaiting_reply
from cases.cohandling import MissingParts
from cases.errors import N_, CaseError, NotFound
from cases.models import Attachment, Case, Category, Reply, Unit
from cases.sniff import AUDIO_TYPES, UPLOAD_TYPES
from cases.workflow import Action, allowed_actions
from web.auth import current_actor
from web.code_labels import named
from web.casepage import actions as acts
from web.casepage import forms as f
from web.casepage import work
from web.casepage.errors import error_message
from web.casepage.summary import case_summary
from web.desk.answering import answer as answer_directly
from web.downloads import download, playable
from web.form_fields import attachment_drafts, category_choices
from web.tasks.queue import kick
from web.reply_letters import sending as reply_letters
from web.reply_letters.drafting import letter_picker, prefill_reply_form
from web.levels import panel as parts_web
from web.places.case_context import place_context
from web.privacy.access import log_access
from web.security import no_session_cookie
from web.search_wiring import similar_cases
from web.supervision.casepage import supervise_context
from web.app_state import db, policy

bp = Blueprint("casepage", __name__, url_prefix="/cases")

Runner = Callable[[Any, Case, FlaskForm], Any]

# action -> (form class, what the form does); the workflow table decides who may use which.
ACTIONS: dict[str, tuple[type[FlaskForm], Runner]] = {
    "register": (f.RegisterForm, lambda a, c, fm: services.register(
        db(), policy(), c, a, kind=fm.kind.data, category_id=fm.category.data or None, urgent=fm.urgent.data,
        major_emergency=fm.major_emergency.data, note=fm.note.data or "")),
    "dispatch": (f.DispatchForm, lambda a, c, fm: services.dispatch(
        db(), policy(), c, a, fm.unit.data, fm.note.data or "", fm.category.data or None,
        co_unit_ids=fm.co_units.data or [], co_due=fm.co_due.data)),
    "accept": (f.AcceptForm, lambda a, c, fm: services.accept(db(), policy(), c, a)),
    "return": (f.ReturnForm, lambda a, c, fm: services.return_to_desk(db(), policy(), c, a, fm.reason.data)),
    "feedback": (f.FeedbackForm, lambda a, c, fm: services.give_feedback(
        db(), policy(), c, a, fm.body.data, attachment_drafts(fm.attachments), UPLOAD_TYPES,
        without_parts_reason=fm.without_parts_reason.data or "")),
    "request_extension": (f.ExtensionForm, lambda a, c, fm: services.request_extension(
        db(), policy(), c, a, fm.days.data, fm.reason.data)),
    "decide_extension": (f.DecideExtensionForm, lambda a, c, fm: services.decide_extension(
        db(), policy(), c, a, fm.decision.data == "approve", fm.note.data or "")),
    "reply": (f.ReplyForm, lambda a, c, fm: reply_letters.submit(a, c, fm)),
    "decide_reply": (f.DecideReplyForm, lambda a, c, fm: reply_letters.decide(a, c, fm)),
    "close": (f.CloseForm, lambda a, c, fm: services.close(db(), policy(), c, a, fm.satisfaction.data,
                                                           fm.comment.data or "")),
    "answer_directly": (f.AnswerDirectlyForm, lambda a, c, fm: answer_directly(
        a, c, body=fm.body.data, channel=fm.channel.data, article_ids=fm.articles.ids,
        satisfaction=fm.satisfaction.data or "")),
    "rate": (f.RateForm, lambda a, c, fm: services.rate(db(), policy(), c, a, fm.satisfaction.data,
                                                        fm.comment.data or "")),
    "mark_invalid": (f.InvalidForm, lambda a, c, fm: services.mark_invalid(db(), policy(), c, a, fm.reason.data)),
    "merge": (f.MergeForm, lambda a, c, fm: services.merge(
        db(), policy(), c, queries.get_case(db(), a, fm.main_number.data.strip()), a, fm.note.data or "")),
}
ACTIONS.update(work.WORK_ACTIONS)
# Buttons shown per workflow action (the extension decision covers approve and reject).
BUTTONS = {Action.APPROVE_EXTENSION: "decide_extension", Action.REJECT_EXTENSION: "decide_extension",
           Action.APPROVE_REPLY: "decide_reply", Action.RETURN_REPLY: "decide_reply", **work.WORK_BUTTONS}


def _prepare(form: FlaskForm, case: Case) -> FlaskForm:
    """Fill choices from the database and sensible defaults from the case."""
    if isinstance(form, f.RegisterForm):
        form.category.choices = category_choices()
        if not form.is_submitted():
            form.kind.data = case.kind.value
            form.category.data = case.category_id or 0
            form.urgent.data = case.urgent
            form.major_emergency.data = case.major_emergency
    elif isinstance(form, f.DispatchForm):
        # The unit is proposed from the category's routing, never picked by the list's order.
        form.category.choices = category_choices()
        form.unit.choices = [(0, "—")] + [(u.id, named(u)) for u in db().scalars(
            select(Unit).where(Unit.active).order_by(Unit.name))]
        form.co_units.choices = form.unit.choices[1:]
        routes = {cid: categories.routing(db().get(Category, cid)).unit_id for cid, _ in form.category.choices[1:]}
        form.category.render_kw = {"data-routing": json.dumps({str(k): v for k, v in routes.items() if v})}
        form.unit.render_kw = {"data-routed": "unit"}
        if not form.is_submitted():
            form.category.data = case.category_id or 0
            # The category's unit first; without one, the unit of the area the case happened in.
            by_area = case_places.area_unit(db(), case)
            form.unit.data = routes.get(case.category_id or 0) or (by_area[1].id if by_area else 0)
    elif isinstance(form, f.FeedbackForm):
        parts_web.prepare_feedback(form, case)
    elif isinstance(form, f.ReplyForm) and not form.is_submitted():
        # The draft is the chosen letter template filled in with the case (picker: ?purpose=&lang=).
        prefill_reply_form(form, case, current_actor(), request.args.get("purpose"), request.args.get("lang"))
    else:
        work.prepare(form, case)
    return form


def _visible_case(number: str) -> Case:
    try:
        return queries.get_case(db(), current_actor(), number)
    except NotFound:
        abort(404)


def render_with_part_form(case: Case, name: str, form: FlaskForm) -> tuple[str, int]:
    """The case page with a part's form (``web.levels``) sent back with its errors."""
    return _page(case, status=400, part_forms={name: form})


def _page(case: Case, forms: dict[str, FlaskForm] | None = None, status: int = 200,
          note_form: FlaskForm | None = None, part_forms: dict[str, FlaskForm] | None = None,
          extra: dict[str, Any] | None = None) -> tuple[str, int]:
    """The case page with the action forms the user may use now (``forms``: ones refilled after a post)."""
    actor = current_actor()
    names = []
    # A unit above the lead, or one holding only a part, watches: the office's actions are the lead's alone.
    lead_or_staff = not actor.is_unit or case.unit_id == actor.unit_id
    for action in allowed_actions(case.status, actor.role) if lead_or_staff else ():
        name = BUTTONS.get(action, action.value)
        if name in ACTIONS and name not in names:
            names.append(name)
    if "decide_extension" in names and not case.extension_requested_days:
        names.remove("decide_extension")
    if "request_extension" in names and case.extension_requested_days:
        names.remove("request_extension")
    waiting = awaiting_reply(case)
    if "decide_reply" in names and waiting is None:
        names.remove("decide_reply")
    if "reply" in names and waiting is not None:
        names.remove("reply")
    if "answer_directly" in names and case.kind not in services.DIRECT_KINDS:
        names.remove("answer_directly")
    if "rate" in names and case.satisfaction is not None:
        names.remove("rate")
    names = [n for n in names if n not in work.hidden(names, actor)]
    forms = forms or {}
    shown = {name: forms.get(name) or _prepare(ACTIONS[name][0](formdata=None), case)
             for name in acts.ordered(names)}
    similar = similar_cases(current_app, actor, case.id) if actor.role != "unit" else []
    return render_template("pages/case.html", case=case, forms=shown, today=policy().today(), similar=similar,
                           overdue=queries.is_overdue(case, policy().today(), policy().now()),
                           now=policy().now(), letter_picker=letter_picker(case)
                           if "reply" in shown else None, text_messages=sms.case_messages(db(), case.id)
                           if actor.role != "unit" else [], audio_types=AUDIO_TYPES, acts=acts,
                           summary=case_summary(case, actor, current_app.config), **(extra or {}),
                           **supervise_context(case, actor), **work.context(case, actor, note_form),
                           **parts_web.parts_context(case, actor, part_forms), **place_context(case)), status


@bp.route("/<number>")
@login_required
def show(number: str) -> tuple[str, int]:
    case = _visible_case(number)
    if case.citizen is not None:
        log_access(audit.VIEW_CITIZEN, case_number=case.number,
                   target=texts.text(N_("citizen of %(case)s"), case=case.number))
    return _page(case)


@bp.route("/<number>/<action>", methods=["POST"])
@login_required
def act(number: str, action: str) -> Response | tuple[str, int]:
    if action not in ACTIONS:
        abort(404)
    case = _visible_case(number)
    form_cls, run = ACTIONS[action]
    form = _prepare(form_cls(), case)
    if not form.validate_on_submit():
        return _page(case, {action: form}, 400)
    if action in acts.CONFIRM and form.confirm.data not in ("y", "yes"):
        return _confirmation_page(action, case, form)
    try:
        result = run(current_actor(), case, form)
        db().commit()
    except CaseError as err:
        db().rollback()
        return _refused(err, number, action, case, form)
    kick()
    _refresh_reply(result)
    flash(*acts.done_message(action, case, result, form))
    return _after_action(number, action)


def _confirmation_page(action: str, case: Case, form: FlaskForm) -> tuple[str, int]:
    """The confirmation step (a page without JavaScript, a dialog with it) before a case leaves every list."""
    return render_template("pages/case_confirm.html", case=case, form=form, action=action,
                           question=acts.confirmation(action, case, form), yes=acts.CONFIRM[action]), 200


def _refused(err: CaseError, number: str, action: str, case: Case, form: FlaskForm) -> Response | tuple[str, int]:
    """After a refused action (rolled back): the form again with the missing co-handling parts named beside its
    field, or the refusal flashed at the action."""
    if isinstance(err, MissingParts):
        form.without_parts_reason.errors = [parts_web.missing_parts_message(err.units)]
        return _page(_visible_case(number), {action: form}, 400)
    flash(error_message(err, case), "error")
    return redirect(url_for("casepage.show", number=number, _anchor=f"action-{action}"))


def _refresh_reply(result: Any) -> None:
    """Reload the reply an action made: an inline worker may have sent (or failed to send) it already."""
    reply = result if isinstance(result, Reply) else getattr(result, "reply", None)
    if isinstance(reply, Reply):
        db().refresh(reply)


def _after_action(number: str, action: str) -> Response:
    """Back to the case at the action's landing place, or, when the user may no longer see the case (a unit
    returned it), to their inbox."""
    try:
        queries.get_case(db(), current_actor(), number)
    except NotFound:
        return redirect(url_for("unit.inbox") if current_actor().is_unit else url_for("public.index"))
    return redirect(url_for("casepage.show", number=number, _anchor=acts.landing(action)))


work.register(bp, _visible_case, _page)


@bp.route("/<number>/files/<int:attachment_id>")
@login_required
def attachment(number: str, attachment_id: int) -> Response:
    item, data = _attachment_file(number, attachment_id)
    log_access(audit.DOWNLOAD_ATTACHMENT, case_number=number,
               target=texts.text(N_("attachment %(id)s %(name)s"), id=item.id, name=item.filename))
    # A file from outside: a download under our own name, with the type its bytes have (sniffed again here,
    # so a file stored before the sniffer was strict is served by what it really is).
    return download(data, f"{number}-file-{item.id}")


@bp.route("/<number>/files/<int:attachment_id>/play")
@no_session_cookie
@login_required
def recording(number: str, attachment_id: int) -> Response:
    """A recording for the case page's player: served inline, and only when its bytes are a sound recording."""
    item, data = _attachment_file(number, attachment_id)
    response = playable(data, f"{number}-file-{item.id}")
    if response is None:
        abort(404)
    if response.status_code == 200 or request.headers.get("Range", "").startswith("bytes=0-"):
        # A player fetches a recording in ranges: one row when playing starts, not one per range.
        log_access(audit.PLAY_RECORDING, case_number=number,
                   target=texts.text(N_("attachment %(id)s %(name)s"), id=item.id, name=item.filename))
    return response


def _attachment_file(number: str, attachment_id: int) -> tuple[Attachment, bytes]:
    """The attachment of case ``number`` and its bytes, if the current user may see the case, else 404."""
    try:
        item = queries.get_attachment(db(), current_actor(), attachment_id)
    except NotFound:
        abort(404)
    if item.case.number != number:
        abort(404)
    try:
        return item, policy().store.get(item.sha256)
    except FileNotFoundError:
        abort(404)
