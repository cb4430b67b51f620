"""Administrators' forms: users, units, categories, and the confirmation a deactivation needs."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError

from web.auth.forms import StrongPassword

ROLE_CHOICES = [("clerk", _l("Clerk")), ("unit", _l("Unit handler")), ("supervisor", _l("Supervisor")),
                ("admin", _l("Administrator"))]


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200), StrongPassword(
        lambda form: [form.username.data or "", form.display_name.data or "", form.email.data or ""])])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    unit = SelectField(_l("Unit (for unit handlers)"), choices=[])
    submit = SubmitField(_l("Create user"))


class DetailsForm(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField(_l("Save details"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    unit = SelectField(_l("Unit (for unit handlers)"), choices=[])
    unit_head = BooleanField(_l("Heads the unit (assigns its cases to its handlers)"))
    submit = SubmitField(_l("Change role"))

    def validate_unit_head(self, field: BooleanField) -> None:
        if field.data and (self.role.data != "unit" or not self.unit.data):
            raise ValidationError(_l("Only a unit handler with a unit can head it."))


def _account_names(form: Any) -> list[str]:
    user = form.account
    return [user.username, user.display_name, user.email] if user is not None else []


class ResetPasswordForm(FlaskForm):
    """A temporary password the user must change at the next log-in; ``account`` is set by the view."""

    password = PasswordField(_l("Temporary password"), validators=[DataRequired(), Length(max=200),
                                                                   StrongPassword(_account_names)])
    repeat = PasswordField(_l("Temporary password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Reset password"))
    account: Any = None


class ActiveForm(FlaskForm):
    """Activate an account, or deactivate it once asked (``confirm`` is "yes" after the dialog or the page)."""

    confirm = HiddenField()
    submit = SubmitField(_l("Save"))


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[("department", _l("Municipal department")), ("district", _l("District")),
                                            ("county", _l("County")), ("street", _l("Street office"))])
    parent = SelectField(_l("Part of"), coerce=int, choices=[])
    email = StringField(_l("Contact email"), validators=[Optional(), Email(), Length(max=254)])
    head_email = StringField(_l("Head's email"), validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField(_l("Add unit"))


class UnitEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_zh = StringField(_l("Name in Chinese"), validators=[Optional(), Length(max=200)])
    name_es = StringField(_l("Name in Spanish"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[("department", _l("Municipal department")), ("district", _l("District")),
                                            ("county", _l("County"))])
    parent = SelectField(_l("Part of"), coerce=int, choices=[])
    email = StringField(_l("Contact email"), validators=[Optional(), Email(), Length(max=254)])
    head_email = StringField(_l("Head's email"), validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField(_l("Save unit"))


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Add category"))


class CategoryEditForm(FlaskForm):
    name = StringField(_l("Name (empty: unchanged)"), validators=[Optional(), Length(max=100)])
    parent = SelectField(_l("Part of"), coerce=int, choices=[])
    unit = SelectField(_l("Handled by default by"), coerce=int, choices=[])
    answer_days = IntegerField(_l("Working days to answer (empty: by kind)"),
                               validators=[Optional(), NumberRange(min=1, max=60)])
    name_zh = StringField(_l("Name in Chinese"), validators=[Optional(), Length(max=100)])
    name_es = StringField(_l("Name in Spanish"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Save category"))


class ToggleForm(FlaskForm):
    """Switch a unit or category on or off; switching off asks for a confirmation first (``confirm``)."""

    confirm = HiddenField()
    submit = SubmitField(_l("Switch active"))
