"""Language editions of a kept weekly report: each reader downloads the report in their own language, with the
figures of the moment it was generated."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cases.models import Base


class WeeklyReportEdition(Base):
    """The HTML (in the row) and PDF (in the file store, by SHA-256) of one weekly report in one language."""

    __tablename__ = "weekly_report_edition"
    __table_args__ = (UniqueConstraint("report_id", "locale", name="uq_weekly_report_edition"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_report.id"), index=True)
    locale: Mapped[str] = mapped_column(String(10))
    html: Mapped[str] = mapped_column(Text)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
