"""Tables of supervision and disclosure: publications (redacted, approved texts), API keys, Open311 tokens,
weekly reports. Public pages and the API read ``Publication`` only, never the case's own letters."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cases.models import Base, Case, Event, utcnow


class Publication(Base):
    """A case published in the public archive: only texts a staff member saw redacted and approved."""

    __tablename__ = "publication"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="published", index=True)  # published / withdrawn
    number: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(100), default="")
    unit_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    letter_text: Mapped[str] = mapped_column(Text)
    reply_text: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[date] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date)
    satisfaction: Mapped[str] = mapped_column(String(20), default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    case: Mapped[Case] = relationship()


class ApiKey(Base):
    """A key for writing through the Open311 API; only its SHA-256 is stored (keys are long random strings)."""

    __tablename__ = "api_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()


class Open311Token(Base):
    """The token handed back for a request posted through Open311, and the case it became."""

    __tablename__ = "open311_token"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship()


class WeeklyReport(Base):
    """A generated weekly report: the HTML kept in the row, the PDF in the file store (by SHA-256)."""

    __tablename__ = "weekly_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, index=True)
    week_end: Mapped[date] = mapped_column(Date)
    html: Mapped[str] = mapped_column(Text)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    case_count: Mapped[int] = mapped_column(Integer, default=0)


# Indexes the statistics need on the lead's tables (declared here so metadata and migration agree).
Index("ix_case_file_received_at", Case.received_at)
Index("ix_case_file_unit_received", Case.unit_id, Case.received_at)
Index("ix_event_action_case_at", Event.action, Event.case_id, Event.at)
