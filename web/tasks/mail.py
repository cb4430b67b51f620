"""The email channel's worker tasks: the periodic poll (every ``MAIL_POLL_MINUTES`` when IMAP is set) and the
nightly clean-up of raw-mail packs."""
from __future__ import annotations

from typing import Any

from flask import Flask
from huey import crontab

from cases import outbox
from mailbox import MailConfigError, MailConnectionError
from web.app_state import state
from web.mail.intake import clean_packs, poll
from web.mail.settings import imap_configured, raw_packs
from web.tasks.queue import drain


def _schedule(minutes: int) -> Any:
    if minutes < 60:
        return crontab(minute=f"*/{minutes}")
    return crontab(minute="0", hour=f"*/{max(1, minutes // 60)}")


def init_app(app: Flask) -> None:
    """Register the periodic poll (every ``MAIL_POLL_MINUTES`` when IMAP is set) and the nightly pack clean-up."""
    minutes = int(app.config.get("MAIL_POLL_MINUTES") or 0)
    if minutes > 0 and imap_configured(app):
        huey = state(app).huey

        @huey.periodic_task(_schedule(minutes), name="mail_poll")
        def mail_poll() -> None:
            with app.app_context():
                try:
                    summary = poll(app)
                except (MailConfigError, MailConnectionError) as exc:
                    app.logger.error("mail poll failed: %s", exc)
                    return
                app.logger.info("mail poll: %s", summary.as_dict())
                for line in summary.skipped_lines():
                    app.logger.warning("mail poll %s", line)
                drain(app, outbox.INDEX_CASE)
                drain(app, outbox.SEND_MAIL)

        state(app).tasks.mail_poll = mail_poll

        if raw_packs(app):
            @huey.periodic_task(crontab(minute="40", hour="3"), name="clean_packs")
            def clean_packs_task() -> None:
                with app.app_context():
                    removed = clean_packs(app)
                    if removed:
                        app.logger.info("removed %d unindexed raw-mail pack(s)", len(removed))

            state(app).tasks.clean_packs = clean_packs_task
