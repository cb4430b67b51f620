"""Staff accounts and log-in throttling (shared by every web process, because it lives in the database)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cases.errors import ValidationError
from cases.models import LoginAttempt, Role, Unit, User


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


MIN_PASSWORD_LENGTH = 10


def create_user(session: Session, hasher: PasswordHasher, *, username: str, password: str, role: str,
                display_name: str = "", email: str = "", unit_name: str | None = None) -> User:
    """Create a staff account; a unit handler must belong to a unit."""
    username = (username or "").strip().lower()
    if not username:
        raise ValidationError("A user name is required.")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise ValidationError(f"Unknown role: {role}") from exc
    unit = None
    if role_value == Role.UNIT:
        unit = session.scalar(select(Unit).where(Unit.name == unit_name)) if unit_name else None
        if unit is None:
            raise ValidationError("A unit handler needs an existing unit.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError(f"The user name {username} is taken.")
    user = User(username=username, password_hash=hasher.hash(password), role=role_value, unit=unit,
                display_name=display_name or username, email=email)
    session.add(user)
    return user


class Throttled(Exception):
    """Too many failed log-ins for this account or address; try again later."""


def authenticate(session: Session, hasher: PasswordHasher, username: str, password: str, address: str, *,
                 max_failures: int = 5, window: timedelta = timedelta(minutes=15),
                 end_reads: Callable[[], None] | None = None) -> User | None:
    """The user if the password is right; ``None`` if not; :class:`Throttled` after too many recent failures.

    Failures count per account and per address, so neither guessing one account from many addresses nor many
    accounts from one address gets far. A success clears the account's failures.

    ``end_reads`` is called between the lookups and the password check (the slow part, by design): the web
    commits there, so no transaction is open while the hash is computed; the outcome is written after it.
    """
    username = (username or "").strip().lower()[:80]
    since = datetime.now(timezone.utc) - window
    by_user = session.scalar(select(func.count()).where(LoginAttempt.username == username, LoginAttempt.at >= since))
    by_address = session.scalar(select(func.count()).where(LoginAttempt.address == address, LoginAttempt.at >= since))
    if (by_user or 0) >= max_failures or (by_address or 0) >= max_failures * 4:
        raise Throttled("Too many failed log-ins. Wait a few minutes and try again.")
    user = session.scalar(select(User).where(User.username == username))
    if end_reads is not None:
        end_reads()
    if user is not None and user.active and hasher.verify(user.password_hash, password):
        session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
        return user
    session.add(LoginAttempt(username=username, address=address[:64]))
    return None
