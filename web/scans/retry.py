"""The quarantine's retry for scan files: read the stored original again; if it now reads, its letter drafts
join the review list (the clerk still checks them), otherwise the reason is kept."""
from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from cases import scans
from cases.actors import Actor
from cases.models import Case, QuarantineItem
from letter_ocr import OcrError
from web.app_state import state


def retry_scan(app: Flask, session: Session, item: QuarantineItem, actor: Actor) -> Case | None:
    """Recognise the quarantined file again; returns None (the drafts wait for review). Raises when it still fails."""
    from web.quarantine.retry import RetryFailed
    from web.scans.processing import recognise_quarantined

    policy = state(app).policy
    entry = scans.item_for_quarantine(session, item)
    try:
        data = policy.store.get(item.raw_sha256)
    except FileNotFoundError:
        raise RetryFailed("the stored original is missing") from None
    try:
        results = recognise_quarantined(app, data, item.filename or "scan", item.raw_sha256,
                                        entry.file_index if entry is not None else 0)
    except OcrError as exc:
        raise RetryFailed(f"still unreadable: {exc.reason}") from None
    if entry is None:  # quarantined outside a batch: give it a batch of its own
        batch = scans.create_batch(session, policy, [(item.filename or "scan", data)], mode="batch",
                                   created_by=actor.user_id, source="retry")
        scans.add_results(session, policy, batch, [0], results)
        batch.status = "done"
    else:
        scans.replace_quarantined(session, policy, entry, results)
    return None


def init_app(app: Flask) -> None:
    state(app).quarantine_retry["scan"] = retry_scan
