"""Work across units, in the domain: passing a case down the unit tree (二级派单) and back up, lead and
co-handling units (主办/协办), and what each level may see — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cases import admin, cohandling, levels, queries, returns, services, supervision
from cases.actors import Actor
from cases.errors import NotFound, TransitionError, ValidationError
from cases.models import Attachment, Case, Event, OutboxItem, Unit
from cases.models_levels import ACCEPTED, ANSWERED, OPEN, WITHDRAWN, Assignment
from cases.queries import CaseFilter
from cases.workflow import Status
from tests.conftest import a_category
from tests.helpers.workflow import actor_for, new_case


def unit_id(session: Any, name: str) -> int:
    return session.scalar(select(Unit.id).where(Unit.name == name))


def unit_actor(session: Any, name: str) -> Actor:
    """A handler of the unit ``name`` (a fresh actor; no user row is needed to read or act)."""
    return Actor(user_id=None, role="unit", unit_id=unit_id(session, name), name=name)


EASTERN, STREET, TRANSPORT, HOUSING, WESTERN = ("Eastern District", "Jiefang Road Street Office", "Transport Bureau",
                                                "Housing and Urban-Rural Development Bureau", "Western District")


def dispatched(session: Any, policy: Any, lead: str, *, co: tuple[str, ...] = (), sign: bool = True,
               subject: str = "Broken pavement") -> Case:
    clerk = actor_for(session, "clerk")
    case = new_case(session, policy, subject=subject)
    services.register(session, policy, case, clerk, category_id=a_category(session))
    services.dispatch(session, policy, case, clerk, unit_id(session, lead), "Please look into it.",
                      co_unit_ids=[unit_id(session, u) for u in co])
    if sign:
        services.accept(session, policy, case, unit_actor(session, lead))
    session.flush()
    return case


def sees(session: Any, who: str, case: Case) -> bool:
    """Whether the unit ``who`` finds ``case`` by number, in its lists and by its files' ids."""
    actor = unit_actor(session, who)
    try:
        queries.get_case(session, actor, case.number)
        by_number = True
    except NotFound:
        by_number = False
    rows, _total = queries.list_cases(session, actor, CaseFilter(), today=case.received_at.date(), per_page=500)
    assert by_number == (case in rows), who
    return by_number


def test_each_level_sees_its_own_and_the_levels_below(domain: Any) -> None:
    with domain.sessions() as s:
        community = admin.add_unit(s, name="Jiefang No. 3 Community", kind="street",
                                   parent_id=unit_id(s, STREET))
        s.flush()
        at_district = dispatched(s, domain.policy, EASTERN, subject="District case")
        at_street = dispatched(s, domain.policy, STREET, subject="Street case")  # the desk went straight down
        at_community = dispatched(s, domain.policy, community.name, subject="Community case")
        elsewhere = dispatched(s, domain.policy, WESTERN, subject="Western case")
        # city office (the desk, supervisors) sees all
        for role in ("clerk", "supervisor", "admin"):
            desk = Actor(user_id=None, role=role)
            assert all(queries.get_case(s, desk, c.number) for c in (at_district, at_street, elsewhere))
        # the district sees everything below it, nothing beside it
        assert [sees(s, EASTERN, c) for c in (at_district, at_street, at_community, elsewhere)] == [
            True, True, True, False]
        # the street office: its own and its community's, not its parent's
        assert [sees(s, STREET, c) for c in (at_district, at_street, at_community, elsewhere)] == [
            False, True, True, False]
        assert [sees(s, community.name, c) for c in (at_district, at_street, at_community, elsewhere)] == [
            False, False, True, False]
        assert not any(sees(s, TRANSPORT, c) for c in (at_district, at_street, at_community))
        # a citizen or a unit user without a unit sees nothing
        assert not queries.list_cases(s, Actor(None, "unit"), CaseFilter(), today=domain.policy.today())[1]
        assert not queries.list_cases(s, Actor(None, "citizen"), CaseFilter(), today=domain.policy.today())[1]


