"""Undoing a merge from the duplicate's page, while ``MERGE_UNDO_HOURS`` have not passed."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from cases.errors import CaseError
from cases.merging import undo_merge, undo_until
from cases.models import Case
from web.auth import current_actor
from web.casepage.errors import error_message
from web.casepage.forms import UndoMergeForm
from web.casepage.views import _visible_case, bp
from web.app_state import db, policy
from web.tasks.queue import kick


@bp.route("/<number>/undo-merge", methods=["POST"])
@login_required
def undo(number: str) -> Response:
    """Take the merged case ``number`` out of its main case again; both timelines say so."""
    case = _visible_case(number)
    if not UndoMergeForm().validate_on_submit():
        return _back(number, _("The form expired; please try again."))
    hours = float(current_app.config["MERGE_UNDO_HOURS"])
    refusal = _refusal(case, hours)
    if refusal:
        return _back(number, refusal)
    try:
        main = undo_merge(db(), policy(), case, current_actor(), undo_hours=hours)
        db().commit()
    except CaseError as err:
        db().rollback()
        return _back(number, error_message(err, case))
    kick()
    flash(_("The merge was undone: %(number)s is no longer part of %(main)s.", number=case.number,
            main=main.number if main is not None else "—"), "success")
    return redirect(url_for("casepage.show", number=number, _anchor="case-summary"))


def _refusal(case: Case, hours: float) -> str | None:
    """Why the merge of ``case`` cannot be undone now (in the reader's language), or None when it can."""
    until = undo_until(case, hours)
    if until is not None and policy().now() <= until:
        return None
    if until is not None or hours <= 0:
        return _("The merge can no longer be undone: it is older than %(hours)s hours.", hours=f"{hours:g}")
    return _("This case is not merged into another case.")


def _back(number: str, error: str) -> Response:
    """Back to the case's banner, with ``error`` flashed."""
    flash(error, "error")
    return redirect(url_for("casepage.show", number=number, _anchor="case-banner"))
