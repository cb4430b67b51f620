"""Log-in checks: the password, the account's state, and a throttle with back-off that nobody can turn into a
lock-out of somebody else.

Failures are counted per client address and per (address, account) pair, in the database so that every web
process shares them. A few failures are free; after that each further one doubles the wait before the next try,
up to a ceiling. The account itself is never locked: its owner, from their own address, is not slowed down by
somebody else guessing from another. A success clears the pair's failures.

Unknown user names cost one password check against a dummy hash, like known ones, so the time of an answer does not
tell which user names exist. A deactivated account is named as such only after its correct password.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cases.accounts import PasswordHasher
from cases.models import LoginAttempt, User


class Throttled(Exception):
    """Too many recent failures from this address (or for this account from it); ``retry_after`` in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed log-ins. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


class AccountDisabled(Exception):
    """The password is right, but an administrator has deactivated the account."""


@dataclass(frozen=True)
class Throttle:
    """``free`` failures per (address, account) pair and ``address_free`` per address within ``window`` cost
    nothing; each further failure doubles the wait, starting at ``first_wait`` and never above ``max_wait``."""

    free: int = 5
    address_free: int = 20
    first_wait: timedelta = timedelta(seconds=30)
    max_wait: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(minutes=15)

    def wait(self, failures: int, free: int) -> timedelta:
        """How long after the last failure the next try must wait, after ``failures`` recent ones."""
        if failures < free:
            return timedelta(0)
        doublings = min(failures - free, 30)
        return min(self.max_wait, self.first_wait * 2 ** doublings)


def _failures(session: Session, since: datetime, *conditions: object) -> tuple[int, datetime | None]:
    count, last = session.execute(select(func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.at >= since, *conditions)).one()
    return int(count or 0), last


def check_throttle(session: Session, throttle: Throttle, username: str, address: str,
                   now: datetime | None = None) -> None:
    """:class:`Throttled` while the back-off after this address's (and this pair's) recent failures lasts."""
    username, address = _names(username, address)
    now = now or datetime.now(timezone.utc)
    since = now - throttle.window
    checks = ((_failures(session, since, LoginAttempt.address == address, LoginAttempt.username == username),
               throttle.free),
              (_failures(session, since, LoginAttempt.address == address), throttle.address_free))
    waits = []
    for (count, last), free in checks:
        if last is not None:
            if last.tzinfo is None:
                last = last.replace(tzinfo=timezone.utc)
            remaining = (last + throttle.wait(count, free) - now).total_seconds()
            if remaining > 0:
                waits.append(remaining)
    if waits:
        raise Throttled(math.ceil(max(waits)))


def _names(username: str, address: str) -> tuple[str, str]:
    return (username or "").strip().lower()[:80], (address or "?")[:64]


def record_failure(session: Session, username: str, address: str, now: datetime | None = None) -> None:
    """Count a wrong password for ``username`` from ``address`` (log-in, or confirming a password change)."""
    username, address = _names(username, address)
    session.add(LoginAttempt(username=username, address=address, at=now or datetime.now(timezone.utc)))


def authenticate(session: Session, hasher: PasswordHasher, username: str, password: str, address: str, *,
                 throttle: Throttle = Throttle(), now: datetime | None = None,
                 end_reads: Callable[[], None] | None = None) -> User | None:
    """The user if the password is right; ``None`` if not; :class:`Throttled` while the back-off lasts;
    :class:`AccountDisabled` for a deactivated account's right password.

    ``end_reads`` is called between the lookups and the password check (the slow part, by design): the web
    commits there, so no transaction is open while the hash is computed; the outcome is written after it.
    """
    username, address = _names(username, address)
    now = now or datetime.now(timezone.utc)
    check_throttle(session, throttle, username, address, now)
    user = session.scalar(select(User).where(User.username == username))
    if end_reads is not None:
        end_reads()
    password_hash = user.password_hash if user is not None else hasher.dummy_hash()
    if hasher.verify(password_hash, password or "") and user is not None:
        session.execute(delete(LoginAttempt).where(LoginAttempt.username == username,
                                                   LoginAttempt.address == address))
        if not user.active:
            raise AccountDisabled(username)
        return user
    record_failure(session, username, address, now)
    return None
