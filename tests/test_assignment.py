"""A handler inside the unit, in the domain on SQLite and PostgreSQL: the unit's head assigns and reassigns,
nobody else does, handlers find "mine", and a case that leaves the unit leaves its handler too."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cases import accounts, assignment, returns, services
from cases.errors import NotFound, TransitionError, ValidationError
from cases.models import User
from cases.queries import CaseFilter, list_cases
from cases.workflow import Status
from tests.helpers.returns import actor, dispatched, unit
from web.auth import Argon2idHasher


def add_handler(session: Any, username: str, unit_name: str, head: bool = False) -> User:
    user = accounts.create_user(session, Argon2idHasher("CHEAPEST"), username=username,
                                password="a long enough passphrase 2026", role="unit",
                                unit_name=unit(session, unit_name).name, display_name=username.title())
    session.flush()
    if head:
        assignment.set_unit_head(session, user.id, True)
    return user


def test_the_head_assigns_and_reassigns_and_each_step_is_logged(domain: Any) -> None:
    with domain.sessions() as session:
        policy = domain.policy
        add_handler(session, "li", "Transport", head=True)
        wang = add_handler(session, "wang", "Transport")
        zhao = add_handler(session, "zhao", "Transport")
        other = add_handler(session, "sun", "Housing")
        case = dispatched(session, policy)
        head, plain = actor(session, "li"), actor(session, "transport")
        with pytest.raises(ValidationError, match="head of the unit"):
            assignment.assign(session, policy, case, plain, wang.id)
        with pytest.raises(ValidationError, match="handler of this unit"):
            assignment.assign(session, policy, case, head, other.id)
        with pytest.raises(NotFound):
            assignment.assign(session, policy, case, actor(session, "sun"), other.id)
        assignment.assign(session, policy, case, head, wang.id, "Yours, please.")
        assert case.assignee_id == wang.id and case.status == Status.DISPATCHED
        with pytest.raises(ValidationError, match="already"):
            assignment.assign(session, policy, case, head, wang.id)
        services.accept(session, policy, case, actor(session, "wang"))
        assignment.assign(session, policy, case, head, zhao.id)
        session.flush()
        logged = [(e.action, e.actor_id, e.data["assignee"], e.data["previous"], e.note)
                  for e in case.events if e.action == "assign"]
        assert logged == [("assign", head.user_id, "Wang", None, "Yours, please."),
                          ("assign", head.user_id, "Zhao", "Wang", "")]
        services.give_feedback(session, policy, case, actor(session, "zhao"), "Done.")
        with pytest.raises(TransitionError):
            assignment.assign(session, policy, case, head, wang.id)


def test_mine_and_my_units_and_leaving_the_unit(domain: Any) -> None:
    with domain.sessions() as session:
        policy = domain.policy
        add_handler(session, "li", "Transport", head=True)
        wang = add_handler(session, "wang", "Transport")
        head, me = actor(session, "li"), actor(session, "wang")
        mine = dispatched(session, policy, subject="Mine")
        dispatched(session, policy, subject="Not mine")
        assignment.assign(session, policy, mine, head, wang.id)
        session.flush()
        today = policy.today()
        ours = {"Mine", "Not mine"}  # the demo cases of the unit are unassigned too

        def subjects(flt: CaseFilter) -> list[str]:
            return sorted(c.subject for c in list_cases(session, me, flt, today=today)[0] if c.subject in ours)

        assert subjects(CaseFilter(assignee_id=me.user_id)) == ["Mine"]
        assert subjects(CaseFilter(unassigned=True)) == ["Not mine"]
        assert subjects(CaseFilter()) == ["Mine", "Not mine"]
        # A return, or the desk's recall, takes the case out of the unit and away from its handler.
        services.return_to_desk(session, policy, mine, me, "Not ours.")
        assert mine.assignee_id is None
        returns.dispute_return(session, policy, mine, actor(session, "clerk"), "It is.")
        returns.rule_on_dispute(session, policy, mine, actor(session, "supervisor"), upheld=False, note="Yours.")
        assert mine.assignee_id == wang.id  # an overruled return gives it back to the handler who had it
        returns.recall(session, policy, mine, actor(session, "clerk"), "Wrong unit after all.")
        assert mine.assignee_id is None and mine.unit_id is None
        assert subjects(CaseFilter(assignee_id=me.user_id)) == []


def test_only_a_handler_with_a_unit_can_head_it(domain: Any) -> None:
    with domain.sessions() as session:
        clerk = session.scalar(select(User).where(User.username == "clerk"))
        with pytest.raises(ValidationError, match="unit handler"):
            assignment.set_unit_head(session, clerk.id, True)
        assignment.set_unit_head(session, clerk.id, False)
        assert clerk.unit_head is False
