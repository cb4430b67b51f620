"""Background jobs of the paper channel (Huey): the OCR of a batch, a sweep for batches whose job was never
queued, and the watched folder."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from huey import crontab
from sqlalchemy import and_, or_, select

from cases.models import utcnow
from cases.models_scans import ScanBatch
from web.app_state import state

#: a queued batch this old whose job never ran (the queue was down, a crash came first) is run by the sweep
STALE_QUEUED = timedelta(minutes=2)
#: a running batch with no progress for this long lost its worker; the sweep runs it again (see ``scans.claim``)
STALE_RUNNING = timedelta(minutes=10)


def queue_batch(app: Flask, batch_id: int) -> None:
    """Ask the worker to read ``batch_id``; if the queue is unreachable the periodic sweep runs it later."""
    task = state(app).tasks.scan_batch
    try:
        if task is None:
            raise RuntimeError("the scan task is not registered")
        task(batch_id)
    except Exception:  # the batch is stored and marked queued: the sweep picks it up, the clerk loses nothing
        app.logger.exception("could not queue scan batch %s", batch_id)


def sweep(app: Flask) -> list[int]:
    """Run batches left queued longer than ``STALE_QUEUED`` or running without progress longer than
    ``STALE_RUNNING``; returns their ids."""
    from web.scans.processing import run_batch

    now = utcnow()
    with state(app).sessions() as session:
        ids = list(session.scalars(select(ScanBatch.id).where(or_(
            and_(ScanBatch.status == "queued", ScanBatch.created_at < now - STALE_QUEUED),
            and_(ScanBatch.status == "running", ScanBatch.heartbeat_at < now - STALE_RUNNING)))
            .order_by(ScanBatch.id)))
    for batch_id in ids:
        run_batch(app, batch_id)
    return ids


def _schedule(minutes: int) -> Any:
    if minutes < 60:
        return crontab(minute=f"*/{max(1, minutes)}")
    return crontab(minute="0", hour=f"*/{max(1, minutes // 60)}")


def init_app(app: Flask) -> None:
    """Register the OCR task, the sweep and (with ``SCAN_WATCH_DIR``) the watched folder on the app's Huey."""
    from web.scans.processing import run_batch
    from web.scans.watch import watch_once

    huey = state(app).huey

    @huey.task(name="scan_batch")
    def scan_batch(batch_id: int) -> dict:
        with app.app_context():
            summary = run_batch(app, batch_id)
            return {"drafts": summary.drafts, "quarantined": summary.quarantined, "error": summary.error}

    @huey.periodic_task(crontab(minute="*"), name="scan_sweep")
    def scan_sweep() -> None:
        with app.app_context():
            sweep(app)

    state(app).tasks.scan_batch = scan_batch
    folder = str(app.config.get("SCAN_WATCH_DIR") or "")
    if folder:
        minutes = int(app.config.get("SCAN_WATCH_MINUTES") or 1)

        @huey.periodic_task(_schedule(minutes), name="scan_watch")
        def scan_watch() -> None:
            with app.app_context():
                summary = watch_once(app, folder, lambda batch_id: queue_batch(app, batch_id))
                if summary.done or summary.failed:
                    app.logger.info("scan folder: %s", summary)

        state(app).tasks.scan_watch = scan_watch
