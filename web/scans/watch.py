"""The watched folder: files a network scanner drops are stored, queued for OCR, then moved aside, exactly once.

Order matters: store the bytes, commit the batch (its unique key is the file's digest), queue the job, and only
then move the file to ``done/`` (or ``failed/`` when it is not a scan at all, after quarantining it). A crash
before the move leaves the file in place; the next round finds its batch by the key and only moves it.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases import scans
from cases.policy import Policy
from cases.models import utcnow
from cases.models_scans import ScanBatch
from cases.sniff import SCAN_TYPES, sniff
from web.app_state import state

#: a file younger than this (seconds since its last change) may still be being written by the scanner
SETTLE_SECONDS = 5.0
_SKIP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")


@dataclass
class WatchSummary:
    """What one look at the folder did: file names moved to done/ and to failed/, and batches queued."""

    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)


def _candidates(folder: Path, settle: float) -> list[Path]:
    now = time.time()
    found = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith((".", "~")) or path.name.lower().endswith(_SKIP_SUFFIXES):
            continue
        try:
            if now - path.stat().st_mtime < settle:
                continue
        except FileNotFoundError:
            continue
        found.append(path)
    return found


def _move(path: Path, target_dir: Path) -> None:
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():  # the scanner reused a name: keep both
        stem, suffix = os.path.splitext(path.name)
        target = target_dir / f"{stem}-{int(time.time() * 1000)}{suffix}"
    os.replace(path, target)


def watch_once(app: Flask, folder: str | os.PathLike[str], queue: Callable[[int], None],
               settle: float = SETTLE_SECONDS) -> WatchSummary:
    """Take every settled file in ``folder``; ``queue(batch_id)`` queues the OCR job of a new batch."""
    folder = Path(folder)
    summary = WatchSummary()
    if not folder.is_dir():
        app.logger.error("scan watch folder %s does not exist", folder)
        return summary
    policy = state(app).policy
    for path in _candidates(folder, settle):
        try:
            data = path.read_bytes()
        except OSError as exc:
            app.logger.error("cannot read %s: %s", path, exc)
            continue
        key = "watch:" + hashlib.sha256(data).hexdigest()
        with state(app).sessions() as session:
            try:
                batch = _take(session, policy, path.name, data, key)
            except IntegrityError:  # another worker took the same file at the same moment
                session.rollback()
                batch = session.scalars(select(ScanBatch).where(ScanBatch.dedup_key == key)).one()
            unreadable = bool(batch.items) and all(i.status == "quarantined" for i in batch.items)
            batch_id, status = batch.id, batch.status
        if status == "queued":  # new, or stored before a crash that came before the job was queued
            queue(batch_id)
            summary.queued.append(batch_id)
        try:
            _move(path, folder / ("failed" if unreadable else "done"))
        except FileNotFoundError:  # moved by the other worker
            continue
        (summary.failed if unreadable else summary.done).append(path.name)
    return summary


def _take(session: Session, policy: Policy, name: str, data: bytes, key: str) -> ScanBatch:
    """The file's batch: found by its key, or stored and recorded now (quarantined at once if not a scan)."""
    batch = session.scalars(select(ScanBatch).where(ScanBatch.dedup_key == key)).one_or_none()
    if batch is not None:
        return batch
    batch = scans.create_batch(session, policy, [(name, data)], mode="batch", source="watch", dedup_key=key)
    if sniff(data) not in SCAN_TYPES:
        scans.quarantine_file(session, policy, batch, 0, "not a PNG, JPEG, TIFF or PDF file that can be opened",
                              "unsupported_format")
        batch.status, batch.finished_at = "done", utcnow()
    session.commit()
    return batch
