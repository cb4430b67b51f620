"""SMS tables: every message to and from citizens (with its cost in segments and its delivery reports), and the
numbers that opted out."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cases.models import Base, utcnow


class SmsMessage(Base):
    """One SMS. Outbound: queued with a unique ``key`` (once per purpose and case), sent by the worker through the
    gateway, then its delivery reports. Inbound: stored under the gateway's message id before it is handled."""

    __tablename__ = "sms_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # in / out
    key: Mapped[str] = mapped_column(String(100), unique=True)  # out: purpose:case; in: the gateway's message id
    number: Mapped[str] = mapped_column(String(32), index=True)
    text: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(20), default="")  # acknowledgement / reply_notice / survey / ...
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    encoding: Mapped[str] = mapped_column(String(5), default="gsm")  # gsm (GSM 03.38, 7-bit) / ucs2
    segments: Mapped[int] = mapped_column(Integer, default=1)  # what the operator bills
    # out: queued / sent / delivered / failed / opted_out / held; in: new_case / follow_up / survey / stop / limited
    status: Mapped[str] = mapped_column(String(20), default="queued")
    dlr_status: Mapped[int | None] = mapped_column(Integer)  # the last delivery report's Kannel type (1, 2, 4, 8, 16)
    dlr_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_sms_message_number_sent", "number", "direction", "created_at"),)


class SmsOptOut(Base):
    """A number that answered STOP: nothing more is sent to it (a later START lifts it)."""

    __tablename__ = "sms_opt_out"
    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
