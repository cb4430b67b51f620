"""Working days: weekends, holidays, make-up days."""
from datetime import date

from cases.calendar import WorkCalendar


def test_weekend_is_skipped() -> None:
    cal = WorkCalendar()
    friday = date(2026, 11, 20)
    assert cal.add_working_days(friday, 1) == date(2026, 11, 23)
    assert cal.add_working_days(friday, 10) == date(2026, 12, 4)
    assert cal.add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # received on a Saturday


def test_holidays_and_makeup_days() -> None:
    # National Day week 2026: Oct 1-7 off, Sunday Sep 27 and Saturday Oct 10 worked.
    cal = WorkCalendar.from_iso(holidays=[f"2026-10-0{d}" for d in range(1, 8)],
                                makeup_days=["2026-09-27", "2026-10-10"])
    assert cal.is_working_day(date(2026, 9, 27)) and not cal.is_working_day(date(2026, 10, 5))
    assert cal.add_working_days(date(2026, 9, 26), 1) == date(2026, 9, 27)
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_zero_days_is_the_same_day() -> None:
    assert WorkCalendar().add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
