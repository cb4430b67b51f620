"""Tables of the privacy area: the append-only log of who saw or changed what, and the cases whose personal
data was erased (by the retention period or on the citizen's request).

The database itself refuses to change or delete a row of ``access_log`` (triggers made by the migration), so no
route, command or stray script can rewrite who saw what.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cases.models import Base, utcnow


class AccessLog(Base):
    """One access to personal data (a view, a download, an export, an erasure) or one administrative change."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(200), default="")  # the user's name then, or "system"
    role: Mapped[str] = mapped_column(String(20), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    case_number: Mapped[str | None] = mapped_column(String(20), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")  # what was touched: "attachment 12", "user alice"
    address: Mapped[str] = mapped_column(String(64), default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    # The log is read newest first, per user: keyset pages walk (user_id, id) backwards.
    __table_args__ = (Index("ix_access_log_user_id", "user_id", "id"),)


class CaseErasure(Base):
    """A case whose personal data (citizen, sender details, files, raw originals) was erased, and why."""

    __tablename__ = "case_erasure"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True, autoincrement=False)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))  # retention / request
    files: Mapped[int] = mapped_column(Integer, default=0)  # stored files erased with it
