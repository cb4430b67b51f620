"""The email channel in the app: settings, intake, the acknowledgement, sending; the command group is in
web.commands.mail and the periodic poll in web.tasks.mail."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from flask import Flask, g, has_app_context
from sqlalchemy.orm import Session

from cases import outbox
from cases.files.mail import AttachmentsFromRaw
from mailbox.parse import attachment_payloads
from web.app_state import db, state
from web.mail.sending import send_mail_items
from web.tasks.queue import register_outbox_handler


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
    """Register the ``send_mail`` handler and read email attachments from their raw message."""
    app_state = state(app)
    # Email attachments stay inside their raw message (see cases.files.mail); the app's reads find them there.
    app_state.policy = replace(app_state.policy, store=AttachmentsFromRaw(
        app_state.policy.store, lambda: _reading_session(app), attachment_payloads))
    register_outbox_handler(app, outbox.SEND_MAIL, send_mail_items)
    register_outbox_handler(app, outbox.EMAIL_SURVEY, send_mail_items)  # the items say they are surveys
