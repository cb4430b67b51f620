"""The part actions of a case page: each parses its form, calls a ``cases`` service and goes back to the case."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from cases import cohandling, levels, queries
from cases.errors import CaseError, NotFound
from cases.models import Case
from cases.statistics import Period
from cases.statistics_levels import level_figures
from web.auth import current_actor, role_required
from web.code_labels import named
from web.domain_text import say
from web.tasks.queue import kick
from web.levels.forms import AnswerPartForm, ChasePartForm, PassDownForm, ReviewPartForm
from web.app_state import db, policy

bp = Blueprint("levels", __name__)


def _case(number: str) -> Case:
    try:
        return queries.get_case(db(), current_actor(), number)
    except NotFound:
        abort(404)


def _run(case: Case, name: str, form: FlaskForm, action: Callable[[], object], done: str) -> Response | tuple[str, int]:
    """Validate ``form``, run ``action`` and commit; a refused input comes back on the case page beside its field."""
    from web.casepage.views import render_with_part_form

    if not form.validate_on_submit():
        return render_with_part_form(case, name, form)
    try:
        action()
        db().commit()
    except levels.DeadlineError as err:
        db().rollback()
        form.due.errors = [_("The sub-unit's deadline must fall on or before your own, %(day)s.",
                             day=err.limit.isoformat()) if err.limit else
                           _("The sub-unit's deadline cannot lie in the past.")]
        return render_with_part_form(_case(case.number), name, form)
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return redirect(url_for("casepage.show", number=case.number))
    kick()
    flash(done, "success")
    return redirect(url_for("casepage.show", number=case.number))


@bp.route("/cases/<number>/parts/pass-down", methods=["POST"])
@login_required
def pass_down(number: str) -> Response | tuple[str, int]:
    case = _case(number)
    form = PassDownForm()
    form.sub_unit.choices = [(u.id, named(u)) for u in levels.sub_units(db(), current_actor().unit_id)]
    return _run(case, "pass_down", form, lambda: levels.pass_down(
        db(), policy(), case, current_actor(), form.sub_unit.data, form.instructions.data, form.due.data),
        _("Passed down."))


@bp.route("/cases/<number>/parts/answer", methods=["POST"])
@login_required
def answer(number: str) -> Response | tuple[str, int]:
    case = _case(number)
    form = AnswerPartForm()
    return _run(case, "answer", form, lambda: levels.answer_part(db(), policy(), case, current_actor(),
                                                                 form.body.data), _("Your part was given."))


@bp.route("/cases/<number>/parts/<int:part_id>/review", methods=["POST"])
@login_required
def review(number: str, part_id: int) -> Response | tuple[str, int]:
    case = _case(number)
    form = ReviewPartForm()

    def decide() -> object:
        if form.decision.data == "accept":
            return levels.accept_part(db(), policy(), case, current_actor(), part_id, form.note.data or "")
        return levels.send_back_part(db(), policy(), case, current_actor(), part_id, form.note.data or "")

    return _run(case, f"review-{part_id}", form, decide, _("Decided."))


@bp.route("/cases/<number>/parts/<int:part_id>/chase", methods=["POST"])
@login_required
def chase(number: str, part_id: int) -> Response | tuple[str, int]:
    case = _case(number)
    form = ChasePartForm()
    return _run(case, f"chase-{part_id}", form, lambda: cohandling.chase_part(
        db(), policy(), case, current_actor(), part_id, form.note.data or ""), _("The unit was chased."))


@bp.route("/supervision/work-across-units")
@role_required("supervisor", "admin")
def figures() -> str:
    """Lead, co-handling and passed-down work per unit, in tree order, and the cases worked on at each level."""
    try:
        period = Period.parse(request.args.get("start"), request.args.get("end"), default_days=30,
                              today=policy().today())
    except CaseError as err:
        flash(say(err), "error")
        period = Period.parse(None, None, default_days=30, today=policy().today())
    rows, by_depth = level_figures(db(), period, policy().timezone)
    return render_template("pages/levels/figures.html", period=period, rows=rows, by_depth=by_depth)
