"""Staff accounts: creation, passwords, roles, deactivation, and ending every session of a user at once.

Log-in checks and their throttle live in :mod:`cases.login`.
"""
from __future__ import annotations

from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cases.errors import N_, NotFound, ValidationError
from cases.models import Role, Unit, User
from cases.passwords import MESSAGES, MIN_LENGTH, password_problem


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def dummy_hash(self) -> str:
        """A hash of nobody's password, checked for unknown user names so they cost what a real check does."""
        ...


class WrongPassword(ValidationError):
    """The current password given to confirm a change is wrong."""


class SamePassword(ValidationError):
    """The new password is the current one."""


def check_password(password: str, *user_inputs: str) -> None:
    """Refuse a short or easily guessed password (``user_inputs``: the user's own names, which count as words)."""
    problem = password_problem(password, user_inputs)
    if problem:
        raise ValidationError(MESSAGES[problem], n=MIN_LENGTH)


def _unit(session: Session, role: Role, unit_name: str | None) -> Unit | None:
    if role != Role.UNIT:
        return None
    unit = session.scalar(select(Unit).where(Unit.name == unit_name)) if unit_name else None
    if unit is None:
        raise ValidationError(N_("A unit handler needs an existing unit."))
    return unit


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        raise ValidationError(N_("Unknown role: %(role)s"), role=role) from exc


def create_user(session: Session, hasher: PasswordHasher, *, username: str, password: str, role: str,
                display_name: str = "", email: str = "", unit_name: str | None = None) -> User:
    """Create a staff account; a unit handler must belong to a unit."""
    username = (username or "").strip().lower()
    if not username:
        raise ValidationError(N_("A user name is required."))
    check_password(password, username, display_name, email)
    role_value = _role(role)
    unit = _unit(session, role_value, unit_name)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError(N_("The user name %(username)s is taken."), username=username)
    user = User(username=username, password_hash=hasher.hash(password), role=role_value, unit=unit,
                display_name=display_name or username, email=email)
    session.add(user)
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of the user: each holds the version it logged in with, and that no longer matches."""
    session.execute(update(User).where(User.id == user_id).values(session_version=User.session_version + 1))
    session.expire_all()


def change_password(session: Session, hasher: PasswordHasher, user: User, current: str, new: str) -> None:
    """The user's own change: the current password first; every session of the user ends (the caller may
    carry its own over with the new :attr:`User.session_version`)."""
    if not hasher.verify(user.password_hash, current or ""):
        raise WrongPassword(N_("The current password is wrong."))
    if new == current:
        raise SamePassword(N_("Choose a password different from the current one."))
    check_password(new, user.username, user.display_name, user.email)
    user.password_hash = hasher.hash(new)
    user.must_change_password = False
    user.session_version += 1


def reset_password(session: Session, hasher: PasswordHasher, user_id: int, temporary: str) -> User:
    """An administrator's reset: a temporary password the user must change at the next log-in; their sessions end."""
    user = get_user(session, user_id)
    check_password(temporary, user.username, user.display_name, user.email)
    user.password_hash = hasher.hash(temporary)
    user.must_change_password = True
    user.session_version += 1
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active, User.id != user_id)) or 0


def _keep_an_admin(session: Session, acting_user_id: int, user: User) -> None:
    if user.id == acting_user_id:
        raise ValidationError(N_("You cannot deactivate yourself or take away your own administrator role."))
    if user.role == Role.ADMIN and user.active and _other_active_admins(session, user.id) == 0:
        raise ValidationError(N_("The last active administrator cannot be deactivated or lose the role."))


def set_active(session: Session, acting_user_id: int, user_id: int, active: bool) -> User:
    """Activate or deactivate an account; deactivating ends its sessions, and never leaves the office without an
    active administrator or the acting administrator locked out."""
    user = get_user(session, user_id)
    if not active and user.active:
        _keep_an_admin(session, acting_user_id, user)
        user.session_version += 1
    user.active = active
    return user


def change_role(session: Session, acting_user_id: int, user_id: int, role: str, unit_name: str | None) -> User:
    """Give a user another role (and unit); their sessions end, so the new rights apply from the next log-in."""
    user = get_user(session, user_id)
    role_value = _role(role)
    unit = _unit(session, role_value, unit_name)
    if role_value == user.role and unit == user.unit:
        return user
    if role_value != Role.ADMIN and user.role == Role.ADMIN:
        _keep_an_admin(session, acting_user_id, user)
    user.role, user.unit = role_value, unit
    user.session_version += 1
    return user


def update_details(session: Session, user_id: int, *, display_name: str, email: str) -> User:
    """An administrator's change to a user's full name and email (the user name, their log-in, stays)."""
    user = get_user(session, user_id)
    user.display_name, user.email = (display_name or "").strip()[:200], (email or "").strip()[:254]
    return user
