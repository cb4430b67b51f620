"""Form submissions registered exactly once, however often they are sent.

Every rendered letter form (the public form, the phone desk's form) carries a random submission key. The case it
opens stores the key as its letter's dedup key (unique): a submission sent again, because the answer to the first
was lost on the way, finds the case the first one opened instead of opening a second. Anyone who can send the
key again already saw the form it came with, so showing them that case's number is no leak.
"""
from __future__ import annotations

import re
import secrets
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.actors import Actor
from cases.policy import Policy
from cases.drafts import LetterDraft
from cases.models import Case, Letter
from cases.new_cases import NewCase, open_case, store_files

KEY = re.compile(r"[A-Za-z0-9_-]{16,64}\Z")
PREFIX = "form:"  # dedup keys of form submissions (email's are digests: no overlap)


def new_key() -> str:
    """A fresh submission key for one rendered form (URL- and HTML-safe)."""
    return secrets.token_urlsafe(24)


def dedup_key(key: str) -> str:
    return PREFIX + key


@cache
def _case_by_key() -> Any:
    """The lookup of a submission's case, built once: every letter sent through a form runs it."""
    cases, letters = Case.__table__, Letter.__table__
    return (select(cases.c.id, cases.c.number, cases.c.tracking_code)
            .join(letters, letters.c.case_id == cases.c.id)
            .where(letters.c.dedup_key == bindparam("dedup_key")).limit(1))


def submitted_case(session: Session, key: str | None) -> NewCase | None:
    """The case a submission with this key opened, if any (its id, number and tracking code)."""
    if not key or not KEY.match(key):
        return None
    row = session.connection().execute(_case_by_key(), {"dedup_key": dedup_key(key)}).first()
    return NewCase(*row) if row is not None else None


def open_submitted(session: Session, policy: Policy, draft: LetterDraft, key: str | None, *, actor: Actor,
                   allowed_types: frozenset[str] | None = None) -> tuple[NewCase, bool]:
    """Open the case of a submission, once per key: (its case, True if opened now). The caller commits.

    The draft's files are stored first, before this call's first statement (which, on SQLite, takes the write
    turn when the session has no transaction yet). Then the key's case is looked up; a twin submission committed
    after the lookup (two clicks racing) loses on the unique dedup key, and its case is returned instead.
    Without a valid key every call opens a case."""
    valid = bool(key and KEY.match(key))
    files = store_files(policy, [draft], allowed_types)
    if valid:
        existing = submitted_case(session, key)
        if existing is not None:
            return existing, False
    try:
        with session.begin_nested():
            new = open_case(session, policy, draft, actor=actor, allowed_types=allowed_types,
                            dedup_key=dedup_key(key) if valid else None, files=files)
    except IntegrityError:
        existing = submitted_case(session, key) if valid else None
        if existing is None:
            raise
        return existing, False
    return new, True
