"""Returns and reassignment in the domain, on SQLite and PostgreSQL: a disputed return ruled on by a supervisor
(upheld or overruled, and counted in the unit's figures), and a recall from the wrong unit with a new dispatch."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cases import queries, returns, services, statistics
from cases.errors import NotFound, TransitionError, ValidationError
from cases.queries import CaseFilter
from cases.workflow import Status
from tests.helpers.returns import actor, unit, dispatched


def test_a_disputed_return_upheld_stays_with_the_desk(domain: Any) -> None:
    with domain.sessions() as session:
        policy = domain.policy
        case = dispatched(session, policy)
        transport = actor(session, "transport")
        services.return_to_desk(session, policy, case, transport, "Shelters belong to the district.")
        with pytest.raises(ValidationError, match="reason"):
            returns.dispute_return(session, policy, case, actor(session, "clerk"), "  ")
        returns.dispute_return(session, policy, case, actor(session, "clerk"), "Shelters are the bureau's.")
        assert case.status == Status.DISPUTED and case.unit_id is None
        with pytest.raises(TransitionError):  # the ruling is the supervisors'
            returns.rule_on_dispute(session, policy, case, actor(session, "clerk"), upheld=True, note="x")
        waiting = returns.awaiting_ruling(session)
        assert [(d.case.number, d.unit.name, d.return_reason, d.dispute_reason) for d in waiting] == [
            (case.number, unit(session, "Transport").name, "Shelters belong to the district.",
             "Shelters are the bureau's.")]
        returns.rule_on_dispute(session, policy, case, actor(session, "supervisor"), upheld=True,
                                note="The district maintains shelters.")
        session.flush()
        assert case.status == Status.RETURNED and case.unit_id is None
        assert returns.awaiting_ruling(session) == []
        ruling = [e for e in case.events if e.action == "uphold_return"]
        assert len(ruling) == 1 and ruling[0].note == "The district maintains shelters."
        with pytest.raises(NotFound):
            queries.get_case(session, transport, case.number)
        services.dispatch(session, policy, case, actor(session, "clerk"), unit(session, "Housing").id)
        assert case.status == Status.DISPATCHED


def test_an_overruled_return_goes_back_to_the_unit_with_its_old_deadline(domain: Any) -> None:
    with domain.sessions() as session:
        policy = domain.policy
        case = dispatched(session, policy)
        transport = actor(session, "transport")
        services.accept(session, policy, case, transport)
        session.flush()
        held = (case.due_date, case.due_at, case.signed_at, case.sign_due_at, case.deadline_basis)
        services.return_to_desk(session, policy, case, transport, "Not ours.")
        assert case.due_date != held[0] or case.unit_id is None
        returns.dispute_return(session, policy, case, actor(session, "clerk"), "It is: bus stops are yours.")
        with pytest.raises(ValidationError, match="reason"):
            returns.rule_on_dispute(session, policy, case, actor(session, "supervisor"), upheld=False, note="")
        returns.rule_on_dispute(session, policy, case, actor(session, "supervisor"), upheld=False,
                                note="Bus stops are the Transport Bureau's.")
        session.flush()
        assert case.status == Status.ACCEPTED and case.unit_id == transport.unit_id
        assert (case.due_date, case.due_at, case.signed_at, case.sign_due_at, case.deadline_basis) == held
        assert queries.get_case(session, transport, case.number).id == case.id
        actions = [e.action for e in case.events]
        assert actions[-2:] == ["overrule_return", "deadline"]
        ruling = next(e for e in case.events if e.action == "overrule_return")
        assert ruling.note == "Bus stops are the Transport Bureau's." and ruling.data["unit_id"] == transport.unit_id
        session.commit()
        today = policy.today()
        period = statistics.Period(today - timedelta(days=1), today + timedelta(days=1))
        figures = {r.unit: r for r in statistics.unit_performance(session, period, policy.timezone)}
        assert figures[unit(session, "Transport").name].returns_overruled == 1
        assert figures[unit(session, "Transport").name].returned == 1
        assert figures[unit(session, "Housing").name].returns_overruled == 0
        assert "returns_overruled" in statistics.PERFORMANCE_COLUMNS
        ordered = statistics.unit_performance(session, period, policy.timezone, sort="returns_overruled",
                                              descending=True)
        assert ordered[0].unit == unit(session, "Transport").name


def test_only_a_case_a_unit_returned_can_be_disputed(domain: Any) -> None:
    with domain.sessions() as session:
        case = dispatched(session, domain.policy)
        case.status = Status.RETURNED  # returned without a unit's return event: nothing to dispute
        with pytest.raises(ValidationError, match="not returned by a unit"):
            returns.dispute_return(session, domain.policy, case, actor(session, "clerk"), "why")


def test_recall_from_the_wrong_unit_and_dispatch_again(domain: Any) -> None:
    with domain.sessions() as session:
        policy = domain.policy
        case = dispatched(session, policy, "Housing")
        housing, transport, clerk = actor(session, "housing"), actor(session, "transport"), actor(session, "clerk")
        services.accept(session, policy, case, housing)
        services.request_extension(session, policy, case, housing, 2, "busy")
        with pytest.raises(ValidationError, match="reason"):
            returns.recall(session, policy, case, clerk, "")
        with pytest.raises(ValidationError, match="another unit"):
            returns.redispatch(session, policy, case, clerk, "wrong unit", case.unit_id)
        with pytest.raises(TransitionError):
            returns.recall(session, policy, case, housing, "units do not recall")
        returns.redispatch(session, policy, case, clerk, "Bus stops are transport's.", unit(session, "Transport").id,
                           "Repair the shelter.")
        session.commit()
        assert case.status == Status.DISPATCHED and case.unit_id == transport.unit_id
        assert case.extension_requested_days is None and case.signed_at is None
        recall, again = [e for e in case.events if e.action in ("recall", "dispatch")][-2:]
        assert (recall.action, recall.note, recall.actor_id, recall.data["unit_id"]) == (
            "recall", "Bus stops are transport's.", clerk.user_id, housing.unit_id)
        assert (again.action, again.note, again.actor_id, again.data["unit"]) == (
            "dispatch", "Repair the shelter.", clerk.user_id, unit(session, "Transport").name)
        assert recall.at <= again.at and recall.internal
        # The first unit has lost the case everywhere it could look; the new unit has it.
        with pytest.raises(NotFound):
            queries.get_case(session, housing, case.number)
        rows, total = queries.list_cases(session, housing, CaseFilter(), today=policy.today())
        assert case not in rows and total == len(rows)  # the demo still gives the unit a co-handled case
        assert queries.get_case(session, transport, case.number).id == case.id


def test_recall_alone_leaves_the_case_at_the_desk_and_not_after_feedback(domain: Any) -> None:
    with domain.sessions() as session:
        policy = domain.policy
        case = dispatched(session, policy)
        clerk, transport = actor(session, "clerk"), actor(session, "transport")
        returns.redispatch(session, policy, case, clerk, "Wrong unit.", None)
        assert case.status == Status.REGISTERED and case.unit_id is None and case.due_date is not None
        services.dispatch(session, policy, case, clerk, unit(session, "Transport").id)
        services.accept(session, policy, case, transport)
        services.give_feedback(session, policy, case, transport, "Repaired.")
        with pytest.raises(TransitionError):
            returns.recall(session, policy, case, clerk, "too late")
        case.status = Status.ACCEPTED  # as after the citizen reopened it: the unit has answered already
        with pytest.raises(ValidationError, match="already given feedback"):
            returns.recall(session, policy, case, clerk, "too late")
