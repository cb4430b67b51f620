"""The workflow table, walked pair by pair through the services, on SQLite and PostgreSQL."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cases import assignment, events, returns, services
from cases.errors import TransitionError
from cases.models import Case, CaseKind, Reply, Satisfaction, Unit, User
from cases.workflow import TRANSITIONS, Action, Status
from tests.conftest import a_category
from tests.helpers.workflow import actor_for, new_case


def run_action(session: Any, policy: Any, case: Case, action: Action) -> None:
    """Call the service behind ``action`` with a user whose role the table allows (or a desk user otherwise)."""
    transport = session.scalar(select(Unit).where(Unit.name == "Transport Bureau"))
    roles = {rule_roles for (_s, a), rule in TRANSITIONS.items() if a == action for rule_roles in rule.roles}
    if "unit" in roles:
        actor = actor_for(session, "transport")
        case.unit_id = transport.id
    elif roles <= {"supervisor", "admin"}:
        actor = actor_for(session, "supervisor")
    else:
        actor = actor_for(session, "clerk")
    other = new_case(session, policy, subject="Main case")
    if action in (Action.DISPUTE_RETURN, Action.UPHOLD_RETURN, Action.OVERRULE_RETURN):
        events.record(session, case, actor_for(session, "transport"), "return", note="not ours",
                      data={"unit_id": transport.id})
    if action == Action.ASSIGN:
        head = session.get(User, actor.user_id)
        head.unit_head = True
        handler = User(username="transport-2", password_hash="-", role=head.role, unit_id=transport.id)
        session.add(handler)
        session.flush()
    calls = {
        Action.REGISTER: lambda: services.register(session, policy, case, actor),
        Action.DISPATCH: lambda: services.dispatch(session, policy, case, actor, transport.id,
                                                   category_id=a_category(session)),
        Action.ACCEPT: lambda: services.accept(session, policy, case, actor),
        Action.RETURN: lambda: services.return_to_desk(session, policy, case, actor, "not ours"),
        Action.FEEDBACK: lambda: services.give_feedback(session, policy, case, actor, "Fixed."),
        Action.REPLY: lambda: services.reply(session, policy, case, actor, body="Dear citizen"),
        Action.CLOSE: lambda: services.close(session, policy, case, actor, "satisfied"),
        Action.REOPEN: lambda: services.reopen(session, policy, case, actor, "again"),
        Action.MARK_INVALID: lambda: services.mark_invalid(session, policy, case, actor, "spam"),
        Action.MERGE: lambda: services.merge(session, policy, case, other, actor),
        Action.REQUEST_EXTENSION: lambda: services.request_extension(session, policy, case, actor, 3, "busy"),
        Action.APPROVE_EXTENSION: lambda: services.decide_extension(session, policy, case, actor, True),
        Action.REJECT_EXTENSION: lambda: services.decide_extension(session, policy, case, actor, False),
        Action.APPROVE_REPLY: lambda: services.approve_reply(session, policy, case, actor),
        Action.RETURN_REPLY: lambda: services.return_reply(session, policy, case, actor, "shorter, please"),
        Action.ANSWER_DIRECTLY: lambda: services.answer_directly(session, policy, case, actor,
                                                                 body="Bring your ID card.", channel="call"),
        Action.RATE: lambda: services.rate(session, policy, case, actor, "satisfied"),
        Action.REOPEN_AT_DESK: lambda: services.reopen_at_desk(session, policy, case, actor, "not answered"),
        Action.DISPUTE_RETURN: lambda: returns.dispute_return(session, policy, case, actor, "it is theirs"),
        Action.UPHOLD_RETURN: lambda: returns.rule_on_dispute(session, policy, case, actor, upheld=True,
                                                              note="the unit is right"),
        Action.OVERRULE_RETURN: lambda: returns.rule_on_dispute(session, policy, case, actor, upheld=False,
                                                                note="it is the unit's"),
        Action.RECALL: lambda: returns.recall(session, policy, case, actor, "sent to the wrong unit"),
        Action.ASSIGN: lambda: assignment.assign(session, policy, case, actor, handler.id),
    }
    if action == Action.ANSWER_DIRECTLY:
        case.kind = CaseKind.CONSULTATION
    if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        case.extension_requested_days = 2
    if action in (Action.APPROVE_REPLY, Action.RETURN_REPLY):
        session.add(Reply(case=case, channel="email", body="Draft", status="awaiting_approval"))
    calls[action]()


@pytest.mark.parametrize("status", list(Status))
def test_every_status_action_pair_follows_the_table(domain: Any, status: Status) -> None:
    for action in Action:
        with domain.sessions() as session:
            case = new_case(session, domain.policy)
            case.status = status
            session.flush()
            rule = TRANSITIONS.get((status, action))
            if rule is None:
                with pytest.raises(TransitionError):
                    run_action(session, domain.policy, case, action)
                assert case.status == status
            else:
                run_action(session, domain.policy, case, action)
                session.flush()
                expected = rule.target
                if action == Action.CLOSE:
                    expected = Status.CLOSED  # a satisfied rating keeps it closed
                assert case.status == expected, (status, action)
                if action == Action.RATE:
                    assert case.satisfaction == Satisfaction.SATISFIED
            session.rollback()


def test_wrong_role_is_refused_with_a_clear_message(domain: Any) -> None:
    with domain.sessions() as session:
        case = new_case(session, domain.policy)
        unit_user = actor_for(session, "transport")
        case.unit_id = unit_user.unit_id  # even on a case of its own unit, registering is the desk's job
        with pytest.raises(TransitionError, match="may not register"):
            services.register(session, domain.policy, case, unit_user)
        clerk = actor_for(session, "clerk")
        case.unit_id = None
        services.register(session, domain.policy, case, clerk)
        transport = session.scalar(select(Unit).where(Unit.name == "Transport Bureau"))
        services.dispatch(session, domain.policy, case, clerk, transport.id, category_id=a_category(session))
        with pytest.raises(TransitionError, match="may not accept"):
            services.accept(session, domain.policy, case, clerk)
