"""Supervision pages: the public-opinion dashboard, unit performance (with CSV/XLSX export), deadlines per unit,
the supervise action and weekly reports. Supervisors and admins only, except the supervised-cases list, which a
unit handler sees for their own unit."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from cases import statistics as st
from cases import supervision
from cases.dashboard import DashboardFigures, dashboard_figures
from cases.calendar import EARLIEST_DATE, LATEST_DATE, plausible_date
from cases.errors import CaseError, NotFound, ValidationError
from cases.models import Case, Unit
from cases.models_disclosure import WeeklyReport
from cases.sniff import PDF
from web.auth import current_actor, role_required
from web.code_labels import named_by_name
from web.domain_text import say
from web.downloads import download
from web.tasks.queue import kick
from web.query_args import int_arg
from web.app_state import db, policy
from web.supervision import charts, exports, report
from web.supervision.dashboard_charts import dashboard_charts
from web.supervision.forms import SuperviseForm
from web.supervision.topics import words

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
ROLES = ("supervisor", "admin")


def _period(default_days: int) -> st.Period:
    try:
        return st.Period.parse(request.args.get("start"), request.args.get("end"), default_days=default_days,
                               today=policy().today())
    except ValidationError as err:
        flash(say(err), "error")
        return st.Period.parse(None, None, default_days=default_days, today=policy().today())


_pct = exports.percent


@bp.route("/")
@role_required(*ROLES)
def dashboard() -> str:
    period, today = _period(30), policy().today()
    figures = _named(dashboard_figures(db(), period, policy().timezone, words))
    return render_template("pages/supervision/dashboard.html", period=period, pct=_pct, **vars(figures),
                           **dashboard_charts(period, figures, today), reports=report.recent(db()), today=today)


def _named(figures: DashboardFigures) -> DashboardFigures:
    """The figures with categories and districts by their names in the reader's language."""
    return replace(figures, categories=[(named_by_name(name, "category"), n) for name, n in figures.categories],
                   districts=[(named_by_name(name), n) for name, n in figures.districts])


def _performance_rows() -> tuple[st.Period, list[st.UnitPerformance], str, bool]:
    period = _period(30)
    sort = request.args.get("sort", "unit")
    if sort not in st.PERFORMANCE_SORTS:
        sort = "unit"
    descending = request.args.get("desc") == "1"
    return period, st.unit_performance(db(), period, policy().timezone, sort=sort, descending=descending), sort, \
        descending


@bp.route("/performance")
@role_required(*ROLES)
def performance() -> str:
    period, rows, sort, descending = _performance_rows()
    chart = charts.bar_chart([(named_by_name(r.unit), r.on_time_rate or 0.0) for r in rows if r.answered],
                             title=_("On-time rate by unit"), percent=True, width=640, label_width=260)
    return render_template("pages/supervision/performance.html", period=period, rows=rows, sort=sort,
                           descending=descending, sorts=st.PERFORMANCE_SORTS, pct=_pct, chart=chart)


def _export_name(period: st.Period, ext: str) -> str:
    return f"unit-performance-{period.start.isoformat()}-{period.last_day.isoformat()}.{ext}"


@bp.route("/performance.csv")
@role_required(*ROLES)
def performance_csv() -> Response:
    period, rows, _sort, _desc = _performance_rows()
    response = Response(exports.csv_text(rows), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{_export_name(period, "csv")}"'
    return response


@bp.route("/performance.xlsx")
@role_required(*ROLES)
def performance_xlsx() -> Response:
    period, rows, _sort, _desc = _performance_rows()
    data = exports.xlsx_bytes(rows, _("Unit performance"),
                              f"{period.start.isoformat()} – {period.last_day.isoformat()}")
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{_export_name(period, "xlsx")}"'
    return response


@bp.route("/deadlines")
@role_required(*ROLES)
def deadlines() -> str:
    today = policy().today()
    unit_id = int_arg("unit", 0) or None
    unit = db().get(Unit, unit_id) if unit_id else None
    return render_template("pages/supervision/deadlines.html", units=supervision.unit_deadlines(db(), policy(), today),
                           cases=supervision.cases_against_clock(db(), policy(), today, unit_id=unit_id),
                           unit=unit, today=today)


@bp.route("/cases/<number>/supervise", methods=["POST"])
@role_required(*ROLES)
def supervise(number: str) -> Response:
    """Put a case under supervision (note required) or lift it (``end=1``); back to ``next`` on this site."""
    try:
        case = supervision.get_open_case(db(), number)
    except NotFound:
        abort(404)
    form = SuperviseForm()
    back = form.target(url_for("supervision.deadlines"))
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(back)
    try:
        done = _supervise_or_end(case, form)
        db().commit()
        kick()
        flash(done, "success")
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
    return redirect(back)


def _flash_errors(form: SuperviseForm) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "error")


def _supervise_or_end(case: Case, form: SuperviseForm) -> str:
    """Put ``case`` under supervision, or lift it (``end=1``): what to tell the supervisor. The caller commits."""
    if form.end.data == "1":
        supervision.end_supervision(db(), policy(), case, current_actor(), form.note.data or "")
        return _("Supervision of case %(number)s ended.", number=case.number)
    supervision.supervise(db(), policy(), case, current_actor(), form.note.data)
    return _("Supervision of case %(number)s recorded.", number=case.number)


@bp.route("/supervised")
@role_required("unit", *ROLES)
def supervised() -> str:
    actor = current_actor()
    if actor.is_unit and actor.unit_id is None:
        abort(404)
    cases = supervision.supervised_cases(db(), scope=actor)
    notes = {c.id: supervision.supervision_notes(db(), c) for c in cases}
    return render_template("pages/supervision/supervised.html", cases=cases, notes=notes, today=policy().today())


@bp.route("/reports", methods=["POST"])
@role_required(*ROLES)
def generate_report() -> Response:
    raw = request.form.get("week", "")
    try:
        week = date.fromisoformat(raw) if raw else report.last_full_week(policy().today())
    except ValueError:
        flash(_("Dates are written YYYY-MM-DD."), "error")
        return redirect(url_for("supervision.dashboard"))
    if not plausible_date(week):
        flash(_("Dates must lie between %(first)s and %(last)s.", first=EARLIEST_DATE, last=LATEST_DATE), "error")
        return redirect(url_for("supervision.dashboard"))
    week = week - timedelta(days=week.weekday())
    made = report.generate(db(), policy(), week, current_user.id)
    db().commit()
    flash(_("Weekly report for %(week)s generated.", week=week.isoformat()), "success")
    return redirect(url_for("supervision.report_file", report_id=made.id, ext="html"))


@bp.route("/reports/<int:report_id>.<ext>")
@role_required(*ROLES)
def report_file(report_id: int, ext: str) -> Response:
    item = db().get(WeeklyReport, report_id)
    if item is None or ext not in {"html", "pdf"}:
        abort(404)
    name = f"weekly-report-{item.week_start.isoformat()}.{ext}"
    html, pdf_sha256 = report.edition(db(), item, str(get_locale().language))
    if ext == "pdf":
        if not pdf_sha256:
            abort(404)
        return download(policy().store.get(pdf_sha256), f"weekly-report-{item.week_start.isoformat()}",
                        content_type=PDF)
    response = Response(html, mimetype="text/html")
    # The report is a standalone document with its own <style>: allow that style and nothing else.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response

