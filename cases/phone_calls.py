"""A phone call taken at the desk: added to the open case it follows up, or opened as a case (once per form
submission) and registered at once, because the clerk checked kind, category and urgency while on the phone."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from cases import callers, queries, services, submissions
from cases.actors import Actor
from cases.drafts import LetterDraft
from cases.models import Case
from cases.policy import Policy


@dataclass(frozen=True)
class TakenCall:
    """Where a call went: ``follow_up`` when added to an open case, ``opened`` when it opened ``case`` just now
    (False for a submission sent again, which finds the case the first one opened)."""

    case: Case
    opened: bool = False
    follow_up: bool = False


def take_call(session: Session, policy: Policy, draft: LetterDraft, actor: Actor, *, follow_up: str = "",
              submission_key: str | None = None, category_id: int | None = None, major_emergency: bool = False,
              allowed_types: frozenset[str] | None = None) -> TakenCall:
    """Add the call in ``draft`` to case ``follow_up`` (a case number), or open and register a case for it. The
    caller commits."""
    if follow_up:
        case = queries.get_case(session, actor, follow_up.strip())
        callers.add_follow_up(session, case, draft, actor, policy=policy, allowed_types=allowed_types)
        return TakenCall(case, follow_up=True)
    opened, new = submissions.open_submitted(session, policy, draft, submission_key, actor=actor,
                                             allowed_types=allowed_types)
    case = session.get(Case, opened.id)
    if new:
        services.register(session, policy, case, actor, category_id=category_id, major_emergency=major_emergency)
    return TakenCall(case, opened=new)
