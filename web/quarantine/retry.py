"""Retrying a quarantined item: re-read it from its stored original and register it.

Retry hooks live in ``state(app).quarantine_retry[source]`` as
``hook(app, session, item, actor) -> Case | None``: they register the item (in ``session``, without committing)
and return the case it went to, or raise an exception whose text says why it still fails. Email's hook is
registered here; the scan integration registers ``"scan"``.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import intake
from cases.actors import Actor
from cases.models import Case, Letter, QuarantineItem, utcnow
from mailbox import MailParseError, dedup_key, parse_message
from mailbox.dedup import raw_message_id
from web.app_state import state

RetryHook = Callable[[Flask, Session, QuarantineItem, Actor], "Case | None"]


class RetryFailed(Exception):
    """The item still cannot become a letter; the message says why."""


def hooks(app: Flask) -> dict[str, RetryHook]:
    return state(app).quarantine_retry


def retry_email(app: Flask, session: Session, item: QuarantineItem, actor: Actor) -> Case | None:
    """Parse the stored raw email again and register it like the poller would (dedup key, acknowledgement)."""
    from web.mail.acknowledgement import acknowledgement_hook

    raw = state(app).policy.store.get(item.raw_sha256)
    try:
        draft = parse_message(raw)
    except MailParseError as exc:
        raise RetryFailed(f"still unparseable: {exc.reason}") from None
    draft.raw_sha256 = item.raw_sha256
    draft.notes.append(f"registered from quarantine item {item.id} by {actor.name or actor.role}")
    if item.reason.startswith("over-size"):
        draft.notes.append("the original was over the size limit: only its beginning was kept")
    key = dedup_key(raw_message_id(raw), raw)
    result = intake.receive(session, state(app).policy, draft, actor=actor, dedup_key=key,
                            extra_outbox=acknowledgement_hook(app))
    if result.outcome == "duplicate":
        return session.scalar(select(Case).join(Letter).where(Letter.dedup_key == key).limit(1))
    return result.case


def retry(app: Flask, session: Session, item: QuarantineItem, actor: Actor) -> Case | None:
    """Run the item's retry hook; on success the item is resolved, on failure its attempt and error are kept.

    The caller commits. Raises ``RetryFailed`` with the reason when it still fails or no hook exists.
    """
    hook = hooks(app).get(item.source)
    if hook is None:
        raise RetryFailed(f"no retry is available for {item.source} items")
    item.attempts = (item.attempts or 0) + 1
    try:
        with session.begin_nested():
            case = hook(app, session, item, actor)
    except RetryFailed as exc:
        item.data = {**(item.data or {}), "last_error": str(exc)}
        raise
    except Exception as exc:  # a hook's failure is a reason to show, never a crash of the page
        item.data = {**(item.data or {}), "last_error": f"{type(exc).__name__}: {exc}"}
        raise RetryFailed(f"retry failed: {exc}") from exc
    item.resolved_at = utcnow()
    item.data = {**(item.data or {}), "case": case.number if case is not None else "", "last_error": ""}
    return case


def init_app(app: Flask) -> None:
    hooks(app)["email"] = retry_email
