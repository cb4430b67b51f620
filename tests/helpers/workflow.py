"""Actors and new cases for domain tests."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cases import intake
from cases.actors import Actor
from cases.drafts import Channel, LetterDraft
from cases.models import Case, User


def actor_for(session: Any, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def new_case(session: Any, policy: Any, **kw: Any) -> Case:
    draft = LetterDraft(channel=Channel.WEB, subject=kw.pop("subject", "Pothole"), body="A deep pothole.",
                        sender_name="Chen", sender_email="chen@example.org", **kw)
    return intake.receive(session, policy, draft).case
