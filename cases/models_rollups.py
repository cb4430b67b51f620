"""Tables of the statistics rollups: each case's contribution as last counted, and the sums per day and month.

A case contributes to one key (the office-local day it was received, its unit, category, kind, channel and area;
0 stands for "none", so the key can be a primary key on both databases) a handful of counts (``MEASURES``).
``StatCase`` holds what each case contributed when last counted; ``StatDay`` and ``StatMonth`` hold the sums of
those contributions per key and day, and per key and month (the first day of the month); ``StatOpen`` the cases
on a unit's clock now, per unit and due date; ``StatReturn`` the returns per day and unit. ``StatState`` holds the
time zone the days are counted in; with no zone the rollups are not built and the figures are counted from the
cases. ``cases.rollups`` keeps them, ``cases.rollups_build`` rebuilds and checks them.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from cases.models import Base, Event

KEY = ("unit_id", "category_id", "kind", "channel", "area_id")
# Counts per case (0 or 1), except the two sums of milliseconds (to first feedback, from dispatch to sign-for).
# A case on a unit's clock without a due date: later than any horizon, so never near due nor overdue.
NO_DUE = date(9999, 12, 31)
OPEN = ("open_unit", "open_due", "open_supervised", "open_extensions")
MEASURES = ("cases", "urgent", "answered", "on_time", "feedback_ms", "replied", "rated", "satisfied", "supervised",
            "signed", "signed_on_time", "sign_timed", "sign_ms", "closed", "direct")


class _Measures:
    """The columns every rollup table shares (a mixin: SQLAlchemy copies them onto each table)."""

    unit_id: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int] = mapped_column(Integer)
    cases: Mapped[int] = mapped_column(Integer, default=0)
    urgent: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    feedback_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    replied: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    supervised: Mapped[int] = mapped_column(Integer, default=0)
    signed: Mapped[int] = mapped_column(Integer, default=0)
    signed_on_time: Mapped[int] = mapped_column(Integer, default=0)
    sign_timed: Mapped[int] = mapped_column(Integer, default=0)
    sign_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    direct: Mapped[int] = mapped_column(Integer, default=0)


class StatDay(_Measures, Base):
    """Sums of the cases received on one local day, per key (the day leads the primary key: every query reads a
    range of days first)."""

    __tablename__ = "stat_day"
    __table_args__ = (PrimaryKeyConstraint("day", *KEY, name="pk_stat_day"),)
    day: Mapped[date] = mapped_column(Date)


class StatMonth(_Measures, Base):
    """Sums of the cases received in one local month (``day`` is its first day), per key."""

    __tablename__ = "stat_month"
    __table_args__ = (PrimaryKeyConstraint("day", *KEY, name="pk_stat_month"),)
    day: Mapped[date] = mapped_column(Date)


class StatCase(_Measures, Base):
    """One case's contribution when it was last counted: to its day's row, and, while it is on a unit's clock
    (``open_unit`` not 0), to ``StatOpen``'s row of its unit and due date."""

    __tablename__ = "stat_case"
    case_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    open_unit: Mapped[int] = mapped_column(Integer)
    open_due: Mapped[date] = mapped_column(Date)
    open_supervised: Mapped[int] = mapped_column(Integer)
    open_extensions: Mapped[int] = mapped_column(Integer)


class StatOpen(Base):
    """Cases on a unit's clock now (dispatched or signed for), per unit and due date (``NO_DUE``: none), with
    how many are supervised and how many wait for an extension decision."""

    __tablename__ = "stat_open"
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    cases: Mapped[int] = mapped_column(Integer)
    supervised: Mapped[int] = mapped_column(Integer)
    extensions: Mapped[int] = mapped_column(Integer)


class StatReturn(Base):
    """Returns to the desk per local day of the return and the unit that returned the case (a return clears the
    case's unit, so the event's data names it)."""

    __tablename__ = "stat_return"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    returns: Mapped[int] = mapped_column(Integer)


class StatState(Base):
    """One row: the time zone the rollups count days in (None: not built, figures are counted from the cases)."""

    __tablename__ = "stat_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone: Mapped[str | None] = mapped_column(String(64))


# Returns and extension requests are counted by the time of their event, a range of one action's events.
Index("ix_event_action_at", Event.action, Event.at)

