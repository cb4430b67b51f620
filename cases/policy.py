"""The rules a service call runs under: calendar, deadlines, numbering, storage; passed in, never read from globals."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from cases.calendar import WorkCalendar
from cases.numbering import DEFAULT_DIGITS
from cases.deadlines import DEFAULT_RULES, UrgencyRule
from cases.files.store import FileStore
from cases.redaction_numbers import DEFAULT_PHONE_REGIONS
from cases.ways_in import WaysIn


DEFAULT_ANSWER_DAYS = {
    "consultation": 3,
    "help": 3,
    "report": 10,
    "suggestion": 10,
    "complaint": 10,
    "praise": 10,
}


@dataclass(frozen=True)
class Policy:
    """The office's rules that configuration may change: deadlines, calendar, time zone, file store."""

    store: FileStore
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    timezone: str = "Asia/Shanghai"
    dispatch_days: int = 1
    co_part_margin_days: int = 2  # a co-handling unit's part is due this many working days before the lead's
    answer_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_ANSWER_DAYS))
    max_extension_days: int = 10
    case_number_digits: int = DEFAULT_DIGITS
    ways_in: WaysIn = field(default_factory=WaysIn)  # links and codes that never reach a publication
    # Sign-for and feedback deadlines per urgency level (ordinary / urgent / emergency).
    urgency: dict[str, UrgencyRule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    # Where "now" comes from: the system clock (a test may pass a fixed one).
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        return self.clock()
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS  # where phone numbers in letters are redacted from

    def today(self, now: datetime | None = None) -> date:
        """The office's local date (deadlines are counted in the office's days, not UTC's)."""
        now = now or self.clock()
        return now.astimezone(ZoneInfo(self.timezone)).date()

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.timezone)).date()
