"""Forms of places: the administrators' uploads (areas as GeoJSON, the address list as CSV) and the map's filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import Optional

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class AreasForm(FlaskForm):
    file = FileField(_l("Areas (GeoJSON FeatureCollection; properties name, kind, unit)"),
                     validators=[FileRequired(_l("Choose a GeoJSON file."))])
    submit = SubmitField(_l("Upload areas"))


class AddressesForm(FlaskForm):
    file = FileField(_l("Addresses (CSV with the columns address, lat, lon)"),
                     validators=[FileRequired(_l("Choose a CSV file."))])
    submit = SubmitField(_l("Upload addresses"))


class DeleteAreaForm(FlaskForm):
    submit = SubmitField(_l("Delete"))


class MapFilterForm(FlaskForm):
    """The map's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    category = SelectField(_l("Category"), coerce=int, choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Show"))
