"""Wiring of the email channel into the app: the ``send_mail`` handler, the ``mailbox`` commands, attachments
read from their raw message, and the worker's periodic poll (every ``MAIL_POLL_MINUTES`` when IMAP is set)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from flask import Flask, g, has_app_context
from huey import crontab
from sqlalchemy.orm import Session

from cases import outbox
from cases.mail_files import AttachmentsFromRaw
from mailbox import (MailConfigError, MailConnectionError)
from mailbox.parse import attachment_payloads
from web.jobs import drain, register_outbox_handler
from web.state import db, state
from web.mail.cli import mailbox_cli
from web.mail.intake import clean_packs, poll
from web.mail.sending import send_mail_items
from web.mail.settings import imap_configured, raw_packs


def _schedule(minutes: int) -> Any:
    if minutes < 60:
        return crontab(minute=f"*/{minutes}")
    return crontab(minute="0", hour=f"*/{max(1, minutes // 60)}")


@contextmanager
def _reading_session(app: Flask) -> Iterator[Session]:
    """The request's session when one is open (a second transaction in the same thread would wait for it on
    SQLite), else a short one of our own."""
    if has_app_context() and "db_session" in g:
        yield db()
        return
    with state(app).sessions() as session:
        yield session


def init_app(app: Flask) -> None:
    """Register the ``send_mail`` handler, the ``mailbox`` commands and the periodic poll (when configured)."""
    app_state = state(app)
    # Email attachments stay inside their raw message (see cases.mail_files); the app's reads find them there.
    app_state.policy = replace(app_state.policy, store=AttachmentsFromRaw(
        app_state.policy.store, lambda: _reading_session(app), attachment_payloads))
    register_outbox_handler(app, outbox.SEND_MAIL, send_mail_items)
    app.cli.add_command(mailbox_cli)
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
