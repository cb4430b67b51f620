"""Log-in, log-out and the change of one's own password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from cases import accounts
from cases.db import read_only
from cases.errors import ValidationError
from cases.login import AccountDisabled, Throttled, authenticate, check_throttle, record_failure
from cases.models import User
from web.auth import hasher, start_session, throttle
from web.auth.forms import PASSWORD_HINT, ChangePasswordForm, LoginForm
from web.domain_text import say
from web.redirects import redirect_local
from web.app_state import db

bp = Blueprint("auth", __name__, url_prefix="/auth")

HOME_BY_ROLE = {"clerk": "desk.inbox", "unit": "unit.inbox", "supervisor": "supervisor.overview",
                "admin": "admin.users"}


def _login_page(form: LoginForm, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return current_app.make_response((render_template("pages/auth/login.html", form=form), status, headers or {}))


def _check(form: LoginForm) -> User | Response:
    """The log-in checks; a refusal is the log-in page with its reason beside the field."""
    session_db = db()
    read_only(session_db)  # the lookups; the hash is computed with no transaction open, the outcome after
    try:
        user = authenticate(session_db, hasher(), form.username.data, form.password.data,
                            request.remote_addr or "?", throttle=throttle(), end_reads=session_db.commit)
    except Throttled as wait:
        session_db.rollback()
        form.username.errors.append(_("Too many failed log-ins. Try again in %(seconds)s seconds.",
                                      seconds=wait.retry_after))
        return _login_page(form, 429, {"Retry-After": str(wait.retry_after)})
    except AccountDisabled:
        session_db.commit()
        form.username.errors.append(_("This account is disabled. Ask an administrator."))
        return _login_page(form, 403)
    session_db.commit()
    if user is None:
        form.password.errors.append(_("Wrong user name or password."))
        return _login_page(form)
    return user


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form)
    user = _check(form)
    if not isinstance(user, User):
        return user
    start_session(user)
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect_local(request.args.get("next"), url_for(HOME_BY_ROLE[user.role.value]))


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out here and everywhere else: every session of the user ends."""
    if current_user.is_authenticated:
        accounts.end_sessions(db(), current_user.id)
        db().commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def _change(form: ChangePasswordForm, user: User) -> int | None:
    """Change the password; ``None`` when done, else the status of the form page with the reason beside a field.
    Wrong current passwords count as failed log-ins, so a borrowed session cannot guess the password here."""
    address = request.remote_addr or "?"
    try:
        check_throttle(db(), throttle(), user.username, address)
        accounts.change_password(db(), hasher(), user, form.current.data, form.new.data)
        db().commit()
        return None
    except Throttled as wait:
        db().rollback()
        form.current.errors = [_("Too many failed log-ins. Try again in %(seconds)s seconds.",
                                 seconds=wait.retry_after)]
        return 429
    except accounts.WrongPassword:
        db().rollback()
        record_failure(db(), user.username, address)
        db().commit()
        form.current.errors = [_("The current password is wrong.")]
    except ValidationError as err:
        db().rollback()
        form.new.errors = [_("Choose a password different from the current one.")
                           if isinstance(err, accounts.SamePassword) else say(err)]
    return 400


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    """Every staff user's own password; other sessions of the user end, this one carries on."""
    form = ChangePasswordForm()
    form.account = user = current_user._get_current_object()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        status = _change(form, user) or 0
        if not status:
            start_session(user)
            flash(_("Your password is changed. Other sessions of yours have ended."), "success")
            return redirect(url_for(HOME_BY_ROLE[user.role.value]))
    return render_template("pages/auth/password.html", form=form, hint=PASSWORD_HINT), status
