"""Polling IMAP into cases: the database intake store with the acknowledgement hook, one poll of every folder,
and the removal of raw-mail packs a crashed worker left unindexed."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from cases import outbox
from cases.files.packs import remove_unindexed
from cases.files.mail import local_store
from cases.mail_intake import DatabaseIntakeStore
from mailbox import (MailConfigError, PollSummary, poll_all)
from web.app_state import state
from web.mail.acknowledgement import acknowledgement_hook
from web.mail.settings import imap_configured, mail_settings, raw_packs


def intake_store(app: Flask) -> DatabaseIntakeStore:
    """The database store the poller writes through, with the acknowledgement hook."""
    lease = timedelta(seconds=float(app.config["MAIL_LOCK_SECONDS"]))
    # One commit per fetch batch where that keeps exactly-once (see DatabaseIntakeStore); per message otherwise.
    batch = mail_settings(app).done_action != "move"
    return DatabaseIntakeStore(state(app).sessions, state(app).policy, lease=lease,
                               on_new_case=acknowledgement_hook(app), batch_commits=batch,
                               raw_packs=raw_packs(app))


def poll(app: Flask, *, on_progress=None, checkpoint=None, store: DatabaseIntakeStore | None = None) -> PollSummary:
    """Poll every configured folder once, then hand new work (indexing, acknowledgements) to the outbox drains.

    Raises ``MailConfigError`` for bad settings and ``MailConnectionError`` when the server cannot be reached.
    """
    if not imap_configured(app):
        raise MailConfigError("IMAP_HOST and IMAP_USER must be set to fetch mail")
    summary = poll_all(mail_settings(app), store or intake_store(app), on_progress=on_progress,
                       checkpoint=checkpoint)
    if summary.new_cases or summary.attached:
        for topic in (outbox.INDEX_CASE, outbox.SEND_MAIL):
            _kick(app, topic)
    return summary


def _kick(app: Flask, topic: str) -> None:
    task = state(app).tasks.drain_outbox
    try:
        if task is not None:
            task(topic)
    except Exception:  # the periodic drain picks it up
        app.logger.exception("could not queue %s", topic)


def clean_packs(app: Flask, older_than_hours: float = 1.0) -> list[str]:
    """Delete raw-mail packs no index refers to (a worker died between writing and indexing them), once older
    than ``older_than_hours``; their names. Nightly in the worker when mail is polled with packs."""
    local = local_store(state(app).policy.store)
    if local is None:
        raise MailConfigError("the file store is not a local folder")
    return remove_unindexed(local.root, older_than_hours * 3600)
