"""Places pages: areas and the address list (administrators), the case map (supervisors), the areas layer."""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from cases import areas, audit, geocode, map_data
from cases.errors import ValidationError
from cases.models_places import Area
from cases.statistics import Period
from cases.workflow import Status
from web.auth import role_required
from web.code_labels import label
from web.domain_text import say
from web.form_fields import category_choices
from web.privacy.access import log_access
from web.security import no_session_cookie
from web.app_state import db, policy
from web.places.forms import MAX_UPLOAD_BYTES, AddressesForm, AreasForm, DeleteAreaForm, MapFilterForm

bp = Blueprint("places", __name__, url_prefix="/places")
SUPERVISORS = ("supervisor", "admin")


def _upload(form: AreasForm | AddressesForm) -> bytes | None:
    """The uploaded file's bytes, or None with the error put next to the field."""
    data = form.file.data.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        form.file.errors.append(_("The file is larger than %(mb)d MB.", mb=MAX_UPLOAD_BYTES // (1024 * 1024)))
        return None
    return data


def _areas_page(form: AreasForm, status: int = 200) -> tuple[str, int]:
    rows = list(db().scalars(select(Area).order_by(Area.kind, Area.name)))
    return render_template("pages/places/areas.html", form=form, areas=rows, delete=DeleteAreaForm(),
                           addresses=AddressesForm(formdata=None)), status


@bp.route("/areas", methods=["GET", "POST"])
@role_required("admin")
def admin_areas() -> tuple[str, int] | Response:
    form = AreasForm()
    if form.validate_on_submit():
        data = _upload(form)
        if data is not None:
            try:
                saved = areas.save_areas(db(), areas.parse_areas(data))
                log_access(audit.ADMIN_PLACES, target=f"uploaded {len(saved)} areas", commit=False)
                db().commit()
            except ValidationError as err:
                db().rollback()
                form.file.errors.append(say(err))
            else:
                flash(_("%(n)d areas saved.", n=len(saved)), "success")
                return redirect(url_for("places.admin_areas"))
    return _areas_page(form, 400 if form.errors else 200)


@bp.route("/areas/<int:area_id>/delete", methods=["POST"])
@role_required("admin")
def delete_area(area_id: int) -> Response:
    form = DeleteAreaForm()
    area = db().get(Area, area_id)
    if form.validate_on_submit() and area is not None:
        name = area.name
        areas.delete_area(db(), area)
        log_access(audit.ADMIN_PLACES, target=f"deleted area {name}", commit=False)
        db().commit()
        flash(_("Area deleted."), "success")
    return redirect(url_for("places.admin_areas"))


@bp.route("/addresses", methods=["POST"])
@role_required("admin")
def admin_addresses() -> tuple[str, int] | Response:
    form = AddressesForm()
    if form.validate_on_submit():
        data = _upload(form)
        if data is not None:
            try:
                count = geocode.save_addresses(db(), geocode.parse_address_csv(data))
                log_access(audit.ADMIN_PLACES, target=f"uploaded {count} addresses", commit=False)
                db().commit()
            except ValidationError as err:
                db().rollback()
                form.file.errors.append(say(err))
            else:
                flash(_("%(n)d addresses saved.", n=count), "success")
                return redirect(url_for("places.admin_areas"))
    rows = list(db().scalars(select(Area).order_by(Area.kind, Area.name)))
    return render_template("pages/places/areas.html", form=AreasForm(formdata=None), areas=rows,
                           delete=DeleteAreaForm(), addresses=form), 400


@bp.route("/areas.geojson")
@no_session_cookie
def areas_geojson() -> Response:
    """The areas' outlines and names, public: the letter form's pin map draws them."""
    data = map_data.areas_geojson(db())
    for feature in data["features"]:
        feature["properties"] = {"name": feature["properties"]["name"], "kind": feature["properties"]["kind"]}
    response = jsonify(data)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _filters(announce: bool = True) -> tuple[MapFilterForm, map_data.MapFilter]:
    form = MapFilterForm(MultiDict(request.args))
    form.category.choices = category_choices(_("All categories"))
    form.status.choices = [("", _("Any status")), ("open", _("Open")), ("closed", _("Finished"))] + [
        (s.value, str(label(s.value))) for s in Status]
    valid = form.validate()
    if not valid and announce:
        flash(_("Please correct the marked fields."), "error")
    try:
        period = Period.parse(request.args.get("start") if valid else None, request.args.get("end") if valid else None,
                              default_days=30, today=policy().today())
    except ValidationError as err:
        if announce:
            flash(say(err), "error")
        period = Period.parse(None, None, default_days=30, today=policy().today())
    form.start.data, form.end.data = period.start, period.last_day
    status = form.status.data if valid and form.status.data in {v for v, _l in form.status.choices} else ""
    category = form.category.data if valid and form.category.data else None
    return form, map_data.MapFilter(period, category_id=category, status=status or "")


@bp.route("/map")
@role_required(*SUPERVISORS)
def case_map() -> str:
    form, flt = _filters()
    tz = policy().timezone
    counts = map_data.area_counts(db(), flt, tz)
    names = {a.id: a for a in db().scalars(select(Area))}
    table = sorted(((names[i], n) for i, n in counts.items() if i in names), key=lambda r: (-r[1], r[0].name))
    return render_template("pages/places/map.html", form=form, counts=table,
                           data_url=url_for("places.map_json", **request.args))


@bp.route("/map.json")
@no_session_cookie
@role_required(*SUPERVISORS)
def map_json() -> Response:
    _form, flt = _filters(announce=False)
    tz = policy().timezone
    counts = map_data.area_counts(db(), flt, tz)
    points = map_data.points(db(), flt, tz)
    for point in points:
        point["url"] = url_for("casepage.show", number=point["number"])
        point["status_label"] = str(label(point["status"]))
    return jsonify({"areas": map_data.areas_geojson(db(), counts), "points": points,
                    "truncated": len(points) >= map_data.MAX_POINTS})
