"""The office's calendar: working days (weekends and public holidays off, make-up working days on), office hours
on working days, and night-duty periods staffed every day. Deadlines count in working days, office hours, duty
hours (office hours plus night duty) or plain hours; times here are the office's local, naive wall-clock times."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

Period = tuple[time, time]
# The dates anyone may ask about (a report, a search, a statistics period): arithmetic on them never leaves what
# Python's dates and the databases hold.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def plausible_date(day: date) -> bool:
    """Whether ``day`` lies between ``EARLIEST_DATE`` and ``LATEST_DATE``."""
    return EARLIEST_DATE <= day <= LATEST_DATE
DEFAULT_OFFICE_HOURS: tuple[Period, ...] = ((time(9), time(12)), (time(13, 30), time(17, 30)))


def parse_periods(texts: Iterable[str]) -> tuple[Period, ...]:
    """``["09:00-12:00", "13:30-17:30"]`` as time pairs; a period whose end is not after its start runs past
    midnight (``"17:30-09:00"`` is a night). Raises ``ValueError`` naming a malformed period."""
    periods = []
    for text in texts:
        try:
            start, end = (time.fromisoformat(part.strip()) for part in str(text).split("-"))
        except ValueError as exc:
            raise ValueError(f"A period is written HH:MM-HH:MM, not {text!r}.") from exc
        if start == end:
            raise ValueError(f"The period {text!r} is empty.")
        periods.append((start, end))
    return tuple(periods)


def describe_periods(periods: Iterable[Period]) -> str:
    return ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in periods) or "none"


@dataclass(frozen=True)
class WorkCalendar:
    """A calendar of working days and staffed hours.

    ``holidays`` are days off that would otherwise be working days; ``makeup_days`` are weekend days officially
    worked (in China a holiday week is often paid for with a working Saturday or Sunday). ``office_hours`` are the
    periods of each working day the office and the units work; ``night_duty`` the periods someone is on duty every
    day, weekends and holidays included (a period may run past midnight).
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_days: frozenset[date] = field(default_factory=frozenset)
    office_hours: tuple[Period, ...] = DEFAULT_OFFICE_HOURS
    night_duty: tuple[Period, ...] = ()

    @classmethod
    def from_iso(cls, holidays: Iterable[str] = (), makeup_days: Iterable[str] = (),
                 office_hours: Iterable[str] | None = None, night_duty: Iterable[str] = ()) -> WorkCalendar:
        """Build a calendar from ISO date strings and ``HH:MM-HH:MM`` periods, as they come from configuration."""
        return cls(frozenset(date.fromisoformat(d) for d in holidays),
                   frozenset(date.fromisoformat(d) for d in makeup_days),
                   DEFAULT_OFFICE_HOURS if office_hours is None else parse_periods(office_hours),
                   parse_periods(night_duty))

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

    def staffed(self, day: date, *, duty: bool) -> list[tuple[datetime, datetime]]:
        """The staffed intervals of ``day`` in time order, merged: its office hours if it is a working day, and
        with ``duty`` the night-duty periods falling on it (a period past midnight belongs to two days)."""
        spans: list[tuple[datetime, datetime]] = []
        if self.is_working_day(day):
            spans += [(datetime.combine(day, a), datetime.combine(day, b)) for a, b in self.office_hours]
        if duty:
            midnight = datetime.combine(day + timedelta(days=1), time())
            for a, b in self.night_duty:
                if b > a:
                    spans.append((datetime.combine(day, a), datetime.combine(day, b)))
                else:  # the evening part today, the morning part of the night that began yesterday
                    spans += [(datetime.combine(day, a), midnight), (datetime.combine(day, time()),
                                                                     datetime.combine(day, b))]
        merged: list[tuple[datetime, datetime]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def add_staffed_hours(self, start: datetime, hours: float, *, duty: bool = False) -> datetime:
        """The local moment ``hours`` of office hours (with ``duty``: office hours and night duty) after
        ``start``; time outside them does not count. Raises ``ValueError`` when the calendar has no staffed
        hours to count in."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = timedelta(hours=hours)
        day = start.date()
        for _ in range(366 * 2):
            for a, b in self.staffed(day, duty=duty):
                a = max(a, start)
                if b <= a:
                    continue
                if b - a >= remaining:
                    return a + remaining
                remaining -= b - a
            day += timedelta(days=1)
        raise ValueError("The calendar has no office hours to count a deadline in.")

    def staffed_hours_between(self, start: datetime, end: datetime, *, duty: bool = False) -> float:
        """Office hours (with ``duty``: and night duty) between two local moments; 0 when ``end`` is earlier."""
        total = timedelta()
        day = start.date()
        while day <= end.date():
            for a, b in self.staffed(day, duty=duty):
                a, b = max(a, start), min(b, end)
                if b > a:
                    total += b - a
            day += timedelta(days=1)
        return total.total_seconds() / 3600
