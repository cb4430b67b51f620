"""Administrators: users, units and categories."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from cases import accounts, admin, audit
from cases import categories as categories_tree
from cases.errors import CaseError
from cases.models import Category, Unit, User
from web.admin.forms import CategoryEditForm, CategoryForm, ToggleForm, UnitEditForm, UnitForm, UserForm
from web.auth import hasher, role_required
from web.domain_text import say
from web.privacy.access import log_access
from web.app_state import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
# What a switch on or off is logged as, per kind of item.
LOGGED_KINDS = {"units": (audit.ADMIN_UNIT, "unit"), "categories": (audit.ADMIN_CATEGORY, "category"),
                "users": (audit.ADMIN_USER, "user")}


def _save(action, success: str, endpoint: str,  # type: ignore[no-untyped-def]
          logged: tuple[str, str]) -> Response | None:
    """Run a domain call, log it (``logged``: access-log action and target), commit, flash; a domain error
    becomes a message and nothing is saved."""
    try:
        action()
        log_access(logged[0], target=logged[1], commit=False)
        db().commit()
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return None
    flash(success, "success")
    return redirect(url_for(endpoint))


def all_units() -> list[Unit]:
    """Every unit by name, for the unit pickers."""
    return list(db().scalars(select(Unit).order_by(Unit.name)))


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users() -> str | Response:
    form = UserForm()
    form.unit.choices = [("", "—")] + [(u.name, u.name) for u in all_units()]
    if form.validate_on_submit():
        done = _save(lambda: accounts.create_user(
            db(), hasher(), username=form.username.data, password=form.password.data, role=form.role.data,
            display_name=form.display_name.data or "", email=form.email.data or "", unit_name=form.unit.data or None),
            _("User created."), "admin.users",
            (audit.ADMIN_USER, f"created user {form.username.data} ({form.role.data})"))
        if done:
            return done
    return render_template("pages/admin/users.html", form=form,
                           users=db().scalars(select(User).order_by(User.username)).all())


@bp.route("/units", methods=["GET", "POST"])
@role_required("admin")
def units() -> str | Response:
    form = UnitForm()
    form.parent.choices = [(0, "—")] + [(u.id, u.name) for u in all_units()]
    if form.validate_on_submit():
        done = _save(lambda: admin.add_unit(db(), name=form.name.data, kind=form.kind.data,
                                            parent_id=form.parent.data or None, email=form.email.data or "",
                                            head_email=form.head_email.data or ""), _("Unit added."), "admin.units",
                     (audit.ADMIN_UNIT, f"added unit {form.name.data}"))
        if done:
            return done
    return render_template("pages/admin/units.html", form=form, units=all_units(), toggle=ToggleForm())


@bp.route("/categories", methods=["GET", "POST"])
@role_required("admin")
def categories() -> str | Response:
    form = CategoryForm()
    if form.validate_on_submit():
        done = _save(lambda: admin.add_category(db(), form.name.data), _("Category added."), "admin.categories",
                     (audit.ADMIN_CATEGORY, f"added category {form.name.data}"))
        if done:
            return done
    by_id = {c.id: c for c in db().scalars(select(Category))}
    rows = [(by_id[cid], path, categories_tree.routing(by_id[cid]))
            for cid, path in categories_tree.paths(db(), active_only=False)]
    return render_template("pages/admin/categories.html", form=form, toggle=ToggleForm(), rows=rows)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_category(category_id: int) -> str | Response | tuple[str, int]:
    category = db().get(Category, category_id)
    if category is None:
        abort(404)
    form = CategoryEditForm(obj=None if request.method == "POST" else category)
    form.parent.choices = [(0, "—")] + [(cid, path) for cid, path in categories_tree.paths(db(), active_only=False)
                                        if cid != category.id]
    form.unit.choices = [(0, "—")] + [(u.id, u.name) for u in all_units()]
    if request.method == "GET":
        form.parent.data, form.unit.data = category.parent_id or 0, category.unit_id or 0
    if form.validate_on_submit():
        done = _save(lambda: categories_tree.update(
            db(), category.id, parent_id=form.parent.data or None, unit_id=form.unit.data or None,
            answer_days=form.answer_days.data, name_zh=form.name_zh.data or "", name_es=form.name_es.data or "",
            name=(form.name.data or "").strip() or None),
            _("Category saved."), "admin.categories", (audit.ADMIN_CATEGORY, f"edited category {category.name}"))
        if done:
            return done
    return render_template("pages/admin/category.html", form=form, category=category), \
        400 if form.is_submitted() else 200


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_unit(unit_id: int) -> str | Response | tuple[str, int]:
    unit = db().get(Unit, unit_id)
    if unit is None:
        abort(404)
    form = UnitEditForm(obj=None if request.method == "POST" else unit)
    form.parent.choices = [(0, "—")] + [(u.id, u.name) for u in all_units() if u.id != unit.id]
    if request.method == "GET":
        form.parent.data = unit.parent_id or 0
    if form.validate_on_submit():
        done = _save(lambda: admin.update_unit(
            db(), unit.id, name=form.name.data, kind=form.kind.data, parent_id=form.parent.data or None,
            email=form.email.data or "", head_email=form.head_email.data or "", name_zh=form.name_zh.data or "",
            name_es=form.name_es.data or ""), _("Unit saved."), "admin.units",
            (audit.ADMIN_UNIT, f"edited unit {unit.id}"))
        if done:
            return done
    return render_template("pages/admin/unit.html", form=form, unit=unit), 400 if form.is_submitted() else 200


@bp.route("/<kind>/<int:item_id>/toggle", methods=["POST"])
@role_required("admin")
def toggle(kind: str, item_id: int) -> str | Response:
    """Switch a unit or category on or off; switching off shows a confirmation page first."""
    models = {"units": Unit, "categories": Category}
    form = ToggleForm()
    if kind not in models or not form.validate_on_submit():
        abort(404 if kind not in models else 400)
    item = db().get(models[kind], item_id) or abort(404)
    if item.active and form.confirm.data != "yes":
        return render_template("pages/admin/confirm.html", form=form,
                               question=_("Deactivate %(name)s?", name=item.name),
                               detail=_("It will no longer be offered for new cases. You can activate it again later."),
                               action=url_for("admin.toggle", kind=kind, item_id=item_id), back=url_for(f"admin.{kind}"))
    _save(lambda: admin.toggle_active(db(), models[kind], item_id), _("Saved."), f"admin.{kind}",
          (LOGGED_KINDS[kind][0], f"switched {LOGGED_KINDS[kind][1]} {item_id} on/off"))
    return redirect(url_for(f"admin.{kind}"))
