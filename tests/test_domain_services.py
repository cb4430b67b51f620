"""Services end to end on SQLite and PostgreSQL: life cycle, clocks, merge, confinement, numbering."""
from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cases import intake, queries, services
from cases.actors import Actor
from cases.db import make_engine, make_session_factory
from cases.errors import NotFound, ValidationError
from cases.models import Case, Event, OutboxItem, Unit
from cases.queries import CaseFilter
from cases.workflow import Status
from tests.helpers.workflow import actor_for, new_case
from tests.conftest import a_category


def unit_id(session: Any, name: str) -> int:
    return session.scalar(select(Unit.id).where(Unit.name == name))


def test_full_life_cycle_records_every_step(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = new_case(s, policy, kind="consultation")
        clerk, handler = actor_for(s, "clerk"), actor_for(s, "transport")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, unit_id(s, "Transport Bureau"), category_id=a_category(s))
        assert case.due_date == policy.calendar.add_working_days(policy.today(), 3)
        services.accept(s, policy, case, handler)
        services.give_feedback(s, policy, case, handler, "The bus stop was moved back.")
        reply = services.reply(s, policy, case, clerk, body="Dear Chen, the bus stop is back.")
        services.close(s, policy, case, clerk, "basically")
        s.commit()
        actions = [e.action for e in s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))]
        assert actions == ["received", "register", "dispatch", "deadline", "accept", "feedback", "reply", "close"]
        assert case.status == Status.CLOSED and case.satisfaction.value == "basically"
        assert reply.channel == "email" and reply.status == "pending"
        topics = {o.topic for o in s.scalars(select(OutboxItem))}
        # The demo's articles are indexed too; the citizen has an email address: the survey goes out by email.
        assert topics == {"index_case", "send_mail", "email_survey", "index_article"}


def test_return_and_extension_move_the_clock_and_say_so(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = new_case(s, policy, kind="complaint")
        clerk, handler, boss = actor_for(s, "clerk"), actor_for(s, "transport"), actor_for(s, "supervisor")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, unit_id(s, "Transport Bureau"), category_id=a_category(s))
        services.return_to_desk(s, policy, case, handler, "This is a housing matter.")
        assert case.status == Status.RETURNED and case.unit_id is None
        assert case.due_date == policy.calendar.add_working_days(policy.today(), 1)
        services.dispatch(s, policy, case, clerk, unit_id(s, "Housing and Urban-Rural Development Bureau"),
                          category_id=a_category(s))
        housing = actor_for(s, "housing")
        services.accept(s, policy, case, housing)
        due = case.due_date
        services.request_extension(s, policy, case, housing, 5, "Needs a site visit.")
        services.decide_extension(s, policy, case, boss, True, "ok")
        assert case.due_date == policy.calendar.add_working_days(due, 5)
        clock = [e.data for e in case.events if e.action == "deadline"]
        assert len(clock) == 4 and clock[-1]["to"] == case.due_date.isoformat()
        with pytest.raises(ValidationError):
            services.decide_extension(s, policy, case, boss, True)


def test_unsatisfied_rating_reopens_to_the_unit(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = new_case(s, policy)
        clerk, handler = actor_for(s, "clerk"), actor_for(s, "transport")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, unit_id(s, "Transport Bureau"), category_id=a_category(s))
        services.accept(s, policy, case, handler)
        services.give_feedback(s, policy, case, handler, "Done.")
        services.reply(s, policy, case, clerk, body="Done.", channel="post")
        services.close(s, policy, case, Actor(None, "citizen"), "unsatisfied", "Nothing changed.")
        assert case.status == Status.ACCEPTED and case.unit_id == handler.unit_id
        assert case.due_date is not None


