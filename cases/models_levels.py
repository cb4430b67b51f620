"""Work on a case shared across units: a part passed down to a sub-unit (二级派单) or given to a co-handling unit
(协办) beside the lead unit (主办, the case's own ``unit_id``).

Each row is one unit's part: who gave it (``from_unit_id``), what to do, by when, and its answer. A part passed
down from another part (a street office's part under a district's co-handling part) names that part as
``parent_id``; a part given by the lead names none. Inactive parts (the case went back to the desk) no longer give
their unit a view of the case.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cases.models import Base, Case, Unit, utcnow

SUB = "sub"  # passed down by a unit to one of its sub-units
CO = "co"  # given by the desk to a co-handling unit, whose part goes to the lead

OPEN = "open"  # the unit is working on its part
ANSWERED = "answered"  # the unit gave its part; a sub-unit's part waits for its parent's review
ACCEPTED = "accepted"  # the parent took the sub-unit's part
WITHDRAWN = "withdrawn"  # the case left the unit (back to the desk): the part is void


class Assignment(Base):
    """One unit's part of the work on a case."""

    __tablename__ = "case_assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    role: Mapped[str] = mapped_column(String(10))  # sub / co
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))  # the unit the part answers to
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("case_assignment.id"))
    state: Mapped[str] = mapped_column(String(20), default=OPEN)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column()
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    case: Mapped[Case] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    from_unit: Mapped[Unit | None] = relationship(foreign_keys=[from_unit_id])
    parent: Mapped[Assignment | None] = relationship(remote_side=[id])

    # Confinement asks "which cases have an active part of these units?" on every unit page.
    __table_args__ = (Index("ix_case_assignment_unit", "unit_id", "active", "case_id"),)
