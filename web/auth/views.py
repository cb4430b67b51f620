"""Log-in and log-out views."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from cases.accounts import Throttled, authenticate
from cases.db import read_only
from web.auth import hasher
from web.auth.forms import LoginForm
from web.state import db

bp = Blueprint("auth", __name__, url_prefix="/auth")

HOME_BY_ROLE = {"clerk": "desk.inbox", "unit": "unit.inbox", "supervisor": "supervisor.overview",
                "admin": "admin.users"}


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an open redirect would let a phishing link borrow our log-in page.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        session_db = db()
        read_only(session_db)  # the lookups; the hash is computed with no transaction open, the outcome after
        try:
            user = authenticate(session_db, hasher(), form.username.data, form.password.data,
                                request.remote_addr or "?", max_failures=int(cfg["LOGIN_MAX_FAILURES"]),
                                window=timedelta(minutes=int(cfg["LOGIN_WINDOW_MINUTES"])),
                                end_reads=session_db.commit)
        except Throttled:
            session_db.rollback()
            form.username.errors.append(_("Too many failed log-ins. Wait a few minutes and try again."))
            return render_template("pages/auth/login.html", form=form), 429
        session_db.commit()
        if user is None:
            form.password.errors.append(_("Wrong user name or password."))
            return render_template("pages/auth/login.html", form=form), 200
        next_url = _safe_next(request.args.get("next"))
        # A fresh session at log-in: nothing from before (a planted session) carries over.
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        login_user(user)
        now = datetime.now(timezone.utc).timestamp()
        session["login_at"] = now
        session["seen_at"] = now
        return redirect(next_url or url_for(HOME_BY_ROLE[user.role.value]))
    return render_template("pages/auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
