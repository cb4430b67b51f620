"""Flask extensions, created unbound and bound to an app in the factory (the usual Flask pattern)."""
from flask import request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import COOKIE_NAME
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect

from web import ratelimit_storage  # noqa: F401 - registers the sqlitefile:// rate-limit storage


class StaffLoginManager(LoginManager):
    """Flask-Login whose session protection looks only at sessions that can yield a user.

    "Strong" protection drops the log-in of a session whose browser fingerprint changed; for a visitor with no
    log-in and no remember cookie there is nothing to drop, yet Flask-Login would rewrite their session (and
    re-sign the cookie) on every request. Sessions with a user, or requests with a remember cookie, get the
    unchanged check."""

    def _session_protection_failed(self) -> bool:
        from flask import current_app

        cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        if "_user_id" not in session and cookie_name not in request.cookies:
            return False
        return bool(super()._session_protection_failed())


csrf = CSRFProtect()
login_manager = StaffLoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()


def _render_field(self, field, render_kw):  # type: ignore[no-untyped-def]
    """Hidden inputs and submit buttons are rendered without an ``id`` unless one is given: no label points at
    them, and a page with several forms would otherwise repeat ``id="csrf_token"`` and ``id="submit"`` (and
    ``id="next"``, ``id="confirm"``) once per form."""
    if field.type in ("HiddenField", "CSRFTokenField", "SubmitField") and "id" not in (render_kw or {}):
        render_kw = {**(render_kw or {}), "id": False}
    return _default_render_field(self, field, render_kw)


_default_render_field = FlaskForm.Meta.render_field
FlaskForm.Meta.render_field = _render_field
