"""A service request an Open311 client posts becomes a case like any letter (``cases.intake.receive``), filed by
the client's API key, with a token the client follows the request by."""
from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from cases import intake
from cases.actors import Actor
from cases.drafts import LetterDraft
from cases.models_disclosure import ApiKey, Open311Token
from cases.policy import Policy
from cases.sniff import PHOTO_TYPES


def file_request(session: Session, policy: Policy, draft: LetterDraft, key: ApiKey) -> tuple[str, str]:
    """Open the case of ``draft`` (its media only photos) for the client holding ``key``: (case number, token).
    The caller commits; a refused draft raises :class:`cases.errors.CaseError`."""
    result = intake.receive(session, policy, draft, allowed_types=PHOTO_TYPES,
                            actor=Actor(user_id=None, role="system", name=f"open311:{key.name}"))
    token = secrets.token_urlsafe(16)
    session.add(Open311Token(token=token, case_id=result.case.id, api_key_id=key.id))
    return result.case.number, token
