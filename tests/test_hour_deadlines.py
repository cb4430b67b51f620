"""Deadlines in hours on SQLite and PostgreSQL: per urgency level at dispatch, sign-for (签收) recorded and
reported, and hour-resolution reminders, chases, escalations and sign-for chases, each once."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select

from cases import intake, outbox, services, statistics as st, supervision
from cases.calendar import WorkCalendar
from cases.actors import Actor
from cases.drafts import Channel, LetterDraft
from cases.hour_notices import HourNoticeSettings, send_hour_notices
from cases.models import Case, Event, OutboxItem, Unit, User
from tests.conftest import a_category, category_id

SHANGHAI = timezone(timedelta(hours=8))


def at(day: int, hh: int, mm: int = 0) -> datetime:
    """A moment in December 2026, office time (4 December is a Friday)."""
    return datetime(2026, 12, day, hh, mm, tzinfo=SHANGHAI).astimezone(timezone.utc)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def actor(session: Any, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def dispatched(session: Any, policy: Any, subject: str, *, urgent: bool = False, emergency: bool = False) -> Case:
    draft = LetterDraft(channel=Channel.WEB, subject=subject, body=f"{subject}. Please help.", kind="report",
                        category="Transport", sender_name="Ana Ruiz", sender_email="ana@example.org",
                        received_at=policy.now() - timedelta(minutes=30))
    case = intake.receive(session, policy, draft).case
    session.flush()
    clerk = actor(session, "clerk")
    services.register(session, policy, case, clerk, urgent=urgent, major_emergency=emergency)
    transport = session.scalar(select(Unit).where(Unit.name == "Transport Bureau"))
    services.dispatch(session, policy, case, clerk, transport.id, category_id=a_category(session))
    return case


def notices(session: Any, case: Case) -> list[tuple[str, str]]:
    return [(e.action, e.data["due"]) for e in session.scalars(
        select(Event).where(Event.case_id == case.id, Event.action.in_(supervision.NOTICE_ACTIONS))
        .order_by(Event.id))]


def test_urgency_levels_set_sign_for_and_feedback_deadlines_with_their_reasons(domain: Any) -> None:
    clock = Clock(at(4, 16, 30))
    policy = replace(domain.policy, clock=clock,
                     calendar=WorkCalendar.from_iso(night_duty=["17:30-09:00"]))
    period = st.Period.parse("2026-12-01", "2026-12-31", default_days=30, today=date(2026, 12, 8))
    with domain.sessions() as s:
        before = {r.unit: r for r in st.unit_performance(s, period, policy.timezone)}["Transport Bureau"]
        urgent = dispatched(s, policy, "Burst water main on Elm Street", urgent=True)
        ordinary = dispatched(s, policy, "Faded road markings")
        clock.moment = at(4, 17)
        emergency = dispatched(s, policy, "Gas smell in a school", emergency=True)
        s.commit()
        # Urgent: sign for within 2 office hours (16:30-17:30 Friday, 9:00-10:00 Monday), feedback in 24 hours.
        assert urgent.sign_due_at == at(7, 10) and urgent.due_at == at(5, 16, 30)
        assert urgent.due_date == date(2026, 12, 5) and urgent.dispatched_at == at(4, 16, 30) and urgent.due_hourly
        assert "sign for within 2 office hours from 2026-12-04 16:30" in urgent.deadline_basis
        assert "feedback within 24 hours from 2026-12-04 16:30, around the clock: by 2026-12-05 16:30" \
            in urgent.deadline_basis
        # Ordinary: working days as before (a report: 10 working days), signed for within one working day.
        assert ordinary.due_date == date(2026, 12, 18) and ordinary.sign_due_at == at(8, 0)
        assert "by the end of 2026-12-18" in ordinary.deadline_basis and not ordinary.due_hourly
        # Emergency: one duty hour (office hours, then the night duty) to sign for, 12 hours to answer.
        assert emergency.sign_due_at == at(4, 18) and emergency.due_at == at(5, 5)
        assert "night duty 17:30–09:00 every day" in emergency.deadline_basis
        # The timeline keeps the same explanation with the deadline event.
        deadline = s.scalars(select(Event).where(Event.case_id == urgent.id, Event.action == "deadline")).one()
        assert deadline.data["basis"] == urgent.deadline_basis and deadline.data["at"] == at(5, 16, 30).isoformat()

        transport = actor(s, "transport")
        clock.moment = at(7, 9, 40)
        services.accept(s, policy, urgent, transport)
        clock.moment = at(8, 11)
        services.accept(s, policy, ordinary, transport)
        s.commit()
        assert urgent.signed_at == at(7, 9, 40) and ordinary.signed_at == at(8, 11)
        sign = s.scalars(select(Event).where(Event.case_id == ordinary.id, Event.action == "accept")).one()
        assert sign.data["on_time"] is False and sign.data["signed_at"] == at(8, 11).isoformat()

        row = {r.unit: r for r in st.unit_performance(s, period, policy.timezone)}["Transport Bureau"]
        # The demo's own cases (received today, whenever the test runs) may fall in the period: compare with them.
        assert (row.signed - before.signed, row.signed_on_time - before.signed_on_time) == (2, 1)
        mine = [65 + 10 / 60, 90 + 30 / 60]  # hours from dispatch to sign-for, around the clock
        expected = ((before.avg_hours_to_sign or 0) * before.signed + sum(mine)) / row.signed
        assert abs(row.avg_hours_to_sign - expected) < 0.01
        exported = dict(zip(st.PERFORMANCE_COLUMNS, st.performance_table([row])[0]))
        assert [exported[c] for c in ("signed", "sign_on_time_rate", "avg_hours_to_sign")] == [
            row.signed, round(row.sign_on_time_rate, 4), round(row.avg_hours_to_sign, 4)]

        # An unsatisfied rating reopens the urgent case with a fresh 24-hour clock.
        services.give_feedback(s, policy, urgent, transport, "Main repaired.")
        services.reply(s, policy, urgent, actor(s, "clerk"), body="Repaired.", channel="email")
        clock.moment = at(9, 10)
        services.close(s, policy, urgent, actor(s, "clerk"), "unsatisfied", "Still leaking.")
        assert urgent.due_at == at(10, 10) and "feedback within 24 hours from 2026-12-09 10:00" in urgent.deadline_basis


def test_hour_notices_go_out_once_each_at_their_hour(domain: Any) -> None:
    clock = Clock(at(4, 16, 30))
    policy = replace(domain.policy, clock=clock)
    settings = HourNoticeSettings(reminder_hours_before=4, chase_hours_after=1, escalate_hours_after=4)
    with domain.sessions() as s:
        s.execute(Unit.__table__.update().where(Unit.name == "Transport Bureau")
                  .values(head_email="head@transport.example.org"))
        urgent = dispatched(s, policy, "Traffic lights dark at a junction", urgent=True)
        ordinary = dispatched(s, policy, "Bench needs paint")
        s.commit()

        def run(day: int, hh: int, mm: int = 0) -> dict[str, int]:
            """The notices this run recorded on our two cases (the demo's own cases have their clocks too)."""
            last = s.scalar(select(func.max(Event.id)))
            send_hour_notices(s, policy, settings, now=at(day, hh, mm))
            s.commit()
            counts: dict[str, int] = {}
            for kind in s.scalars(select(Event.action).where(
                    Event.id > last, Event.case_id.in_((urgent.id, ordinary.id)),
                    Event.action.in_(supervision.NOTICE_ACTIONS))):
                counts[kind] = counts.get(kind, 0) + 1
            return counts

        assert run(4, 17) == {}
        assert run(5, 12) == {}  # 4h30 before the deadline
        assert run(5, 13) == {"reminder": 1}
        assert run(5, 13, 10) == {}
        assert run(5, 17, 45) == {"chase": 1}
        assert run(5, 21) == {"escalation": 1}
        assert urgent.supervised and not ordinary.supervised
        assert run(7, 10, 5) == {"sign_chase": 1}  # the urgent case was to be signed for by Monday 10:00
        assert run(7, 11) == {}
        assert run(8, 0, 5) == {"sign_chase": 1}  # the ordinary one by the end of Monday
        assert notices(s, urgent) == [("reminder", "2026-12-05 16:30"), ("chase", "2026-12-05 16:30"),
                                      ("escalation", "2026-12-05 16:30"), ("sign_chase", "2026-12-07 10:00")]
        assert notices(s, ordinary) == [("sign_chase", "2026-12-08 00:00")]
        mails = [i.payload for i in s.scalars(select(OutboxItem).where(OutboxItem.topic == outbox.SEND_MAIL)
                                              .order_by(OutboxItem.id))
                 if i.payload.get("case_id") == urgent.id]
        assert [m["notice"] for m in mails] == ["reminder", "chase", "escalation", "sign_chase"]
        assert mails[2]["to"] == ["head@transport.example.org"]
        assert "2026-12-07 10:00" in mails[3]["body"] and "signed for" in mails[3]["body"]

        # The daily notices leave the hour cases alone (a Monday, past the urgent case's due date).
        supervision.send_notices(s, policy, supervision.NoticeSettings(), today=date(2026, 12, 7))
        assert len(notices(s, urgent)) == 4

        # Once signed for, no more sign-for chases; a case off the unit's clock gets no notices.
        services.accept(s, policy, ordinary, actor(s, "transport"))
        s.commit()
        assert run(8, 12) == {}


def test_the_case_page_shows_the_hour_clock_and_why(app: Any, client: Any, demo_data: object) -> None:
    from tests.conftest import login
    from tests.helpers.web_forms import submit_letter, unit_id

    number, _code = submit_letter(client)
    staff = app.test_client()
    login(staff, "clerk")
    assert staff.post(f"/cases/{number}/register", data={"kind": "report", "category": 0, "urgent": "y"}
                      ).status_code == 302
    assert staff.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, "Transport Bureau"),
                                                             "category": category_id(app)}).status_code == 302
    page = staff.get(f"/cases/{number}").get_data(as_text=True)
    assert 'id="case-sign-for"' in page and 'id="deadline-basis"' in page
    assert "sign for within 2 office hours" in page and "feedback within 24 hours" in page
    import re

    assert re.search(r'id="case-due">[^<]*\d:\d\d', page)  # due at a time of day, not just a date
    listed = staff.get("/desk/with-units").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr.*?</tr>", listed, re.S) if number in r)
    assert re.search(r"\d:\d\d", re.findall(r"<td>(.*?)</td>", row, re.S)[-1])  # the due cell, to the minute
    unit = app.test_client()
    login(unit, "transport")
    assert unit.post(f"/cases/{number}/accept", data={}).status_code == 302
    assert "signed for" in unit.get(f"/cases/{number}").get_data(as_text=True)
