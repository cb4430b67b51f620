"""Response headers and session time-outs that every page gets."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def _enforce_timeouts() -> Response | None:
    """Log out after ``SESSION_IDLE_MINUTES`` without a request, and after ``SESSION_ABSOLUTE_HOURS`` in any case."""
    if not current_user.is_authenticated:
        return None
    now = datetime.now(timezone.utc).timestamp()
    cfg = current_app.config
    idle = now - session.get("seen_at", 0) > int(cfg["SESSION_IDLE_MINUTES"]) * 60
    too_old = now - session.get("login_at", 0) > int(cfg["SESSION_ABSOLUTE_HOURS"]) * 3600
    if idle or too_old:
        logout_user()
        session.clear()
        flash(_("Your session has ended. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.path))
    session["seen_at"] = now
    return None


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    # Staff pages and the tracking page carry personal data: never keep them in a cache.
    if current_user.is_authenticated or request.endpoint in {"public.track", "public.confirm"}:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_enforce_timeouts)
    app.after_request(_headers)
