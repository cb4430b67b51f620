"""The workflow table, walked pair by pair through the services, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cases import assignment, cohandling, events, levels, returns, services
from cases.actors import Actor
from cases.errors import TransitionError
from cases.models import Case, CaseKind, Reply, Satisfaction, Unit, User
from cases.models_levels import ANSWERED, CO, OPEN, SUB, Assignment
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
    calls.update(_part_calls(session, policy, case, action))
    if action == Action.ANSWER_DIRECTLY:
        case.kind = CaseKind.CONSULTATION
    if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        case.extension_requested_days = 2
    if action in (Action.APPROVE_REPLY, Action.RETURN_REPLY):
        session.add(Reply(case=case, channel="email", body="Draft", status="awaiting_approval"))
    calls[action]()


def _part_calls(session: Any, policy: Any, case: Case, action: Action) -> dict[Action, Any]:
    """The actions on parts of a case (cases.levels, cases.cohandling), each with the part it needs: the Eastern
    District co-handles the Transport Bureau's case, or leads one whose part it passed down to its street office."""
    if action not in PART_ACTIONS:
        return {}
    unit_ids = dict(session.execute(select(Unit.name, Unit.id)).all())
    eastern, street = unit_ids["Eastern District"], unit_ids["Jiefang Road Street Office"]
    district = Actor(user_id=None, role="unit", unit_id=eastern, name="Eastern District")
    today = policy.today()
    if action in (Action.ACCEPT_PART, Action.SEND_BACK_PART):
        case.unit_id = eastern
        part = Assignment(case=case, unit_id=street, role=SUB, from_unit_id=eastern, due_date=today, state=ANSWERED,
                          active=True, answer="Done.", instructions="Go.", review_note="")
    else:
        part = Assignment(case=case, unit_id=eastern, role=CO, from_unit_id=case.unit_id,
                          due_date=today + timedelta(days=30), state=OPEN, active=True, answer="", instructions="",
                          review_note="")
    session.add(part)
    session.flush()
    chaser = actor_for(session, "transport")
    return {
        Action.PASS_DOWN: lambda: levels.pass_down(session, policy, case, district, street, "Measure it.", today),
        Action.ANSWER_PART: lambda: levels.answer_part(session, policy, case, district, "Our part."),
        Action.ACCEPT_PART: lambda: levels.accept_part(session, policy, case, district, part.id),
        Action.SEND_BACK_PART: lambda: levels.send_back_part(session, policy, case, district, part.id, "Redo."),
        Action.CHASE_PART: lambda: cohandling.chase_part(session, policy, case, chaser, part.id),
    }


PART_ACTIONS = {Action.PASS_DOWN, Action.ANSWER_PART, Action.ACCEPT_PART, Action.SEND_BACK_PART, Action.CHASE_PART}


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
        with pytest.raises(TransitionError, match="may not take the action “register”"):
            services.register(session, domain.policy, case, unit_user)
        clerk = actor_for(session, "clerk")
        case.unit_id = None
        services.register(session, domain.policy, case, clerk)
        transport = session.scalar(select(Unit).where(Unit.name == "Transport Bureau"))
        services.dispatch(session, domain.policy, case, clerk, transport.id, category_id=a_category(session))
        with pytest.raises(TransitionError, match="may not take the action “accept”"):
            services.accept(session, domain.policy, case, clerk)
