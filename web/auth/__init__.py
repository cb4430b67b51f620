"""Staff log-in: Flask-Login with argon2id hashes, DB-backed throttling, and role checks for views."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort
from flask_login import current_user, login_required

from cases.context import Actor
from cases.db import read_only
from cases.models import User
from web.extensions import login_manager
from web.state import db


class Argon2idHasher:
    """argon2id (the library's default type) behind the small hasher interface ``cases.accounts`` expects."""

    def __init__(self) -> None:
        self._hasher = Argon2Hasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def hasher() -> Argon2idHasher:
    return Argon2idHasher()


def current_actor() -> Actor:
    """The logged-in user as the domain sees them."""
    user: User = current_user
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def role_required(*roles: str) -> Callable:
    """Log-in required, and one of ``roles``; anything else gets 404 so that routes don't reveal themselves."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role.value not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    from web.auth.views import bp

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # As a reader that ends at once on SQLite: a write turn held here (a staff request losing the CPU
        # mid-read held it for tens of ms) kept every letter form waiting while the page searched or rendered,
        # and the view's own queries begin a transaction of their own.
        session_ = db()
        reader = not session_.in_transaction() and session_.get_bind().dialect.name == "sqlite"
        if reader:
            read_only(session_)
        user = session_.get(User, int(user_id)) if user_id.isdigit() else None
        if reader:
            session_.commit()
        return user if user is not None and user.active else None

    app.register_blueprint(bp)
