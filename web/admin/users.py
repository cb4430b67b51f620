"""Administrators: one staff account's page (name and email, role, password reset, deactivation)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cases import accounts, assignment, audit
from cases.errors import CaseError, NotFound
from cases.models import User
from web.admin.forms import ActiveForm, DetailsForm, ResetPasswordForm, RoleForm
from web.admin.views import all_units, bp
from web.auth import hasher, role_required
from web.domain_text import say
from web.privacy.access import log_access
from web.app_state import db


def _user(user_id: int) -> User:
    try:
        return accounts.get_user(db(), user_id)
    except NotFound:
        abort(404)


def _page(user: User, status: int = 200, **forms: object) -> tuple[str, int]:
    role = forms.get("role") or RoleForm(formdata=None, role=user.role.value, unit=user.unit.name if user.unit else "",
                                         unit_head=user.unit_head)
    role.unit.choices = [("", "—")] + [(u.name, u.name) for u in all_units()]  # type: ignore[attr-defined]
    details = forms.get("details") or DetailsForm(formdata=None, obj=user)
    return render_template("pages/admin/user.html", user=user, role_form=role, details_form=details,
                           reset_form=forms.get("reset") or ResetPasswordForm(formdata=None),
                           active_form=forms.get("active") or ActiveForm(formdata=None),
                           deactivate_question=deactivate_question), status


def _apply(user: User, action, done: str, logged: str) -> Response | None:  # type: ignore[no-untyped-def]
    """Run a domain call, log it in the access log (``logged``: what was done) and commit; a refusal is flashed and
    nothing is saved."""
    try:
        action()
        log_access(audit.ADMIN_USER, target=f"{logged} of user {user.id} ({user.username})", commit=False)
        db().commit()
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return None
    flash(done, "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>")
@role_required("admin")
def user(user_id: int) -> tuple[str, int]:
    return _page(_user(user_id))


@bp.route("/users/<int:user_id>/details", methods=["POST"])
@role_required("admin")
def user_details(user_id: int) -> Response | tuple[str, int]:
    target, form = _user(user_id), DetailsForm()
    if form.validate_on_submit():
        done = _apply(target, lambda: accounts.update_details(db(), user_id, display_name=form.display_name.data or "",
                                                              email=form.email.data or ""),
                      _("Details saved."), "name and email changed")
        if done:
            return done
    return _page(target, 400, details=form)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required("admin")
def user_role(user_id: int) -> Response | tuple[str, int]:
    target, form = _user(user_id), RoleForm()
    form.unit.choices = [("", "—")] + [(u.name, u.name) for u in all_units()]
    if form.validate_on_submit():
        def change() -> None:
            accounts.change_role(db(), current_user.id, user_id, form.role.data, form.unit.data or None)
            assignment.set_unit_head(db(), user_id, bool(form.unit_head.data))

        done = _apply(target, change, _("Role changed; the user's sessions have ended."),
                      f"role set to {form.role.data}{', unit head' if form.unit_head.data else ''}")
        if done:
            return done
    return _page(target, 400, role=form)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required("admin")
def user_password(user_id: int) -> Response | tuple[str, int]:
    target, form = _user(user_id), ResetPasswordForm()
    form.account = target
    if form.validate_on_submit():
        done = _apply(target, lambda: accounts.reset_password(db(), hasher(), user_id, form.password.data),
                      _("Password reset: the user must choose a new one at the next log-in."), "password reset")
        if done:
            return done
    return _page(target, 400, reset=form)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@role_required("admin")
def user_active(user_id: int) -> Response | tuple[str, int]:
    target, form = _user(user_id), ActiveForm()
    if not form.validate_on_submit():
        return _page(target, 400, active=form)
    activate = not target.active
    if not activate and form.confirm.data != "yes":
        # Asked in a dialog with JavaScript; without it, or for a post that skipped the dialog, on this page.
        return render_template("pages/admin/confirm.html", form=form, question=deactivate_question(target),
                               detail=_("The account can no longer log in, and its sessions end now. You can "
                                        "activate it again later."),
                               action=url_for("admin.user_active", user_id=user_id),
                               back=url_for("admin.user", user_id=user_id)), 200
    done = _apply(target, lambda: accounts.set_active(db(), current_user.id, user_id, activate),
                  _("Account activated.") if activate else _("Account deactivated; its sessions have ended."),
                  "activation" if activate else "deactivation")
    return done or _page(target, 400, active=form)


def deactivate_question(user: User) -> str:
    """What the dialog and the confirmation page ask before ``user`` is deactivated."""
    return _("Deactivate the account %(name)s and end its sessions?", name=user.username)