def test_passing_down_and_up_three_levels(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        community = admin.add_unit(s, name="Jiefang No. 3 Community", kind="street", parent_id=unit_id(s, STREET))
        s.flush()
        case = dispatched(s, policy, EASTERN)
        district, street = unit_actor(s, EASTERN), unit_actor(s, STREET)
        assert not sees(s, STREET, case)
        down = levels.pass_down(s, policy, case, district, unit_id(s, STREET), "Measure the hole.", case.due_date)
        assert sees(s, STREET, case) and not sees(s, community.name, case)
        street_due = case.due_date - timedelta(days=1) if case.due_date - timedelta(days=1) >= policy.today() \
            else case.due_date
        further = levels.pass_down(s, policy, case, street, community.id, "Ask the residents.", street_due)
        assert further.parent_id == down.id and sees(s, community.name, case)
        # the street office cannot answer while its community's part is open; the district cannot answer the office
        with pytest.raises(ValidationError, match="still open"):
            levels.answer_part(s, policy, case, street, "Done.")
        with pytest.raises(ValidationError, match="not settled"):
            services.give_feedback(s, policy, case, district, "Fixed.")
        levels.answer_part(s, policy, case, unit_actor(s, community.name), "Residents say it is 30 cm deep.")
        # only the unit above reviews: not the district two levels up, not the community itself
        with pytest.raises(NotFound):
            levels.accept_part(s, policy, case, district, further.id)
        with pytest.raises(ValidationError, match="reason"):
            levels.send_back_part(s, policy, case, street, further.id, "  ")
        levels.send_back_part(s, policy, case, street, further.id, "Give the exact address.")
        assert further.state == OPEN and further.review_note == "Give the exact address."
        levels.answer_part(s, policy, case, unit_actor(s, community.name), "No. 12, 30 cm deep.")
        levels.accept_part(s, policy, case, street, further.id, "Thanks.")
        assert further.state == ACCEPTED
        levels.answer_part(s, policy, case, street, "Hole at No. 12 filled.")
        assert down.state == ANSWERED
        with pytest.raises(ValidationError, match="not settled"):
            services.give_feedback(s, policy, case, district, "Fixed.")
        levels.accept_part(s, policy, case, district, down.id)
        services.give_feedback(s, policy, case, district, down.answer)
        assert case.status == Status.ANSWERED
        steps = [e.action for e in s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))]
        for step in ("pass_down", "answer_part", "send_back_part", "accept_part", "feedback"):
            assert step in steps
        assert steps.count("pass_down") == 2 and steps.count("answer_part") == 3


