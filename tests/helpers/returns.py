"""Cases returned, recalled and assigned in tests: actors by user name, dispatched and returned cases."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases import intake, services
from cases.actors import Actor
from cases.drafts import Channel, LetterDraft
from cases.models import Case, Unit, User
from tests.conftest import a_category, login
from web.app_state import state


def actor(session: Any, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name or username)


def unit(session: Any, name: str) -> Unit:
    return session.scalar(select(Unit).where(Unit.name.startswith(name)))


def dispatched(session: Any, policy: Any, unit_name: str = "Transport", subject: str = "Bus stop shelter broken"
               ) -> Case:
    draft = LetterDraft(channel=Channel.WEB, subject=subject, body="The shelter at Elm Street lost its roof.",
                        sender_name="Chen Jing", sender_email="chen@example.org")
    case = intake.receive(session, policy, draft).case
    clerk = actor(session, "clerk")
    services.register(session, policy, case, clerk)
    services.dispatch(session, policy, case, clerk, unit(session, unit_name).id, "Please repair.",
                      category_id=a_category(session))
    session.flush()
    return case


def as_user(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def a_case(app: Flask, unit_name: str = "Transport", *, returned: bool = False, accepted: bool = False) -> str:
    """A registered case dispatched to ``unit_name`` (signed for, or returned, when asked); its number."""
    with state(app).sessions() as session:
        policy = state(app).policy
        from cases import intake
        from cases.drafts import Channel, LetterDraft

        case = intake.receive(session, policy, LetterDraft(
            channel=Channel.WEB, subject="Shelter roof missing", body="The bus shelter lost its roof.",
            sender_name="Chen Jing", sender_email="chen@example.org")).case
        clerk = actor(session, "clerk")
        services.register(session, policy, case, clerk)
        unit = session.scalar(select(Unit).where(Unit.name.startswith(unit_name)))
        services.dispatch(session, policy, case, clerk, unit.id, category_id=a_category(session))
        handler = actor(session, "transport" if unit_name == "Transport" else "housing")
        if accepted or returned:
            services.accept(session, policy, case, handler)
        if returned:
            services.return_to_desk(session, policy, case, handler, "Shelters are the district's.")
        session.commit()
        return case.number
