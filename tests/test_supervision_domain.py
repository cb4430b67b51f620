"""Supervision and statistics in the domain, on SQLite and PostgreSQL: notices once per deadline, the supervise
flag, and the aggregate figures (performance, per day, per month, top lists)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select, update

from cases import intake, services, statistics as st, supervision
from cases.topics import rising_topics
from cases.calendar import WorkCalendar
from cases.actors import Actor
from cases.drafts import Channel, LetterDraft
from cases.errors import TransitionError, ValidationError
from cases.models import Case, Event, OutboxItem, Unit, User


def actor(session: Any, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def unit(session: Any, name: str) -> Unit:
    return session.scalar(select(Unit).where(Unit.name == name))


def new_case(session: Any, policy: Any, subject: str, *, kind: str = "report", category: str | None = "Transport",
             days_ago: int = 1, channel: Channel = Channel.WEB, urgent: bool = False) -> Case:
    received = datetime.now(timezone.utc) - timedelta(days=days_ago)
    draft = LetterDraft(channel=channel, subject=subject, body=f"{subject}. Please help.", kind=kind,
                        category=category, sender_name="Ana Ruiz", sender_email="ana@example.org",
                        received_at=received, urgent=urgent)
    case = intake.receive(session, policy, draft).case
    session.flush()
    return case


def dispatched(session: Any, policy: Any, subject: str, unit_name: str = "Transport Bureau", **kw: Any) -> Case:
    case = new_case(session, policy, subject, **kw)
    clerk = actor(session, "clerk")
    services.register(session, policy, case, clerk)
    services.dispatch(session, policy, case, clerk, unit(session, unit_name).id)  # the letter named its category
    return case


def test_unit_performance_and_period_figures(domain: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        clerk, transport = actor(s, "clerk"), actor(s, "transport")
        on_time = dispatched(s, policy, "Bus stop sign missing")
        services.accept(s, policy, on_time, transport)
        services.give_feedback(s, policy, on_time, transport, "Sign replaced.")
        sent = services.reply(s, policy, on_time, clerk, body="It is replaced.", channel="email")
        services.close(s, policy, on_time, clerk, "satisfied")
        late = dispatched(s, policy, "Traffic light timing")
        services.accept(s, policy, late, transport)
        # The unit answers when its deadline passed long ago: late, whatever the deadline is later moved to.
        late.due_date = policy.today() - timedelta(days=40)
        services.give_feedback(s, policy, late, transport, "Timing changed.")
        assert late.due_at_feedback == policy.today() - timedelta(days=40) and late.first_feedback_at is not None
        late.due_date = policy.today() + timedelta(days=5)
        bounced = dispatched(s, policy, "Noise from a bar", category="Environment")
        services.return_to_desk(s, policy, bounced, transport, "Not ours: environment bureau.")
        services.dispatch(s, policy, bounced, clerk, unit(s, "Eastern District").id)
        old = dispatched(s, policy, "Old case", days_ago=90)  # outside the period
        assert old.id
        s.commit()

        period = st.Period.parse(None, None, default_days=30, today=policy.today())
        # A reply still in the outbox has not reached the citizen: the case is not counted as replied yet.
        assert {r.unit: r for r in st.unit_performance(s, period, policy.timezone)}["Transport Bureau"].replied == 0
        sent.status = "sent"  # what the mail worker records once the server took the message
        s.commit()
        rows = {r.unit: r for r in st.unit_performance(s, period, policy.timezone)}
        t = rows["Transport Bureau"]
        # Two new cases plus the two the demo dispatched to the unit today.
        assert (t.received, t.answered, t.on_time, t.returned, t.replied, t.rated, t.satisfied) == (4, 2, 1, 1, 1, 1, 1)
        assert t.on_time_rate == 0.5 and t.reply_rate == 0.25 and t.satisfaction_rate == 1.0
        assert t.return_rate == pytest.approx(1 / 5)
        assert t.avg_days_to_feedback == pytest.approx(1, abs=0.1)  # both answered a day after the letter
        # the bounced case and the demo's heating case, which the district leads
        assert rows["Eastern District"].received == 2 and rows["Eastern District"].answered == 0
        assert rows["Riverside County"].received == 0 and rows["Riverside County"].on_time_rate is None
        by_rate = st.unit_performance(s, period, policy.timezone, sort="on_time_rate", descending=True)
        assert by_rate[0].unit == "Transport Bureau" and by_rate[-1].on_time_rate is None
        with pytest.raises(ValidationError):
            st.unit_performance(s, period, policy.timezone, sort="1; DROP TABLE unit")

        yesterday = (policy.today() - timedelta(days=1)).isoformat()
        per_kind = st.cases_per_day(s, period, policy.timezone, "kind")
        assert per_kind["report"][yesterday] == 3  # the three new cases; the demo's are from today
        assert sum(per_kind["report"].values()) >= 3
        assert "web" in st.cases_per_day(s, period, policy.timezone, "channel")
        assert st.top_categories(s, period, policy.timezone)[0] == ("Transport", 3)  # and the demo's street light
        assert st.top_districts(s, period, policy.timezone) == [("Eastern District", 2)]
        assert st.total_cases(s, period, policy.timezone) == 4 + 3  # demo letters + three new ones

        months = st.monthly_figures(s, st.Period(policy.today() - timedelta(days=120), policy.today()
                                                 + timedelta(days=1)), policy.timezone, per_unit=True)
        transport_rows = [m for m in months if m.unit == "Transport Bureau"]
        assert sum(m.cases for m in transport_rows) == 2 + 1 + 2  # two new, the old one, the demo's two
        assert sum(m.answered for m in transport_rows) == 2 and sum(m.resolved for m in transport_rows) == 1
        office = st.monthly_figures(s, st.Period(policy.today() - timedelta(days=120), policy.today()
                                                 + timedelta(days=1)), policy.timezone, per_unit=False)
        assert sum(m.cases for m in office) == 7 and all(m.unit == "" for m in office)  # and the demo's heating case

        # Long periods read whole tables on SQLite instead of walking the date index: same figures either way.
        year = st.Period.parse(None, None, default_days=365, today=policy.today())
        scanned = st.unit_performance(s, year, policy.timezone)
        assert {r.unit: r.received for r in scanned}["Transport Bureau"] == 5
        monkeypatch.setattr(st, "SCAN_AFTER_DAYS", 10_000)
        assert st.unit_performance(s, year, policy.timezone) == scanned
        assert st.monthly_figures(s, st.Period(policy.today() - timedelta(days=120), policy.today()
                                               + timedelta(days=1)), policy.timezone, per_unit=True) == months


def test_rising_topics_scale_by_period_size() -> None:
    previous = ["bus"] * 4 + ["noise"]
    current = ["noise"] * 4 + ["bus"] * 2 + ["leak"] * 2 + ["rare"]
    topics = rising_topics(current, previous, str.split, min_count=2)
    # noise: 4 letters now against 1 * (9 / 5) expected; leak: 2 against 0; bus fell; rare is too rare.
    assert [t.term for t in topics] == ["noise", "leak"]
    assert topics[0].score == pytest.approx(4 - 9 / 5)


def test_notices_go_once_per_deadline(domain: Any) -> None:
    policy, settings = domain.policy, supervision.NoticeSettings(reminder_days_before=2, chase_days_after=1,
                                                                 escalate_days_after=3)
    with domain.sessions() as s:
        s.execute(update(Unit).where(Unit.name == "Transport Bureau").values(head_email="head@units.example.org"))
        case = dispatched(s, policy, "Bridge railing loose")
        s.commit()
        due = case.due_date
        cal = policy.calendar

        def run(day: Any) -> dict[str, int]:
            counts = supervision.send_notices(s, policy, settings, day)
            s.commit()
            return counts

        before = due - timedelta(days=1)
        while not cal.is_working_day(before):
            before -= timedelta(days=1)
        assert run(before)["reminder"] >= 1
        assert run(before)["reminder"] == 0  # once only
        chase_day = cal.add_working_days(due, 1)
        counts = run(chase_day)
        assert counts["chase"] >= 1 and counts["escalation"] == 0
        assert run(chase_day)["chase"] == 0
        escalation_day = cal.add_working_days(due, 3)
        assert run(escalation_day)["escalation"] >= 1
        assert run(escalation_day + timedelta(days=7)) == {"reminder": 0, "chase": 0, "escalation": 0}

        actions = [e.action for e in s.scalars(select(Event).where(Event.case_id == case.id))]
        assert actions.count("reminder") == actions.count("chase") == actions.count("escalation") == 1
        s.refresh(case)
        assert case.supervised
        mails = [o.payload for o in s.scalars(select(OutboxItem).where(OutboxItem.topic == "send_mail"))
                 if o.payload.get("case_id") == case.id]
        assert {m["notice"] for m in mails} == {"reminder", "chase", "escalation"}
        escalation = next(m for m in mails if m["notice"] == "escalation")
        assert escalation["to"] == ["head@units.example.org"] and case.number in escalation["subject"]
        reminder = next(m for m in mails if m["notice"] == "reminder")
        assert "transport@office.example.org" in reminder["to"] and "transport@units.example.org" in reminder["to"]

        # A new deadline (extension approved) means new notices for it.
        case.due_date = due + timedelta(days=14)
        s.commit()
        assert run(cal.add_working_days(case.due_date, 1))["chase"] >= 1


def test_supervise_flag(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = dispatched(s, policy, "Flooded underpass")
        with pytest.raises(TransitionError):
            supervision.supervise(s, policy, case, actor(s, "clerk"), "hurry")
        with pytest.raises(ValidationError):
            supervision.supervise(s, policy, case, actor(s, "supervisor"), "  ")
        supervision.supervise(s, policy, case, actor(s, "supervisor"), "Residents are in danger; answer today.")
        s.commit()
        with pytest.raises(ValidationError):
            supervision.supervise(s, policy, case, actor(s, "supervisor"), "again")
        notes = supervision.supervision_notes(s, case)
        assert notes[0].note == "Residents are in danger; answer today."
        transport_id = unit(s, "Transport Bureau").id
        assert case in supervision.supervised_cases(s, transport_id)
        assert case not in supervision.supervised_cases(s, unit(s, "Eastern District").id)
        per_unit = {d.unit: d for d in supervision.unit_deadlines(s, policy, policy.today())}
        assert per_unit["Transport Bureau"].supervised >= 1 and per_unit["Transport Bureau"].open_cases >= 3
        supervision.end_supervision(s, policy, case, actor(s, "admin"), "answered")
        s.commit()
        assert not case.supervised


def test_period_rejects_bad_input() -> None:
    today = datetime(2026, 5, 1).date()
    with pytest.raises(ValidationError):
        st.Period.parse("2026-13-01", None, default_days=7, today=today)
    with pytest.raises(ValidationError):
        st.Period.parse("2026-05-02", "2026-05-01", default_days=7, today=today)
    assert st.Period.parse(None, None, default_days=7, today=today).days == 7



# A week with a public holiday on Monday 5 October 2026 (a Thursday-to-Monday stretch of days off).
HOLIDAY = date(2026, 10, 5)


def test_notice_days_skip_weekends_and_holidays(domain: Any) -> None:
    policy = replace(domain.policy, calendar=WorkCalendar.from_iso([HOLIDAY.isoformat()]))
    settings = supervision.NoticeSettings(reminder_days_before=2, chase_days_after=1, escalate_days_after=3)
    due = date(2026, 10, 2)  # a Friday

    def kinds(day: date) -> list[str]:
        return supervision.due_notices(due, day, policy, settings)

    assert kinds(date(2026, 9, 29)) == []  # Tuesday: two working days ahead is Thursday, not yet
    assert kinds(date(2026, 9, 30)) == ["reminder"]  # Wednesday: due in two working days
    # Saturday, Sunday and the holiday Monday are quiet, though the deadline has passed.
    assert kinds(date(2026, 10, 3)) == kinds(date(2026, 10, 4)) == kinds(HOLIDAY) == []
    assert kinds(date(2026, 10, 6)) == ["chase"]  # Tuesday: the working day after the deadline
    assert kinds(date(2026, 10, 7)) == ["chase"]  # (sent once: the events decide, see below)
    assert kinds(date(2026, 10, 8)) == ["chase", "escalation"]  # the third working day after it
    # A deadline on Tuesday the 13th: two working days before it is Friday the 9th, across the weekend.
    assert supervision.due_notices(date(2026, 10, 13), date(2026, 10, 8), policy, settings) == []
    assert supervision.due_notices(date(2026, 10, 13), date(2026, 10, 9), policy, settings) == ["reminder"]
    assert supervision.due_notices(date(2026, 10, 13), date(2026, 10, 10), policy, settings) == []


def test_notices_are_sent_on_working_days_only(domain: Any) -> None:
    policy = replace(domain.policy, calendar=WorkCalendar.from_iso([HOLIDAY.isoformat()]))
    settings = supervision.NoticeSettings(reminder_days_before=2, chase_days_after=1, escalate_days_after=3)
    with domain.sessions() as s:
        case = dispatched(s, policy, "Collapsed manhole cover")
        s.execute(update(Case).where(Case.id != case.id).values(due_date=None))  # only this case is on the clock
        case.due_date = date(2026, 10, 2)
        s.commit()
        sent: dict[date, dict[str, int]] = {}
        day = date(2026, 9, 28)
        while day <= date(2026, 10, 12):
            sent[day] = supervision.send_notices(s, policy, settings, day)
            s.commit()
            day += timedelta(days=1)
        nonzero = {d.isoformat(): {k: n for k, n in c.items() if n} for d, c in sent.items() if any(c.values())}
        assert nonzero == {"2026-09-30": {"reminder": 1}, "2026-10-06": {"chase": 1},
                           "2026-10-08": {"escalation": 1}}
        recorded = [(e.action, e.data["due"]) for e in s.scalars(
            select(Event).where(Event.case_id == case.id, Event.action.in_(supervision.NOTICE_ACTIONS))
            .order_by(Event.id))]
        assert recorded == [("reminder", "2026-10-02"), ("chase", "2026-10-02"), ("escalation", "2026-10-02")]
        s.refresh(case)
        assert case.supervised  # the escalation put it under supervision


def test_missed_notices_go_out_on_the_next_working_day(domain: Any) -> None:
    """The worker was down over the holiday weekend: Tuesday's run sends the chase it owes, once."""
    policy = replace(domain.policy, calendar=WorkCalendar.from_iso([HOLIDAY.isoformat()]))
    settings = supervision.NoticeSettings(reminder_days_before=2, chase_days_after=1, escalate_days_after=1)
    with domain.sessions() as s:
        case = dispatched(s, policy, "Fallen tree on the footpath")
        s.execute(update(Case).where(Case.id != case.id).values(due_date=None))
        case.due_date = date(2026, 10, 2)
        s.commit()
        assert supervision.send_notices(s, policy, settings, date(2026, 10, 5)) == {
            "reminder": 0, "chase": 0, "escalation": 0}  # the holiday
        assert supervision.send_notices(s, policy, settings, date(2026, 10, 6)) == {
            "reminder": 0, "chase": 1, "escalation": 1}
        s.commit()
        assert supervision.send_notices(s, policy, settings, date(2026, 10, 7)) == {
            "reminder": 0, "chase": 0, "escalation": 0}
