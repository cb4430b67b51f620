"""Work inside the office and its units: internal notes on a case, as threads.

A note is staff talk about a case, never shown to the citizen: not on tracking, not in the public archive, not
in Open311, not in anything sent to them (see docs/privacy.md for a citizen's own data).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cases.models import Base, Case, Unit, User, utcnow


class CaseNote(Base):
    """One internal note; ``reply_to_id`` makes threads.

    ``unit_id`` is the note's audience besides the office: the unit that held the case when it was written
    (``None``: the office only). A unit sees only the notes written for it, so a case recalled from one unit and
    sent to another carries none of the first unit's talk to the second.
    """

    __tablename__ = "case_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(200), default="")  # as the author was called then
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("case_note.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship()
    author: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