def test_merge_and_invalid_keep_everything(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        main, dup, spam = new_case(s, policy), new_case(s, policy), new_case(s, policy)
        clerk = actor_for(s, "clerk")
        services.merge(s, policy, dup, main, clerk, "same pothole")
        services.mark_invalid(s, policy, spam, clerk, "advertising")
        with pytest.raises(ValidationError):
            services.mark_invalid(s, policy, new_case(s, policy), clerk, "  ")
        with pytest.raises(ValidationError):
            services.merge(s, policy, main, main, clerk)
        s.commit()
        assert dup.status == Status.MERGED and dup.merged_into_id == main.id
        assert any(e.action == "merged_in" for e in main.events)
        assert spam.status == Status.INVALID and s.get(Case, spam.id) is not None


def test_units_see_only_their_own_cases(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        clerk = actor_for(s, "clerk")
        mine, theirs = new_case(s, policy), new_case(s, policy)
        for case, unit in ((mine, "Transport Bureau"), (theirs, "Housing and Urban-Rural Development Bureau")):
            services.register(s, policy, case, clerk)
            services.dispatch(s, policy, case, clerk, unit_id(s, unit), category_id=a_category(s))
        s.commit()
        handler = actor_for(s, "transport")
        rows, total = queries.list_cases(s, handler, CaseFilter(), today=policy.today())
        assert theirs.number not in {c.number for c in rows} and mine.number in {c.number for c in rows}
        assert total == len(rows)
        with pytest.raises(NotFound):
            queries.get_case(s, handler, theirs.number)
        with pytest.raises(NotFound):
            services.accept(s, policy, theirs, handler)


def test_overdue_is_marked(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        case = new_case(s, policy)
        case.due_date = policy.today() - timedelta(days=1)
        s.commit()
        rows, _ = queries.list_cases(s, actor_for(s, "supervisor"), CaseFilter(overdue_only=True),
                                     today=policy.today())
        assert [c.number for c in rows] == [case.number]
        assert queries.is_overdue(case, policy.today())


def test_tracking_needs_number_and_code(domain: Any) -> None:
    with domain.sessions() as s:
        case = new_case(s, domain.policy)
        s.commit()
        assert queries.track(s, case.number, case.tracking_code.lower().replace("-", " ")).id == case.id
        with pytest.raises(NotFound) as wrong_code:
            queries.track(s, case.number, "AAAA-BBBB-CC")
        with pytest.raises(NotFound) as unknown:
            queries.track(s, "1999-000001", case.tracking_code)
        assert str(wrong_code.value) == str(unknown.value)


def test_case_numbers_are_unique_under_concurrent_creation(domain: Any) -> None:
    engine = make_engine(domain.url)
    sessions = make_session_factory(engine)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def create(n: int) -> None:
        try:
            for _ in range(n):
                with sessions() as s:
                    case = new_case(s, domain.policy)
                    s.commit()
                    with lock:
                        numbers.append(case.number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(10,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert not errors
    assert len(numbers) == 40 and len(set(numbers)) == 40
    serials = sorted(int(n.split("-")[1]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + 40))


def test_duplicate_drafts_are_skipped(domain: Any) -> None:
    from cases.drafts import Channel, LetterDraft

    with domain.sessions() as s:
        draft = LetterDraft(channel=Channel.EMAIL, subject="Hi", body="x", external_id="<a@b>", raw_sha256="f" * 64)
        first = intake.receive(s, domain.policy, draft)
        again = intake.receive(s, domain.policy, draft)
        assert first.outcome == "new_case" and again.outcome == "duplicate"


def test_tracking_codes_in_a_block_have_the_single_codes_form() -> None:
    from cases.numbering import new_tracking_code, new_tracking_codes, normalise_tracking_code

    form = re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{2}\Z")  # no 0/O, 1/I
    block = new_tracking_codes(500)
    assert len(block) == 500 and len(set(block)) == 500
    assert all(form.match(code) for code in [*block, new_tracking_code()])
    assert all(normalise_tracking_code(code.lower().replace("-", " ")) == code for code in block[:20])
    letters = {ch for code in block for ch in code.replace("-", "")}
    assert len(letters) == 32  # 5,000 draws use every letter of the alphabet
