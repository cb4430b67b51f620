"""Supervision: dashboard, unit performance, deadlines and notices, weekly reports (blueprint and worker tasks)."""
from __future__ import annotations

import logging

from flask import Flask
from huey import crontab

from cases import supervision
from cases.hour_notices import HourNoticeSettings, send_hour_notices
from web.state import state
from web.supervision import emergency as emergency_web
from web.supervision.cli import stats_cli
from web.supervision.views import bp  # noqa: F401

log = logging.getLogger(__name__)


def notice_settings(app: Flask) -> supervision.NoticeSettings:
    """Notice timing from the configuration (``REMINDER_DAYS_BEFORE``, ``CHASE_DAYS_AFTER``,
    ``ESCALATE_DAYS_AFTER``, in working days)."""
    cfg = app.config
    return supervision.NoticeSettings(reminder_days_before=int(cfg["REMINDER_DAYS_BEFORE"]),
                                      chase_days_after=int(cfg["CHASE_DAYS_AFTER"]),
                                      escalate_days_after=int(cfg["ESCALATE_DAYS_AFTER"]))


def run_notices(app: Flask) -> dict[str, int]:
    """Queue today's reminders, chases and escalations, then drain the mail outbox."""
    from cases import outbox
    from web.jobs import drain

    with state(app).sessions() as session:
        counts = supervision.send_notices(session, state(app).policy, notice_settings(app))
        session.commit()
    drain(app, outbox.SEND_MAIL)
    return counts


def hour_notice_settings(app: Flask) -> HourNoticeSettings:
    """Hour-notice timing from the configuration (``REMINDER_HOURS_BEFORE``, ``CHASE_HOURS_AFTER``,
    ``ESCALATE_HOURS_AFTER``)."""
    cfg = app.config
    return HourNoticeSettings(reminder_hours_before=float(cfg["REMINDER_HOURS_BEFORE"]),
                              chase_hours_after=float(cfg["CHASE_HOURS_AFTER"]),
                              escalate_hours_after=float(cfg["ESCALATE_HOURS_AFTER"]))


def run_hour_notices(app: Flask) -> dict[str, int]:
    """Queue the sign-for chases and the hour notices due now, then drain the mail outbox."""
    from cases import outbox
    from web.jobs import drain

    with state(app).sessions() as session:
        counts = send_hour_notices(session, state(app).policy, hour_notice_settings(app))
        session.commit()
    drain(app, outbox.SEND_MAIL)
    return counts


def run_weekly_report(app: Flask) -> int:
    """Generate the report of the last full week; returns its id."""
    from web.supervision import report

    with state(app).sessions() as session:
        policy = state(app).policy
        made = report.generate(session, policy, report.last_full_week(policy.today()))
        session.commit()
        return made.id


def init_app(app: Flask) -> None:
    """Register the periodic tasks on the app's Huey: notices every working morning, hour notices every
    ``HOUR_NOTICE_MINUTES``, the report on Mondays."""
    emergency_web.init_app(app)
    app.cli.add_command(stats_cli)
    huey = state(app).huey
    notice_hour = str(app.config["NOTICE_HOUR"])

    @huey.periodic_task(crontab(minute="15", hour=notice_hour), name="supervision_notices")
    def supervision_notices() -> None:
        with app.app_context():
            log.info("supervision notices: %s", run_notices(app))

    @huey.periodic_task(crontab(minute="30", hour="6", day_of_week="1"), name="weekly_report")
    def weekly_report() -> None:
        with app.app_context():
            log.info("weekly report %s generated", run_weekly_report(app))

    def hour_notices() -> None:
        with app.app_context():
            log.info("hour notices: %s", run_hour_notices(app))

    minutes = int(app.config["HOUR_NOTICE_MINUTES"])
    hourly = huey.periodic_task(crontab(minute=f"*/{min(minutes, 59)}"), name="hour_notices")(hour_notices) \
        if minutes > 0 else None
    tasks = state(app).tasks
    tasks.supervision_notices, tasks.weekly_report, tasks.hour_notices = supervision_notices, weekly_report, hourly
