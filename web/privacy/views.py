"""Privacy pages for supervisors and administrators: the access log, and one citizen's data (export, erasure)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from cases import audit, citizen_data, queries
from cases.errors import CaseError, NotFound
from cases.erasure import is_erased
from cases.models import Case, User
from web.auth import current_actor, role_required
from web.domain_text import say
from web.tasks.queue import kick
from web.code_labels import label
from web.privacy.forms import EraseForm, LogFilterForm
from web.app_state import db, policy

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
PAGE_SIZE = 50


def _moment(day, zone: str):  # type: ignore[no-untyped-def]
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)) if day else None


@bp.route("/log")
@role_required(*audit.READERS)
def log() -> tuple[str, int]:
    form = LogFilterForm(request.args)
    form.user.choices = [(0, _("anyone"))] + [(u.id, u.username) for u in db().scalars(
        select(User).order_by(User.username))]
    form.action.choices = [("", _("any"))] + [(a, label(a)) for a in audit.ACTIONS]
    if request.args and not form.validate():
        return render_template("pages/privacy/log.html", form=form, rows=[], next_before=None), 400
    zone = current_app.config["OFFICE_TIMEZONE"]
    until = _moment(form.until.data, zone)
    flt = audit.LogFilter(user_id=form.user.data or None, action=form.action.data or "",
                          case_number=(form.case.data or "").strip(), since=_moment(form.since.data, zone),
                          until=until + timedelta(days=1) if until else None)
    before = request.args.get("before", type=int)
    rows, next_before = audit.page(db(), flt, before=before, size=PAGE_SIZE)
    return render_template("pages/privacy/log.html", form=form, rows=rows, next_before=next_before), 200


def _case(number: str) -> Case:
    try:
        return queries.get_case(db(), current_actor(), number)
    except NotFound:
        abort(404)


@bp.route("/citizen/<number>")
@role_required(*audit.READERS)
def citizen(number: str) -> str:
    case = _case(number)
    erased = is_erased(db(), case)
    return render_template("pages/privacy/citizen.html", case=case, erased=erased, form=EraseForm(),
                           cases=[] if erased else citizen_data.citizen_cases(db(), case))


@bp.route("/citizen/<number>/export.zip")
@role_required(*audit.READERS)
def export(number: str) -> Response:
    case = _case(number)
    data = citizen_data.export_for(db(), policy().store, case, current_actor(), request.remote_addr or "")
    db().commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="citizen-data-{case.number}.zip"'
    return response


@bp.route("/citizen/<number>/erase", methods=["POST"])
@role_required(*audit.READERS)
def erase(number: str) -> Response | tuple[str, int]:
    case = _case(number)
    form = EraseForm()
    if not form.validate_on_submit():
        return render_template("pages/privacy/citizen.html", case=case, erased=is_erased(db(), case), form=form,
                               cases=citizen_data.citizen_cases(db(), case)), 400
    try:
        done = citizen_data.erase_for(db(), policy().store, case, current_actor(), form.reason.data,
                                      request.remote_addr or "")
        db().commit()
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return redirect(url_for("privacy.citizen", number=number))
    kick()
    flash(_("The citizen's personal data was erased from %(n)s case(s).", n=len(done)), "success")
    return redirect(url_for("casepage.show", number=number))
