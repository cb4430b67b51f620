"""Office hours and night duty on the calendar, and deadline spans with their explanations (no database)."""
from datetime import date, datetime, time, timezone

import pytest

from cases.calendar import WorkCalendar, parse_periods
from cases.deadlines import DEFAULT_URGENCY_DEADLINES, Span, compute, parse_rules

FRIDAY = date(2026, 12, 4)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))


def test_office_hours_skip_lunch_nights_and_weekends() -> None:
    cal = WorkCalendar()
    assert cal.add_staffed_hours(local(FRIDAY, 11), 2) == local(FRIDAY, 14, 30)  # 11-12, lunch, 13:30-14:30
    assert cal.add_staffed_hours(local(FRIDAY, 16, 30), 2) == local(date(2026, 12, 7), 10)  # over the weekend
    assert cal.add_staffed_hours(local(FRIDAY, 20), 1) == local(date(2026, 12, 7), 10)  # after hours: Monday
    assert cal.add_staffed_hours(local(FRIDAY, 9), 0) == local(FRIDAY, 9)
    assert cal.staffed_hours_between(local(FRIDAY, 11), local(FRIDAY, 14, 30)) == 2


def test_holidays_count_no_office_hours_and_night_duty_runs_past_midnight() -> None:
    cal = WorkCalendar.from_iso(holidays=["2026-12-07"], night_duty=["17:30-09:00"])
    # Office hours only: Monday is a holiday, so two hours from Friday 16:30 end on Tuesday.
    assert cal.add_staffed_hours(local(FRIDAY, 16, 30), 2) == local(date(2026, 12, 8), 10)
    # Duty hours: the night duty continues from 17:30 through the night and over the weekend.
    assert cal.add_staffed_hours(local(FRIDAY, 17), 1, duty=True) == local(FRIDAY, 18)
    assert cal.add_staffed_hours(local(FRIDAY, 23, 30), 1, duty=True) == local(date(2026, 12, 5), 0, 30)
    # Saturday: night duty 00:00-09:00 and 17:30-24:00, nothing between.
    assert cal.add_staffed_hours(local(date(2026, 12, 5), 8), 2, duty=True) == local(date(2026, 12, 5), 18, 30)


def test_periods_and_spans_reject_nonsense() -> None:
    assert parse_periods(["08:30-12:00"]) == ((time(8, 30), time(12)),)
    for bad in (["9-12"], ["09:00"], ["10:00-10:00"]):
        with pytest.raises(ValueError):
            parse_periods(bad)
    assert Span.parse("2 office hours") == Span(2, "office hours") and Span.parse("answer days").clock == "answer days"
    assert Span.parse("1.5 Hours").in_hours and not Span.parse("3 working days").in_hours
    for bad in ("2 weeks", "office hours", "2.5 working days", "3 answer days", ""):
        with pytest.raises(ValueError):
            Span.parse(bad)
    with pytest.raises(ValueError):
        parse_rules({"ordinary": DEFAULT_URGENCY_DEADLINES["ordinary"]})
    with pytest.raises(ValueError):
        WorkCalendar(office_hours=()).add_staffed_hours(local(FRIDAY, 9), 1)


def test_every_deadline_says_how_it_was_computed() -> None:
    cal = WorkCalendar()
    start = datetime(2026, 12, 4, 8, 30, tzinfo=timezone.utc)  # Friday 16:30 in Shanghai
    sign = compute(cal, "Asia/Shanghai", start, Span.parse("2 office hours"), what="urgent case: sign for")
    assert sign.at == datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc) and sign.day == date(2026, 12, 7)
    assert sign.hourly and "2 office hours from 2026-12-04 16:30" in sign.basis
    assert "office hours 09:00–12:00, 13:30–17:30" in sign.basis and sign.basis.endswith("by 2026-12-07 10:00")
    feedback = compute(cal, "Asia/Shanghai", start, Span.parse("24 hours"), what="feedback")
    assert feedback.at == datetime(2026, 12, 5, 8, 30, tzinfo=timezone.utc) and "around the clock" in feedback.basis
    days = compute(cal, "Asia/Shanghai", start, Span.parse("answer days"), what="feedback", answer_days=10)
    assert days.day == date(2026, 12, 18) and not days.hourly
    assert days.at == datetime(2026, 12, 18, 16, 0, tzinfo=timezone.utc)  # midnight after the day, office time
    assert "10 working days (the case kind's answer days)" in days.basis and "by the end of 2026-12-18" in days.basis
    midnight = compute(cal, "Asia/Shanghai", start, Span.parse("7.5 hours"), what="feedback")
    assert midnight.day == date(2026, 12, 4)  # due at 24:00 belongs to the day that ends
