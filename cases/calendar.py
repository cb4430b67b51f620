"""Working-day arithmetic for deadlines: weekends and public holidays off, make-up working days on."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkCalendar:
    """A calendar of working days.

    ``holidays`` are days off that would otherwise be working days; ``makeup_days`` are weekend days officially
    worked (in China a holiday week is often paid for with a working Saturday or Sunday).
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_days: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_iso(cls, holidays: Iterable[str] = (), makeup_days: Iterable[str] = ()) -> WorkCalendar:
        """Build a calendar from ISO date strings, as they come from configuration."""
        return cls(frozenset(date.fromisoformat(d) for d in holidays),
                   frozenset(date.fromisoformat(d) for d in makeup_days))

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start``; the start day itself never counts.

        A letter received on Friday with 1 working day is due on Monday (or later, if Monday is a holiday).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))
