"""Major emergencies on the web and in the worker: declaring one from a case page, the banner on every
supervisor page until acknowledged, the emergency report (专报) as a kept PDF, and the worker's alert to the duty
supervisors and the configured leaders (email, and SMS when it is on)."""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from cases import emergency, outbox, sms
from cases.deadlines import local_text
from cases.errors import CaseError, NotFound
from cases.models import OutboxItem, Role, User
from cases.models_emergency import EmergencyAlert
from cases.supervision import get_open_case
from web.auth import current_actor, role_required
from web.domain_text import say
from web.tasks.queue import kick, register_outbox_handler
from web.app_state import db, policy, state
from web.supervision import report
from web.supervision.views import ROLES, bp


class DeclareForm(FlaskForm):
    note = TextAreaField("note", validators=[DataRequired(), Length(max=2000)])


class AcknowledgeForm(FlaskForm):
    next = HiddenField()


@bp.route("/cases/<number>/emergency", methods=["POST"])
@role_required("clerk", *ROLES)
def declare(number: str) -> Response:
    """Mark an open case a major emergency (a note saying what happened is required)."""
    try:
        case = get_open_case(db(), number)
    except NotFound:
        abort(404)
    form = DeclareForm()
    if not form.validate_on_submit():
        flash(_("Say what the emergency is."), "error")
    else:
        try:
            emergency.declare(db(), case, current_actor(), form.note.data)
            db().commit()
            kick()
            flash(_("Case %(number)s declared a major emergency; the leaders are being alerted.", number=number),
                  "success")
        except CaseError as err:
            db().rollback()
            flash(say(err), "error")
    return redirect(url_for("casepage.show", number=number))


@bp.route("/emergencies/<int:alert_id>/acknowledge", methods=["POST"])
@role_required(*ROLES)
def acknowledge(alert_id: int) -> Response:
    form = AcknowledgeForm()
    if form.validate_on_submit():
        try:
            emergency.acknowledge(db(), alert_id, current_actor(), policy().now())
        except NotFound:
            abort(404)
        db().commit()
        flash(_("Emergency alert acknowledged."), "success")
    target = form.next.data or ""
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for(
        "supervision.dashboard"))


@bp.route("/emergencies/<int:alert_id>/report.pdf")
@role_required(*ROLES)
def report_pdf(alert_id: int) -> Response:
    """The emergency report kept for this alert (made by the worker; made here if it has not run yet)."""
    alert = db().get(EmergencyAlert, alert_id)
    if alert is None:
        abort(404)
    if not alert.report_sha256:
        make_report(current_app, db(), alert)
        db().commit()
    return Response(policy().store.get(alert.report_sha256), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="emergency-{alert.case.number}.pdf"'})


def make_report(app: Flask, session: Session, alert: EmergencyAlert) -> str:
    """Render the one-page emergency report (专报) of ``alert`` as PDF, keep it, and return its SHA-256."""
    facts = emergency.report_facts(session, alert.case)
    tz = state(app).policy.timezone
    html = render_template("pages/supervision/emergency_report.html", facts=facts, alert=alert,
                           office=app.config["OFFICE_NAME"], when=lambda m: local_text(m, tz),
                           stylesheet=report.REPORT_CSS)
    alert.report_sha256 = state(app).policy.store.put(report.render_pdf(html))
    return alert.report_sha256


def send_alerts(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    """The ``emergency_alert`` handler: make the report, then mail the duty supervisors and the leaders (and
    text the leaders when SMS is on), each through its own outbox (once per alert)."""
    for item in items:
        alert = session.get(EmergencyAlert, int(item.key))
        if alert is None:
            continue
        with app.test_request_context():
            if not alert.report_sha256:
                make_report(app, session, alert)
        case = alert.case
        supervisors = session.scalars(select(User.email).where(User.role.in_((Role.SUPERVISOR, Role.ADMIN)),
                                                               User.active, User.email != "")).all()
        to = list(dict.fromkeys([*supervisors, *app.config["EMERGENCY_LEADER_EMAILS"]]))
        where = case.letters[0].body[:300] if case.letters else ""
        body = (f"Case {case.number} “{case.subject}” was declared a major emergency at "
                f"{local_text(alert.raised_at, state(app).policy.timezone)}.\n\n{alert.note}\n\n{where}\n\n"
                f"Emergency report: {app.config['PUBLIC_BASE_URL'].rstrip('/')}/supervision/emergencies/"
                f"{alert.id}/report.pdf")
        if to:
            outbox.enqueue(session, outbox.SEND_MAIL, f"emergency:{alert.id}",
                           {"kind": "notice", "notice": "major_emergency", "to": to, "case_id": case.id,
                            "subject": f"[Major emergency] Case {case.number}", "body": body})
        if app.config["SMS_ENABLED"]:
            from web.sms import sms_settings

            for phone in app.config["EMERGENCY_LEADER_PHONES"]:
                sms.queue(session, sms_settings(app), number=phone, purpose="emergency", case_id=case.id,
                          key=f"emergency:{alert.id}:{phone}"[:100],
                          text=f"Major emergency, case {case.number}: {case.subject} {alert.note}")
    return [item.id for item in items]


def banner_context() -> dict[str, Any]:
    """The open alerts for the banner, on every page a supervisor or an admin sees."""
    if not getattr(current_user, "is_authenticated", False) or current_user.role.value not in ROLES:
        return {}
    if request.endpoint in (None, "static"):
        return {}
    return {"emergency_alerts": emergency.open_alerts(db()), "acknowledge_form": AcknowledgeForm()}


def init_app(app: Flask) -> None:
    register_outbox_handler(app, outbox.EMERGENCY_ALERT, send_alerts)
    app.context_processor(banner_context)
