"""Case numbers (``2026-000123``: sortable, human-friendly) and the citizen's secret tracking code."""
from __future__ import annotations

import re
import secrets

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.models import CaseSequence

NUMBER_PATTERN = re.compile(r"\b(\d{4}-\d{6})\b")
_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read over the phone


def next_case_number(session: Session, year: int) -> str:
    """Hand out the next number of ``year``, unique under concurrent creation.

    The increment is one UPDATE on the year's row, so the database's row lock serialises concurrent writers;
    the first number of a year inserts the row, and a lost insert race simply retries the UPDATE.
    """
    for _ in range(3):
        row = session.execute(
            update(CaseSequence).where(CaseSequence.year == year)
            .values(last=CaseSequence.last + 1).returning(CaseSequence.last)
        ).first()
        if row is not None:
            return f"{year:04d}-{row[0]:06d}"
        try:
            with session.begin_nested():
                session.execute(insert(CaseSequence).values(year=year, last=0))
        except IntegrityError:
            pass
    raise RuntimeError("could not allocate a case number")


def new_tracking_code() -> str:
    """A random 10-character code (about 50 bits), grouped for reading aloud: ``ABCD-EFGH-JK``."""
    raw = "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_tracking_code(code: str) -> str:
    """Accept what a person types (spaces, lower case, missing dashes) and return the stored form."""
    raw = re.sub(r"[^A-Za-z0-9]", "", code or "").upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 10 else raw


def find_case_token(text: str) -> str | None:
    """The first case number mentioned in ``text`` (a subject like ``Re: [Case 2026-000123] ...``)."""
    match = NUMBER_PATTERN.search(text or "")
    return match.group(1) if match else None
