"""Staff log-in: Flask-Login with argon2id hashes, sessions that a user's session version can end, a forced
password change after an administrator's reset, and role checks for views."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import wraps
from typing import Any

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import profiles as argon2_profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, has_app_context, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from cases.actors import Actor
from cases.db import read_only
from cases.login import Throttle
from cases.models import User
from web.extensions import login_manager
from web.app_state import db

SESSION_VERSION_KEY = "session_version"
# Where a user who must change their password may still go.
OPEN_DURING_FORCED_CHANGE = {"auth.change_password", "auth.logout", "i18n.switch", "static"}


class Argon2idHasher:
    """argon2id behind the small hasher interface ``cases.accounts`` expects, with the cost parameters of one of
    argon2's named profiles (``PASSWORD_HASH_PROFILE``). A check reads the cost from the stored hash, so hashes
    made under another profile still verify."""

    _dummies: dict[str, str] = {}  # one per profile and process: hashing costs as much as a check

    def __init__(self, profile: str = "RFC_9106_LOW_MEMORY") -> None:
        self.profile = profile
        self._hasher = Argon2Hasher.from_parameters(getattr(argon2_profiles, profile))

    def dummy_hash(self) -> str:
        if self.profile not in Argon2idHasher._dummies:
            Argon2idHasher._dummies[self.profile] = self._hasher.hash("no one's password")
        return Argon2idHasher._dummies[self.profile]

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def hasher(app: Flask | None = None) -> Argon2idHasher:
    """The password hasher of ``app`` (or of the current app; argon2's recommended profile outside one)."""
    if app is None and has_app_context():
        app = current_app
    return Argon2idHasher(app.config["PASSWORD_HASH_PROFILE"]) if app is not None else Argon2idHasher()


def throttle() -> Throttle:
    """The log-in throttle from the settings (``LOGIN_*``)."""
    cfg = current_app.config
    return Throttle(free=int(cfg["LOGIN_MAX_FAILURES"]), address_free=int(cfg["LOGIN_ADDRESS_MAX_FAILURES"]),
                    first_wait=timedelta(seconds=float(cfg["LOGIN_BACKOFF_SECONDS"])),
                    max_wait=timedelta(minutes=float(cfg["LOGIN_WINDOW_MINUTES"])),
                    window=timedelta(minutes=float(cfg["LOGIN_WINDOW_MINUTES"])))


def current_actor() -> Actor:
    """The logged-in user as the domain sees them."""
    user: User = current_user
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session carrying their current session version (nothing from before carries
    over but the chosen language)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    session[SESSION_VERSION_KEY] = user.session_version
    now = datetime.now(timezone.utc).timestamp()
    session["login_at"] = now
    session["seen_at"] = now


def _forced_password_change() -> Response | None:
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_DURING_FORCED_CHANGE):
        return redirect(url_for("auth.change_password"))
    return None


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
        if user is None or not user.active or session.get(SESSION_VERSION_KEY) != user.session_version:
            return None  # logged out, password changed, deactivated or role changed since this session began
        return user

    app.before_request(_forced_password_change)
    app.register_blueprint(bp)
