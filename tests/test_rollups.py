"""The statistics rollups against a full recount, on SQLite and PostgreSQL: random workflows (hypothesis) leave
them equal to counting the cases again, and every figure read from them equals the figure counted from the
cases; a rolled back change leaves them as they were; the rebuild and the check work from the command line."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from cases import intake, rollups_build, services, statistics, supervision
from cases.actors import Actor
from cases.figures import same_figures
from cases.drafts import Channel, LetterDraft
from cases.errors import CaseError
from cases.models import Case, Category, Unit, User
from cases.models_rollups import StatCase, StatState
from cases.statistics_desk import desk_shares
from cases.topics import period_texts

KINDS = ["consultation", "report", "suggestion", "help", "complaint", "praise"]
STEPS = ["new", "register", "dispatch", "accept", "feedback", "reply", "close", "return", "reopen", "direct",
         "rate", "merge", "invalid", "extension", "supervise", "recategorise", "rollback"]


def actor(session: Any, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def _new_case(session: Any, policy: Any, *, hours_ago: int = 0, channel: Channel = Channel.WEB,
              kind: str = "report", category: str | None = "Transport", urgent: bool = False) -> None:
    draft = LetterDraft(channel=channel, subject="A street light is out", body="Please fix it.", kind=kind,
                        category=category, sender_name="Ana Ruiz", sender_email="ana@example.org",
                        received_at=datetime.now(timezone.utc) - timedelta(hours=hours_ago), urgent=urgent)
    intake.receive(session, policy, draft)


def _step(session: Any, policy: Any, data: st.DataObject, step: str) -> None:
    """One workflow step on a random case; a step the workflow refuses changes nothing that is kept."""
    if step == "new":
        _new_case(session, policy, hours_ago=data.draw(st.integers(0, 70 * 24)),
                  channel=data.draw(st.sampled_from(list(Channel))), kind=data.draw(st.sampled_from(KINDS)),
                  category=data.draw(st.sampled_from([None, "Transport", "Environment", "Housing"])),
                  urgent=data.draw(st.booleans()))
        return
    ids = list(session.scalars(select(Case.id).order_by(Case.id)))

    def pick(choices: list[int]) -> int:  # by position: the choices grow from one example to the next
        return choices[data.draw(st.integers(0, 10_000)) % len(choices)]

    # Mostly one of the newest cases, so that a workflow gets far (dispatched, signed for, returned, closed...).
    case = session.get(Case, pick(ids[-2:] if data.draw(st.integers(0, 3)) else ids))
    clerk, transport = actor(session, "clerk"), actor(session, "transport")
    supervisor = actor(session, "supervisor")
    units = list(session.scalars(select(Unit.id).where(Unit.active).order_by(Unit.id)))
    unit_actor = Actor(user_id=transport.user_id, role="unit", unit_id=case.unit_id or transport.unit_id,
                       name=transport.name)
    rating = data.draw(st.sampled_from(["satisfied", "basically", "dissatisfied"]))
    actions = {
        "register": lambda: services.register(session, policy, case, clerk, urgent=data.draw(st.booleans())),
        "dispatch": lambda: services.dispatch(session, policy, case, clerk, pick(units)),
        "accept": lambda: services.accept(session, policy, case, unit_actor),
        "feedback": lambda: services.give_feedback(session, policy, case, unit_actor, "Done."),
        "reply": lambda: services.reply(session, policy, case, clerk, body="We fixed it.", channel="phone"),
        "close": lambda: services.close(session, policy, case, clerk, rating),
        "return": lambda: services.return_to_desk(session, policy, case, unit_actor, "Not ours."),
        "reopen": lambda: services.reopen(session, policy, case, clerk, "The citizen called again."),
        "direct": lambda: services.answer_directly(session, policy, case, clerk, body="Here is how.",
                                                   channel="call"),
        "rate": lambda: services.rate(session, policy, case, clerk, rating),
        "merge": lambda: services.merge(session, policy, case, session.get(Case, pick(ids)),
                                        clerk),
        "invalid": lambda: services.mark_invalid(session, policy, case, clerk, "Spam."),
        "extension": lambda: services.request_extension(session, policy, case, unit_actor, 3, "Need a survey."),
        "supervise": lambda: supervision.supervise(session, policy, case, supervisor, "Too slow."),
        "recategorise": lambda: services.register(
            session, policy, case, clerk, category_id=pick(
                list(session.scalars(select(Category.id).order_by(Category.id))))),
    }
    if step == "rollback":
        case.supervised = not case.supervised
        case.unit_id = pick(units)
        session.flush()
        session.rollback()
        return
    try:
        with session.begin_nested():
            actions[step]()
    except CaseError:
        pass  # the workflow refused: the savepoint is rolled back


def figures(session: Any, policy: Any) -> dict[str, Any]:
    tz, today = policy.timezone, policy.today()
    out: dict[str, Any] = {}
    for days in (1, 7, 30, 95):
        period = statistics.Period.parse(None, None, default_days=days, today=today)
        out[f"performance {days}"] = statistics.unit_performance(session, period, tz)
        out[f"monthly units {days}"] = statistics.monthly_figures(session, period, tz, per_unit=True)
        out[f"monthly office {days}"] = statistics.monthly_figures(session, period, tz, per_unit=False)
        for by in statistics.SPLITS:
            out[f"per day {by} {days}"] = statistics.cases_per_day(session, period, tz, by)
        out[f"total {days}"] = statistics.total_cases(session, period, tz)
        out[f"categories {days}"] = statistics.top_categories(session, period, tz)
        out[f"districts {days}"] = statistics.top_districts(session, period, tz)
        out[f"desk {days}"] = desk_shares(session, period, tz)
    for offset in (-3, 0, 20):
        out[f"deadlines {offset}"] = supervision.unit_deadlines(session, policy, today + timedelta(days=offset))
    return out


def assert_rollups_match_the_recount(domain: Any) -> None:
    with domain.sessions() as s:
        result = rollups_build.check(s)
        assert result.zone == domain.policy.timezone and result.cases > 0
        assert result.ok, result.as_dict()
        kept = figures(s, domain.policy)
        assert statistics.source(s, domain.policy.timezone) is statistics.statistics_rollup
    with domain.sessions(info={statistics.COUNT_FROM_CASES: True}) as s:
        counted = figures(s, domain.policy)
        assert statistics.source(s, domain.policy.timezone) is statistics.statistics_recount
    assert kept.keys() == counted.keys()
    for name in kept:
        assert same_figures(kept[name], counted[name]), (name, kept[name], counted[name])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=24), data=st.data())
def test_random_workflows_keep_the_rollups_equal_to_a_recount(domain: Any, steps: list[str],
                                                              data: st.DataObject) -> None:
    with domain.sessions() as s:
        for step in steps:
            _step(s, domain.policy, data, step)
            if data.draw(st.booleans()):
                s.commit()
        s.commit()
    assert_rollups_match_the_recount(domain)


def test_a_change_and_a_query_in_one_transaction_see_the_change(domain: Any) -> None:
    """The figures read inside a transaction include its own changes, written without the ORM too."""
    policy = domain.policy
    period = statistics.Period.parse(None, None, default_days=30, today=policy.today())
    with domain.sessions() as s:
        before = statistics.total_cases(s, period, policy.timezone)
        _new_case(s, policy)
        assert statistics.total_cases(s, period, policy.timezone) == before + 1
        s.rollback()
        assert statistics.total_cases(s, period, policy.timezone) == before
    assert_rollups_match_the_recount(domain)


def test_a_change_the_rollups_missed_is_found_by_the_check_and_mended_by_a_rebuild(domain: Any) -> None:
    with domain.sessions() as s:
        # Written behind the rollups' back, as a bug would: the check must see it.
        s.connection().execute(update(Case).values(supervised=True))
        s.commit()
        result = rollups_build.check(s)
        assert not result.ok and result.case_differences and result.day_differences
        assert rollups_build.rebuild(s, domain.policy.timezone) == s.scalar(select(text("count(*)"))
                                                                           .select_from(Case.__table__))
        s.commit()
        assert rollups_build.check(s).ok
    assert_rollups_match_the_recount(domain)


def test_unbuilt_rollups_are_neither_kept_nor_read(domain: Any) -> None:
    policy = domain.policy
    period = statistics.Period.parse(None, None, default_days=30, today=policy.today())
    with domain.sessions() as s:
        s.execute(update(StatState).values(zone=None))
        s.commit()
        kept_cases = s.scalar(select(text("count(*)")).select_from(StatCase.__table__))
        _new_case(s, policy)
        s.commit()
        assert statistics.source(s, policy.timezone) is statistics.statistics_recount
        assert s.scalar(select(text("count(*)")).select_from(StatCase.__table__)) == kept_cases
        total = statistics.total_cases(s, period, policy.timezone)
        rollups_build.rebuild(s, policy.timezone)
        s.commit()
        assert statistics.source(s, policy.timezone) is statistics.statistics_rollup
        assert statistics.total_cases(s, period, policy.timezone) == total
        # Another zone than the rollups' is counted from the cases.
        assert statistics.source(s, "Europe/Madrid") is statistics.statistics_recount


def test_stats_commands_rebuild_and_check(app: Any, demo_data: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "check", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True
    with app.extensions["mayors_mailbox"].sessions() as s:
        s.connection().execute(update(Case).values(urgent=True))
        s.commit()
    result = runner.invoke(args=["stats", "check"])
    assert result.exit_code == 1 and "DIFFER" in result.output
    result = runner.invoke(args=["stats", "rebuild", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["cases"] > 0
    assert runner.invoke(args=["stats", "check"]).exit_code == 0


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite plans no parallel workers
def test_dashboard_reads_are_planned_without_parallel_workers(domain: Any) -> None:
    """A rollup query reads tens of thousands of rows at most, the rising topics the newest letters of a period:
    on PostgreSQL the transaction that reads them plans without parallel workers (their start costs more than
    they share), and only that transaction."""
    policy = domain.policy
    period = statistics.Period.parse(None, None, default_days=30, today=policy.today())
    with domain.sessions() as s:
        default = s.scalar(text("SHOW max_parallel_workers_per_gather"))
        assert default != "0"
        statistics.unit_performance(s, period, policy.timezone)
        assert s.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
        s.rollback()
        assert s.scalar(text("SHOW max_parallel_workers_per_gather")) == default
        period_texts(s, period, policy.timezone)
        assert s.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
        s.rollback()
