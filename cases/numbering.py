"""Case numbers (``2026-000123``: sortable, human-friendly) and the citizen's secret tracking code."""
from __future__ import annotations

import re
import secrets
from functools import cache
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.models import CaseSequence

NUMBER_PATTERN = re.compile(r"\b(\d{4}-\d{6,})\b")
DEFAULT_DIGITS = 7  # up to 9,999,999 cases a year in sorting order; a larger count widens, never truncates
_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read over the phone


def format_case_number(year: int, serial: int, digits: int = DEFAULT_DIGITS) -> str:
    """``2026-0000123``: the year and its serial, zero-padded to ``digits`` (a larger serial keeps all its digits)."""
    return f"{year:04d}-{serial:0{digits}d}"


def next_case_number(session: Session, year: int, digits: int = DEFAULT_DIGITS) -> str:
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
            return format_case_number(year, row[0], digits)
        try:
            with session.begin_nested():
                session.execute(insert(CaseSequence).values(year=year, last=0))
        except IntegrityError:
            pass
    raise RuntimeError("could not allocate a case number")


@cache
def _take_block() -> Any:
    """The UPDATE that takes a block of numbers, built once: every new case runs it.

    Core on the table, not an ORM-enabled UPDATE: there is no loaded object to keep in step, and the ORM's
    bookkeeping for one would cost more than the statement."""
    sequence = CaseSequence.__table__
    return (update(sequence).where(sequence.c.year == bindparam("of_year"))
            .values(last=sequence.c.last + bindparam("block")).returning(sequence.c.last))


def case_number_block(session: Session, year: int, count: int, digits: int = DEFAULT_DIGITS) -> list[str]:
    """``count`` consecutive numbers of ``year`` in one UPDATE (the row lock serialises concurrent writers)."""
    row = session.connection().execute(_take_block(), {"of_year": year, "block": count}).first()
    if row is None:  # the year's first number: next_case_number creates the row, the rest come as a block
        first = next_case_number(session, year, digits)
        return [first, *(case_number_block(session, year, count - 1, digits) if count > 1 else [])]
    last = int(row[0])
    return [format_case_number(year, n, digits) for n in range(last - count + 1, last + 1)]


def case_numbers(session: Session, years: list[int], digits: int = DEFAULT_DIGITS) -> list[str]:
    """A new number for each entry of ``years`` (the year each case is received in), one UPDATE per year."""
    by_year: dict[int, list[int]] = {}
    for i, year in enumerate(years):
        by_year.setdefault(year, []).append(i)
    numbers = [""] * len(years)
    for year, indexes in sorted(by_year.items()):
        for i, number in zip(indexes, case_number_block(session, year, len(indexes), digits)):
            numbers[i] = number
    return numbers


def new_tracking_code() -> str:
    """A random 10-character code (about 50 bits), grouped for reading aloud: ``ABCD-EFGH-JK``."""
    raw = "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def new_tracking_codes(count: int) -> list[str]:
    """``count`` codes like ``new_tracking_code``'s from one read of the system's random source (the alphabet
    has 32 letters, so each random byte picks one without bias)."""
    data = secrets.token_bytes(10 * count)
    codes = []
    for i in range(count):
        raw = "".join(_TRACKING_ALPHABET[b % 32] for b in data[10 * i:10 * i + 10])
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def normalise_tracking_code(code: str) -> str:
    """Accept what a person types (spaces, lower case, missing dashes) and return the stored form."""
    raw = re.sub(r"[^A-Za-z0-9]", "", code or "").upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 10 else raw


def find_case_token(text: str) -> str | None:
    """The first case number mentioned in ``text`` (a subject like ``Re: [Case 2026-000123] ...``)."""
    match = NUMBER_PATTERN.search(text or "")
    return match.group(1) if match else None