def test_pass_down_refuses_a_later_deadline_and_wrong_units(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        unsigned = dispatched(s, policy, EASTERN, sign=False)
        district = unit_actor(s, EASTERN)
        with pytest.raises(ValidationError, match="Sign for"):
            levels.pass_down(s, policy, unsigned, district, unit_id(s, STREET), "Go.", unsigned.due_date)
        case = dispatched(s, policy, EASTERN)
        later = case.due_date + timedelta(days=1)
        with pytest.raises(levels.DeadlineError, match=f"on or before your own, {case.due_date.isoformat()}"):
            levels.pass_down(s, policy, case, district, unit_id(s, STREET), "Go.", later)
        with pytest.raises(levels.DeadlineError, match="past"):
            levels.pass_down(s, policy, case, district, unit_id(s, STREET), "Go.",
                             policy.today() - timedelta(days=1))
        with pytest.raises(ValidationError, match="sub-units"):  # a unit beside, not below
            levels.pass_down(s, policy, case, district, unit_id(s, WESTERN), "Go.", case.due_date)
        with pytest.raises(ValidationError, match="Instructions"):
            levels.pass_down(s, policy, case, district, unit_id(s, STREET), " ", case.due_date)
        with pytest.raises(NotFound):  # a unit that does not hold the case
            levels.pass_down(s, policy, case, unit_actor(s, WESTERN), unit_id(s, STREET), "Go.", case.due_date)
        with pytest.raises(TransitionError):
            levels.pass_down(s, policy, case, actor_for(s, "clerk"), unit_id(s, STREET), "Go.", case.due_date)
        levels.pass_down(s, policy, case, district, unit_id(s, STREET), "Go.", case.due_date)
        with pytest.raises(ValidationError, match="already"):
            levels.pass_down(s, policy, case, district, unit_id(s, STREET), "Again.", case.due_date)
        assert s.scalar(select(Assignment.id).where(Assignment.case_id == unsigned.id)) is None


def test_co_handling_units_give_their_parts_to_the_lead(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = dispatched(s, policy, EASTERN, co=(HOUSING, TRANSPORT))
        parts = {p.unit.name: p for p in s.scalars(select(Assignment).where(Assignment.case_id == case.id))}
        assert set(parts) == {HOUSING, TRANSPORT}
        assert all(p.role == "co" and p.due_date <= case.due_date for p in parts.values())
        assert sees(s, HOUSING, case) and sees(s, TRANSPORT, case) and not sees(s, WESTERN, case)
        lead = unit_actor(s, EASTERN)
        # co-units answer their part, never the office
        with pytest.raises(NotFound):
            services.give_feedback(s, policy, case, unit_actor(s, HOUSING), "We did it.")
        levels.answer_part(s, policy, case, unit_actor(s, HOUSING), "Heating repaired in building 4.")
        with pytest.raises(ValidationError, match="already answered"):
            levels.answer_part(s, policy, case, unit_actor(s, HOUSING), "Again.")
        with pytest.raises(ValidationError, match=f"Waiting for the part from {TRANSPORT}"):
            services.give_feedback(s, policy, case, lead, "Repaired.")
        services.give_feedback(s, policy, case, lead, "Repaired.",
                               without_parts_reason="Transport has nothing to add: no bus stop is involved.")
        feedback = s.scalar(select(Event).where(Event.case_id == case.id, Event.action == "feedback"))
        assert feedback.data["without_parts"] == [TRANSPORT] and feedback.data["co_parts"] == [parts[HOUSING].id]
        why = s.scalar(select(Event).where(Event.case_id == case.id, Event.action == "answer_without_parts"))
        assert why.note.startswith("Transport has nothing to add")


def test_co_handling_refusals(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        clerk = actor_for(s, "clerk")
        case = new_case(s, policy)
        services.register(s, policy, case, clerk, category_id=a_category(s))
        with pytest.raises(ValidationError, match="lead unit cannot also"):
            services.dispatch(s, policy, case, clerk, unit_id(s, EASTERN), co_unit_ids=[unit_id(s, EASTERN)])
        s.rollback()
        case = new_case(s, policy)
        services.register(s, policy, case, clerk, category_id=a_category(s))
        with pytest.raises(ValidationError, match="on or before the lead"):
            services.dispatch(s, policy, case, clerk, unit_id(s, EASTERN), co_unit_ids=[unit_id(s, HOUSING)],
                              co_due=policy.today() + timedelta(days=60))


def test_a_co_unit_is_chased_on_its_own(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = dispatched(s, policy, EASTERN, co=(HOUSING, TRANSPORT))
        part = s.scalar(select(Assignment).join(Unit, Unit.id == Assignment.unit_id).where(
            Assignment.case_id == case.id, Unit.name == HOUSING))
        with pytest.raises(NotFound):  # another co-unit may not chase
            cohandling.chase_part(s, policy, case, unit_actor(s, TRANSPORT), part.id)
        cohandling.chase_part(s, policy, case, unit_actor(s, EASTERN), part.id, "We need it by Friday.")
        cohandling.chase_part(s, policy, case, actor_for(s, "supervisor"), part.id)
        s.flush()
        mails = [o.payload for o in s.scalars(select(OutboxItem).where(OutboxItem.topic == "send_mail"))
                 if o.payload.get("notice") == cohandling.PART_CHASE]
        assert len(mails) == 2 and all(m["to"] == ["housing@units.example.org", "housing@office.example.org"]
                                       for m in mails)
        assert "We need it by Friday." in mails[0]["body"]
        levels.answer_part(s, policy, case, unit_actor(s, HOUSING), "Done.")
        with pytest.raises(ValidationError, match="already answered"):
            cohandling.chase_part(s, policy, case, unit_actor(s, EASTERN), part.id)


def test_return_to_the_desk_withdraws_every_part(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = dispatched(s, policy, EASTERN, co=(HOUSING,))
        levels.pass_down(s, policy, case, unit_actor(s, EASTERN), unit_id(s, STREET), "Go.", case.due_date)
        assert sees(s, STREET, case) and sees(s, HOUSING, case)
        services.return_to_desk(s, policy, case, unit_actor(s, EASTERN), "Not ours.")
        assert {p.state for p in s.scalars(select(Assignment).where(Assignment.case_id == case.id))} == {WITHDRAWN}
        assert not any(sees(s, u, case) for u in (EASTERN, STREET, HOUSING))
        services.dispatch(s, policy, case, actor_for(s, "clerk"), unit_id(s, WESTERN))
        assert sees(s, WESTERN, case) and not sees(s, HOUSING, case)


def test_a_recall_withdraws_every_part_too(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = dispatched(s, policy, EASTERN, co=(HOUSING,))
        levels.pass_down(s, policy, case, unit_actor(s, EASTERN), unit_id(s, STREET), "Go.", case.due_date)
        returns.redispatch(s, policy, case, actor_for(s, "clerk"), "Sent to the wrong district.",
                           unit_id(s, WESTERN))
        assert {p.state for p in s.scalars(select(Assignment).where(Assignment.case_id == case.id))} == {WITHDRAWN}
        assert sees(s, WESTERN, case)
        assert not any(sees(s, u, case) for u in (EASTERN, STREET, HOUSING))


def test_files_and_supervised_lists_follow_the_same_rule(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = dispatched(s, policy, EASTERN, co=(HOUSING,))
        other = dispatched(s, policy, WESTERN, subject="Elsewhere")
        for c in (case, other):
            s.add(Attachment(case_id=c.id, filename="a.png", content_type="image/png", size=1, sha256="0" * 64))
            c.supervised = True
        s.flush()
        files = {c.id: s.scalar(select(Attachment.id).where(Attachment.case_id == c.id)) for c in (case, other)}
        levels.pass_down(s, policy, case, unit_actor(s, EASTERN), unit_id(s, STREET), "Go.", case.due_date)
        for who in (EASTERN, STREET, HOUSING):
            actor = unit_actor(s, who)
            assert queries.get_attachment(s, actor, files[case.id]).case_id == case.id
            with pytest.raises(NotFound):
                queries.get_attachment(s, actor, files[other.id])
            assert supervision.supervised_cases(s, scope=actor) == [case]
        through_parts = queries.part_case_ids(s, unit_actor(s, EASTERN))  # its street office's part counts
        assert case.id in through_parts and other.id not in through_parts
        assert queries.part_case_ids(s, unit_actor(s, WESTERN)) == []


def test_parts_are_reminded_and_chased_on_their_own_deadline(domain: Any) -> None:
    from cases.part_notices import send_part_notices

    policy = domain.policy
    settings = supervision.NoticeSettings(reminder_days_before=1, chase_days_after=1, escalate_days_after=3)
    with domain.sessions() as s:
        case = dispatched(s, policy, EASTERN, co=(HOUSING, TRANSPORT))
        parts = {p.unit.name: p for p in s.scalars(select(Assignment).where(Assignment.case_id == case.id))}
        levels.answer_part(s, policy, case, unit_actor(s, TRANSPORT), "Nothing for us.")
        due = parts[HOUSING].due_date
        on = policy.calendar.add_working_days(due, 1)  # the first working day after: a chase
        assert send_part_notices(s, policy, settings, today=on)["part_chase"] >= 1
        assert send_part_notices(s, policy, settings, today=on) == {"part_reminder": 0, "part_chase": 0}
        s.flush()
        mails = [o.payload for o in s.scalars(select(OutboxItem).where(OutboxItem.topic == "send_mail"))
                 if o.payload.get("notice") == "part_chase" and o.payload["case_id"] == case.id]
        assert [m["to"][0] for m in mails] == ["housing@units.example.org"] and case.number in mails[0]["body"]
        chased = s.scalars(select(Event).where(Event.case_id == case.id, Event.action.like("part_%"))).all()
        assert [(e.action, e.data["part"], e.actor_id) for e in chased] == [("part_chase", parts[HOUSING].id, None)]
        assert not case.supervised  # a late part chases its unit; it does not escalate the case


def test_figures_count_lead_co_and_passed_down_work_apart_and_each_level(domain: Any) -> None:
    from cases.statistics import Period
    from cases.statistics_levels import level_figures

    policy = domain.policy
    period = Period(policy.today() - timedelta(days=1), policy.today() + timedelta(days=1))

    def figures(s: Any) -> tuple[dict[str, Any], dict[int, int]]:
        rows, by_depth = level_figures(s, period, policy.timezone)
        return {r.unit: r for r in rows}, by_depth

    with domain.sessions() as s:
        before, depth_before = figures(s)
        shared = dispatched(s, policy, EASTERN, co=(HOUSING,))
        part = levels.pass_down(s, policy, shared, unit_actor(s, EASTERN), unit_id(s, STREET), "Go.",
                                shared.due_date)
        levels.answer_part(s, policy, shared, unit_actor(s, STREET), "Done.")
        levels.send_back_part(s, policy, shared, unit_actor(s, EASTERN), part.id, "More detail.")
        levels.answer_part(s, policy, shared, unit_actor(s, STREET), "Done, with detail.")
        levels.accept_part(s, policy, shared, unit_actor(s, EASTERN), part.id)
        levels.answer_part(s, policy, shared, unit_actor(s, HOUSING), "Our part.")
        services.give_feedback(s, policy, shared, unit_actor(s, EASTERN), "All done.")
        dispatched(s, policy, STREET, subject="Straight to the street office")
        s.flush()
        after, depth_after = figures(s)

    def delta(unit: str, name: str) -> int:
        return getattr(after[unit], name) - getattr(before[unit], name)

    assert [delta(EASTERN, n) for n in ("lead", "lead_answered", "lead_on_time", "co_parts", "sub_parts")] == [
        1, 1, 1, 0, 0]
    assert [delta(HOUSING, n) for n in ("lead", "co_parts", "co_answered", "co_on_time")] == [0, 1, 1, 1]
    assert [delta(STREET, n) for n in ("lead", "sub_parts", "sub_answered", "sub_on_time", "sent_back")] == [
        1, 1, 1, 1, 1]
    # each case counts for each level: the street office's two cases are the district's too
    assert [delta(EASTERN, "own"), delta(EASTERN, "at_or_below")] == [1, 2]
    assert [delta(STREET, "own"), delta(STREET, "at_or_below")] == [2, 2]
    assert after[STREET].depth == after[EASTERN].depth + 1 == 1
    assert depth_after[0] - depth_before.get(0, 0) == 1  # the shared case, at the top level (district, bureau)
    assert depth_after[1] - depth_before.get(1, 0) == 2  # both cases reached the street office's level


@pytest.mark.parametrize("emergency", [False, True])
def test_co_handling_parts_fall_due_before_the_lead_even_on_an_emergency(domain: Any, emergency: bool) -> None:
    from dataclasses import replace
    from datetime import datetime, timezone

    # 09:00 in the office on a Wednesday: an emergency's twelve hours end tonight, the lead is due today
    policy = replace(domain.policy, clock=lambda: datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc))
    with domain.sessions() as s:
        clerk = actor_for(s, "clerk")
        case = new_case(s, policy)
        services.register(s, policy, case, clerk, category_id=a_category(s), major_emergency=emergency,
                          note="Gas smell in the street." if emergency else "")
        services.dispatch(s, policy, case, clerk, unit_id(s, EASTERN), co_unit_ids=[unit_id(s, HOUSING)])
        part = s.scalar(select(Assignment).where(Assignment.case_id == case.id))
        assert policy.today() <= part.due_date <= case.due_date
        if emergency:
            assert case.due_date == part.due_date == policy.today()
        else:  # ten working days to answer: the part is due two working days before the lead's
            assert policy.calendar.working_days_between(part.due_date, case.due_date) == policy.co_part_margin_days


def test_a_reopened_case_goes_down_again_to_the_same_street_office(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = dispatched(s, policy, EASTERN)
        district, street = unit_actor(s, EASTERN), unit_actor(s, STREET)
        first = levels.pass_down(s, policy, case, district, unit_id(s, STREET), "Go.", case.due_date)
        levels.answer_part(s, policy, case, street, "Done.")
        levels.accept_part(s, policy, case, district, first.id)
        services.give_feedback(s, policy, case, district, "Done.")
        services.reply(s, policy, case, actor_for(s, "clerk"), body="Done.", channel="email")
        services.close(s, policy, case, actor_for(s, "clerk"), "unsatisfied", "Still broken.")
        assert case.status == Status.ACCEPTED
        second = levels.pass_down(s, policy, case, district, unit_id(s, STREET), "Look again.", case.due_date)
        assert not first.active and first.state == ACCEPTED and second.active and second.state == OPEN
        assert sees(s, STREET, case)
        with pytest.raises(ValidationError, match="already"):
            levels.pass_down(s, policy, case, district, unit_id(s, STREET), "Once more.", case.due_date)
