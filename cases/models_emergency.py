"""Major-emergency alerts: raised when a case is marked a major emergency, shown to supervisors until one of them
acknowledges it, with the one-page emergency report (专报) kept in the file store."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cases.models import Base, Case, User, utcnow


class EmergencyAlert(Base):
    __tablename__ = "emergency_alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(index=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    report_sha256: Mapped[str] = mapped_column(String(64), default="")  # the 专报 PDF, once the worker made it
    case: Mapped[Case] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
