"""Deadlines per urgency level: when a unit must sign for a case (签收) and when it must give feedback.

Each level names a span for each clock: ``"2 office hours"``, ``"1 duty hours"`` (office hours and night duty),
``"24 hours"`` (around the clock), ``"3 working days"``, or ``"answer days"`` (the case kind's working days).
Every computed deadline carries a sentence saying how it was computed, kept on the case and in its timeline, so
the clock stays auditable.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from cases import texts
from cases.calendar import WorkCalendar, describe_periods
from cases.errors import N_

ORDINARY, URGENT, EMERGENCY = "ordinary", "urgent", "emergency"
LEVELS = (ORDINARY, URGENT, EMERGENCY)
HOURS, OFFICE_HOURS, DUTY_HOURS, WORKING_DAYS, ANSWER_DAYS = (
    "hours", "office hours", "duty hours", "working days", "answer days")
DEFAULT_URGENCY_DEADLINES: dict[str, dict[str, str]] = {
    ORDINARY: {"sign": "1 working days", "feedback": "answer days"},
    URGENT: {"sign": "2 office hours", "feedback": "24 hours"},
    EMERGENCY: {"sign": "1 duty hours", "feedback": "12 hours"},
}
_SPAN = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s+)?(hours|office hours|duty hours|working days|answer days)\s*$")


@dataclass(frozen=True)
class Span:
    """An amount of time on one of the clocks."""

    amount: float
    clock: str

    @classmethod
    def parse(cls, text: str) -> Span:
        """``"2 office hours"`` -> ``Span(2, "office hours")``; raises ``ValueError`` saying what is accepted."""
        found = _SPAN.match(str(text).lower())
        if found is None or (found.group(1) is None) != (found.group(2) == ANSWER_DAYS):
            raise ValueError(f"A deadline is written like “2 office hours”, “24 hours”, “1 duty hours”, "
                             f"“3 working days” or “answer days”, not {text!r}.")
        amount = float(found.group(1) or 0)
        if found.group(2) == WORKING_DAYS and amount != int(amount):
            raise ValueError(f"Working days are whole days, not {text!r}.")
        return cls(amount, found.group(2))

    @property
    def in_hours(self) -> bool:
        return self.clock in (HOURS, OFFICE_HOURS, DUTY_HOURS)

    def text(self) -> str:
        amount = f"{self.amount:g}"
        return f"{amount} {self.clock}" if self.clock != ANSWER_DAYS else self.clock


@dataclass(frozen=True)
class UrgencyRule:
    sign: Span
    feedback: Span


def parse_rules(config: Mapping[str, Mapping[str, str]]) -> dict[str, UrgencyRule]:
    """The ``URGENCY_DEADLINES`` setting as rules; every level must be given (a missing one is an error)."""
    rules = {}
    for level in LEVELS:
        if level not in config:
            raise ValueError(f"URGENCY_DEADLINES has no “{level}” level.")
        rules[level] = UrgencyRule(Span.parse(config[level]["sign"]), Span.parse(config[level]["feedback"]))
    return rules


DEFAULT_RULES = parse_rules(DEFAULT_URGENCY_DEADLINES)


_SIGN_FOR = {ORDINARY: N_("ordinary case: sign for"), URGENT: N_("urgent case: sign for"),
             EMERGENCY: N_("emergency case: sign for")}
_FEEDBACK = {ORDINARY: N_("ordinary %(kind)s: feedback"), URGENT: N_("urgent %(kind)s: feedback"),
             EMERGENCY: N_("emergency %(kind)s: feedback")}
_SPANS = {HOURS: N_("%(amount)s hours"), OFFICE_HOURS: N_("%(amount)s office hours"),
          DUTY_HOURS: N_("%(amount)s duty hours")}


def sign_for(level: str) -> texts.Text:
    """What a sign-for deadline is, for its explanation."""
    return texts.text(_SIGN_FOR[level])


def feedback_of(level: str, kind: str) -> texts.Text:
    """What a feedback deadline of a case of ``kind`` is, for its explanation."""
    return texts.text(_FEEDBACK[level], kind=texts.code(kind))


def level_of(urgent: bool, major_emergency: bool) -> str:
    return EMERGENCY if major_emergency else URGENT if urgent else ORDINARY


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: the UTC moment, the office's date it falls on, whether it counts in hours, and why (in
    English, and as a text to translate, see cases.texts)."""

    at: datetime
    day: date
    hourly: bool
    basis: str
    basis_text: texts.Text


def compute(calendar: WorkCalendar, tz: str, start: datetime, span: Span, *, what: str | texts.Text,
            answer_days: int = 0) -> Deadline:
    """The deadline ``span`` after ``start`` (aware) on the office's calendar in ``tz``, with its explanation
    (``what``: what the deadline is for, a text or plain words).

    Day spans end with their last day (midnight after it, office time); hour spans end at the exact moment.
    """
    zone = ZoneInfo(tz)
    local = start.astimezone(zone).replace(tzinfo=None)
    clock = span.clock
    if clock == ANSWER_DAYS:
        span = Span(answer_days, WORKING_DAYS)
    start_text = f"{local:%Y-%m-%d %H:%M}"
    if span.clock == WORKING_DAYS:
        day = calendar.add_working_days(local.date(), int(span.amount))
        end = datetime.combine(day + timedelta(days=1), time())
        message = (N_("%(what)s within %(days)s working days (the case kind's answer days) from %(start)s, weekends "
                      "and holidays not counted: by the end of %(day)s") if clock == ANSWER_DAYS else
                   N_("%(what)s within %(days)s working days from %(start)s, weekends and holidays not counted: "
                      "by the end of %(day)s"))
        basis = texts.text(message, what=what, days=int(span.amount), start=start_text, day=day.isoformat())
        return Deadline(_utc(end, zone), day, False, texts.english(basis), basis)
    if span.clock == HOURS:
        end = local + timedelta(hours=span.amount)
        how = texts.text(N_("around the clock"))
    else:
        duty = span.clock == DUTY_HOURS
        end = calendar.add_staffed_hours(local, span.amount, duty=duty)
        office = describe_periods(calendar.office_hours)
        how = (texts.text(N_("counted in office hours %(office)s on working days and night duty %(duty)s every day"),
                          office=office, duty=describe_periods(calendar.night_duty)) if duty else
               texts.text(N_("counted in office hours %(office)s on working days"), office=office))
    basis = texts.text(N_("%(what)s within %(span)s from %(start)s, %(how)s: by %(end)s"), what=what,
                       span=texts.text(_SPANS[span.clock], amount=f"{span.amount:g}"), start=start_text, how=how,
                       end=f"{end:%Y-%m-%d %H:%M}")
    return Deadline(_utc(end, zone), end.date() if end.time() != time() else end.date() - timedelta(days=1),
                    True, texts.english(basis), basis)


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(timezone.utc)


def local_text(moment: datetime | None, tz: str) -> str:
    """A stored UTC moment as the office's ``YYYY-MM-DD HH:MM`` (for notices and pages)."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if moment else ""
