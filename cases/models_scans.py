"""Tables of the paper channel: scan batches (the uploaded or dropped files, and the OCR job's progress) and the
letter drafts recognised from them, waiting for a clerk's review.

The stored originals are content-addressed in the file store; a batch lists them in order. A draft becomes a case
when the clerk registers it; until then it is not a letter and nothing of it is indexed.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cases.models import Base, utcnow


class ScanBatch(Base):
    """One upload (web form, command line) or one file dropped in the watched folder, and its OCR job.

    ``files`` is the ordered list of stored inputs ``[{"filename", "sha256", "done"}]``; ``done`` is set in the
    same transaction as the drafts made from that file, so a job re-run after a crash skips it.
    ``mode``: ``letter`` (all files are pages of one letter) or ``batch`` (each file, and each blank separator
    page, starts a new letter). ``dedup_key`` (unique) names the source item for intakes that may see it twice.
    """

    __tablename__ = "scan_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20), default="upload")  # upload / cli / watch
    mode: Mapped[str] = mapped_column(String(10), default="letter")  # letter / batch
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)  # queued/running/done/failed
    total_pages: Mapped[int] = mapped_column(Integer, default=0)
    done_pages: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    dedup_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    finished_at: Mapped[datetime | None] = mapped_column()
    # Set when a job claims the batch and with each progress report: a running batch whose heartbeat is old
    # lost its worker (a crash) and may be claimed again.
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    items: Mapped[list[ScanItem]] = relationship(back_populates="batch", order_by="ScanItem.id")


class ScanItem(Base):
    """One recognised letter (a draft for review), or one input file that failed (``quarantined``).

    ``pages``: ``[{"image_sha", "confidence", "language", "rotation", "width", "height", "words":
    [[text, conf, left, top, width, height], ...]}]``; the word boxes are in pixels of the stored page image.
    ``originals``: the stored input files of this letter ``[{"filename", "sha256"}]``. ``key`` identifies the
    letter within its batch (input files and separator position) and, hashed, is the letter's dedup key, so the
    same pages register once whichever way they came in.
    """

    __tablename__ = "scan_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("scan_batch.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    file_index: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))  # the (first) original file
    originals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="review", index=True)  # review/registered/quarantined
    text: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float | None] = mapped_column(Float)
    pages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    sender_address: Mapped[str] = mapped_column(Text, default="")
    pdf_sha: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")  # why a file failed
    quarantine_id: Mapped[int | None] = mapped_column(ForeignKey("quarantine.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column()
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    batch: Mapped[ScanBatch] = relationship(back_populates="items")

    __table_args__ = (UniqueConstraint("batch_id", "key", name="uq_scan_item_batch_key"),)
