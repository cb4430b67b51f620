"""The outbox: work that must happen after a commit (indexing, sending), written in the same transaction.

The worker drains it; a crash between commit and work leaves the row pending, so nothing is forgotten.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases.models import OutboxItem, utcnow

INDEX_CASE = "index_case"
SEND_MAIL = "send_mail"
SEND_SMS = "send_sms"
EMERGENCY_ALERT = "emergency_alert"  # a major emergency was declared: report and alerts to make and send
SURGE_CHECK = "surge_check"  # a new case placed in an area: is it part of a surge of similar cases there?
EMAIL_SURVEY = "email_survey"  # a reply went out: the satisfaction survey by email (cases.email_survey)
SMS_REPLY = "sms_reply"  # a reply went out on a case that came by SMS: notice and survey to queue


def enqueue(session: Session, topic: str, key: str, payload: dict[str, Any] | None = None, *,
            fresh: bool = False) -> None:
    """Add a work item; an identical pending item is not added twice.

    ``fresh``: the key was just created in this transaction (a new case), so no pending item can name it yet and
    the lookup is skipped.
    """
    if fresh:
        session.add(OutboxItem(topic=topic, key=key, payload=payload or {}))
        return
    pending = session.scalar(select(OutboxItem.id).where(
        OutboxItem.topic == topic, OutboxItem.key == key, OutboxItem.done_at.is_(None)).limit(1))
    if pending is None or payload:
        session.add(OutboxItem(topic=topic, key=key, payload=payload or {}))


def pending(session: Session, topic: str, limit: int = 500) -> Sequence[OutboxItem]:
    """The oldest pending items of ``topic``."""
    return session.scalars(select(OutboxItem).where(OutboxItem.topic == topic, OutboxItem.done_at.is_(None))
                           .order_by(OutboxItem.id).limit(limit)).all()


def mark_done(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(update(OutboxItem).where(OutboxItem.id.in_(ids)).values(done_at=utcnow()))


def mark_failed(session: Session, item_id: int, error: str) -> None:
    session.execute(update(OutboxItem).where(OutboxItem.id == item_id)
                    .values(attempts=OutboxItem.attempts + 1, last_error=error[:2000]))
