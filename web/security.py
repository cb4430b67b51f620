"""Response headers and session time-outs that every page gets, the session cookie left alone by background
requests, and ``/.well-known/security.txt`` (RFC 9116)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface, SessionMixin
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


View = TypeVar("View", bound=Callable[..., Any])
_BACKGROUND = "_sends_no_session_cookie"


def no_session_cookie(view: View) -> View:
    """Mark a view that pages call in the background (live look-ups, map data, a player's ranges): its responses
    never set the session cookie. Such a request may be answered after a form the clerk saved meanwhile, and the
    cookie it read before would replace the one the save set, dropping the save's message."""
    setattr(view, _BACKGROUND, True)
    return view


class BackgroundSafeSessions(SecureCookieSessionInterface):
    """The signed-cookie session, written back only by foreground requests (pages, forms) and not by views
    marked ``no_session_cookie`` or static files; what those change in the session (the idle clock) is not kept."""

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.endswith(".static") or \
                getattr(app.view_functions.get(endpoint), _BACKGROUND, False):
            return False
        return super().should_set_cookie(app, session)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    # Staff pages and the tracking page carry personal data: never keep them in a cache.
    if current_user.is_authenticated or request.endpoint in {"public.track", "public.confirm"}:
        response.headers["Cache-Control"] = "no-store"
    return response


bp = Blueprint("security", __name__)
SECURITY_TXT_DAYS = 180  # RFC 9116 wants an expiry under a year away; the file is made per request


def security_contacts() -> list[str]:
    """``SECURITY_CONTACT`` (URIs), else the office's email, else security@ the public host."""
    cfg = current_app.config
    contacts = cfg["SECURITY_CONTACT"]
    if isinstance(contacts, str):
        contacts = [c.strip() for c in contacts.split(",") if c.strip()]
    if contacts:
        return list(contacts)
    if cfg["OFFICE_EMAIL"]:
        return [f"mailto:{cfg['OFFICE_EMAIL']}"]
    return [f"mailto:security@{urlsplit(cfg['PUBLIC_BASE_URL']).hostname or 'localhost'}"]


@bp.route("/.well-known/security.txt")
def security_txt() -> Response:
    """Where to report a vulnerability."""
    expires = (datetime.now(timezone.utc) + timedelta(days=SECURITY_TXT_DAYS)).replace(microsecond=0)
    lines = [f"Contact: {contact}" for contact in security_contacts()]
    lines += [f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
              f"Preferred-Languages: {', '.join(current_app.config['LANGUAGES'])}",
              f"Canonical: {current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/.well-known/security.txt"]
    response = current_app.response_class("\n".join(lines) + "\n", mimetype="text/plain")
    response.headers["Cache-Control"] = "max-age=86400"
    return response


def init_app(app: Flask) -> None:
    app.session_interface = BackgroundSafeSessions()
    app.before_request(_enforce_timeouts)
    app.after_request(_headers)
    app.register_blueprint(bp)
