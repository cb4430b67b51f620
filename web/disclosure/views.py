"""The public archive (redacted, approved letters and replies), its search, the public statistics page, and the
staff's publication review. Public views read the ``Publication`` table only."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cases import disclosure
from cases import statistics as st
from cases.errors import CaseError, NotFound
from cases.models import Case
from web.auth import current_actor, role_required
from web.app_state import db, policy
from web.domain_text import say
from web.supervision import charts

bp = Blueprint("disclosure", __name__)
REVIEWERS = ("clerk", "supervisor", "admin")
PER_PAGE = 20


@bp.route("/archive")
def archive() -> str:
    query = request.args.get("q", "")[:200]
    found = disclosure.public_page(db(), policy(), query=query, cursor=request.args.get("before"),
                                   per_page=PER_PAGE)
    return render_template("pages/disclosure/archive.html", rows=found.rows, found=found, q=query)


@bp.route("/archive/<number>")
def published(number: str) -> str:
    try:
        item = disclosure.public_get(db(), policy(), number)
    except NotFound:
        abort(404)
    return render_template("pages/disclosure/published.html", item=item)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@bp.route("/statistics")
def statistics() -> str:
    today = policy().today()
    default_start = date(today.year - 1, today.month, 1)
    try:
        period = st.Period.parse(request.args.get("start") or default_start.isoformat(), request.args.get("end"),
                                 default_days=365, today=today)
    except CaseError:
        period = st.Period.parse(default_start.isoformat(), None, default_days=365, today=today)
    office = st.monthly_figures(db(), period, policy().timezone, per_unit=False)
    units = st.monthly_figures(db(), period, policy().timezone, per_unit=True)
    months = [m.month for m in office]
    chart = charts.line_chart(months, [
        charts.Series(_("Response rate"), [m.response_rate for m in office]),
        charts.Series(_("Resolution rate"), [m.resolution_rate for m in office]),
        charts.Series(_("Satisfaction rate"), [m.satisfaction_rate for m in office]),
    ], title=_("Rates per month"), percent=True, max_value=1.0)
    return render_template("pages/disclosure/statistics.html", period=period, office=office, units=units,
                           chart=chart, pct=_pct)


# ---- staff review ---------------------------------------------------------------------------------------------

@bp.route("/disclosure/review")
@role_required(*REVIEWERS)
def review_list() -> str:
    newest = disclosure.public_page(db(), policy(), per_page=50)
    return render_template("pages/disclosure/review_list.html", candidates=disclosure.candidates(db()),
                           published=newest.rows, total=newest.count)


@bp.route("/disclosure/review/<number>", methods=["GET", "POST"])
@role_required(*REVIEWERS)
def review(number: str) -> str | Response:
    try:
        case = disclosure.case_for_review(db(), number)
    except NotFound:
        abort(404)
    if request.method == "POST":
        return _publish(case, number)
    try:
        draft = disclosure.prepare(policy(), case)
    except CaseError as err:
        flash(say(err), "error")
        return redirect(url_for("disclosure.review_list"))
    return render_template("pages/disclosure/review.html", case=case, draft=draft,
                           publication=disclosure.publication_of(db(), case),
                           original_letters=disclosure.LETTER_SEPARATOR.join(
                               letter.body for letter in case.letters if not letter.automatic))


def _publish(case: Case, number: str) -> Response:
    """Publish the reviewed texts, saying what was stripped from them."""
    texts = {name: request.form.get(name, "") for name in ("subject", "letter_text", "reply_text")}
    stripped = disclosure.ways_in_found(policy(), case, list(texts.values()))
    try:
        disclosure.publish(db(), policy(), case, current_actor(), **texts)
        db().commit()
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return redirect(url_for("disclosure.review", number=number))
    flash(_("Case %(number)s is published.", number=number), "success")
    if stripped:
        flash(_("Removed before publishing, as they could open a private case: %(items)s",
                items=", ".join(stripped)), "info")
    return redirect(url_for("disclosure.published", number=number))


@bp.route("/disclosure/review/<number>/decline", methods=["POST"])
@role_required(*REVIEWERS)
def decline(number: str) -> Response:
    try:
        case = disclosure.case_for_review(db(), number)
        disclosure.decline(db(), case, current_actor(), request.form.get("reason", "")[:2000])
        db().commit()
        flash(_("Case %(number)s will not be published.", number=number), "success")
    except NotFound:
        abort(404)
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
    return redirect(url_for("disclosure.review_list"))
