"""The figures the statistics pages show, as plain values: periods, a unit's performance, a month's figures."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from cases.calendar import EARLIEST_DATE, LATEST_DATE, plausible_date
from cases.errors import N_, ValidationError


@dataclass(frozen=True)
class Period:
    """Local dates from ``start`` up to, not including, ``end``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValidationError(N_("A period must end after it starts."))
        if (self.end - self.start).days > 3700:
            raise ValidationError(N_("A period may not be longer than ten years."))

    @classmethod
    def parse(cls, start: str | None, end: str | None, *, default_days: int, today: date) -> Period:
        """A period from ISO strings (inclusive end date as people write it), or the last ``default_days``."""
        try:
            first = date.fromisoformat(start) if start else today - timedelta(days=default_days - 1)
            last = date.fromisoformat(end) if end else today
        except ValueError as exc:
            raise ValidationError(N_("Dates are written YYYY-MM-DD.")) from exc
        if not (plausible_date(first) and plausible_date(last)):
            raise ValidationError(N_("Dates must lie between %(first)s and %(last)s."), first=EARLIEST_DATE,
                                  last=LATEST_DATE)
        return cls(first, last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start)

    def instants(self, tz: str) -> tuple[datetime, datetime]:
        """The period as UTC instants (for comparing with stored timestamps)."""
        zone = ZoneInfo(tz)
        return (datetime.combine(self.start, time(), zone).astimezone(timezone.utc),
                datetime.combine(self.end, time(), zone).astimezone(timezone.utc))

    def day_list(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


def _rate(part: int | None, whole: int | None) -> float | None:
    return (part or 0) / whole if whole else None



@dataclass(frozen=True)
class UnitPerformance:
    """One unit's figures over a period (cases received in the period and dispatched to the unit)."""

    unit_id: int
    unit: str
    kind: str
    received: int
    answered: int
    on_time: int
    avg_days_to_feedback: float | None
    returned: int
    replied: int
    rated: int
    satisfied: int
    extensions: int
    supervised: int
    signed: int = 0  # signed for (签收), of them on time, and the mean hours from dispatch to sign-for
    signed_on_time: int = 0
    avg_hours_to_sign: float | None = None
    returns_overruled: int = 0  # returns the unit made that a supervisor overruled (the case went back to it)

    @property
    def sign_on_time_rate(self) -> float | None:
        return _rate(self.signed_on_time, self.signed)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.answered)

    @property
    def return_rate(self) -> float | None:
        return _rate(self.returned, self.received + self.returned)

    @property
    def reply_rate(self) -> float | None:
        return _rate(self.replied, self.received)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)


PERFORMANCE_SORTS = ("unit", "received", "on_time_rate", "avg_days_to_feedback", "return_rate", "reply_rate",
                     "satisfaction_rate", "returned", "extensions", "sign_on_time_rate", "avg_hours_to_sign",
                     "returns_overruled")


def sort_performance(rows: Sequence[UnitPerformance], sort: str, descending: bool) -> list[UnitPerformance]:
    """Rows sorted by a column; units without a figure go last whichever the direction."""
    def key(row: UnitPerformance) -> tuple:
        value = getattr(row, sort)
        if isinstance(value, str):
            value = value.casefold()
        return (value is None, value if not descending or value is None or isinstance(value, str) else -value)

    ordered = sorted(rows, key=key)
    if descending and sort == "unit":
        ordered.reverse()
    return ordered


PERFORMANCE_COLUMNS = ("unit", "received", "answered", "on_time_rate", "avg_days_to_feedback", "returned",
                       "return_rate", "replied", "reply_rate", "rated", "satisfaction_rate", "extensions", "supervised",
                       "signed", "sign_on_time_rate", "avg_hours_to_sign", "returns_overruled")


def performance_table(rows: Iterable[UnitPerformance]) -> list[list[Any]]:
    """Rows as plain values (rates as fractions rounded to 4 places), for CSV and XLSX export."""
    out = []
    for row in rows:
        line = []
        for column in PERFORMANCE_COLUMNS:
            value = getattr(row, column)
            line.append(round(value, 4) if isinstance(value, float) else ("" if value is None else value))
        out.append(line)
    return out


@dataclass(frozen=True)
class MonthFigures:
    """Cases dispatched to a unit and received in a month; ``unit`` is "" for the whole office."""

    month: str
    unit: str
    cases: int
    answered: int
    resolved: int
    rated: int
    satisfied: int

    @property
    def response_rate(self) -> float | None:
        return _rate(self.answered, self.cases)

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolved, self.cases)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)


def same_figures(a: Any, b: Any) -> bool:
    """Whether two sets of figures agree (the rollups' and a recount's): averages to 1e-6, as the rollups sum whole
    milliseconds; rows of the same table by id, as the two may come from two sessions."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-6
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_figures(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_figures(a[k], b[k]) for k in a)
    if hasattr(a, "__table__") and type(a) is type(b):
        return a.id == b.id
    if hasattr(a, "__dataclass_fields__"):
        return type(a) is type(b) and all(same_figures(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    return bool(a == b)
