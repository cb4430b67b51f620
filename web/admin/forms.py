from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

ROLE_CHOICES = [("clerk", _l("Clerk")), ("unit", _l("Unit handler")), ("supervisor", _l("Supervisor")),
                ("admin", _l("Administrator"))]


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    unit = SelectField(_l("Unit (for unit handlers)"), choices=[])
    submit = SubmitField(_l("Create user"))


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[("department", _l("Municipal department")), ("district", _l("District")),
                                            ("county", _l("County"))])
    parent = SelectField(_l("Part of"), coerce=int, choices=[])
    email = StringField(_l("Contact email"), validators=[Optional(), Email(), Length(max=254)])
    head_email = StringField(_l("Head's email"), validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField(_l("Add unit"))


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Add category"))


class CategoryEditForm(FlaskForm):
    parent = SelectField(_l("Part of"), coerce=int, choices=[])
    unit = SelectField(_l("Handled by default by"), coerce=int, choices=[])
    answer_days = IntegerField(_l("Working days to answer (empty: by kind)"),
                               validators=[Optional(), NumberRange(min=1, max=60)])
    name_zh = StringField(_l("Name in Chinese"), validators=[Optional(), Length(max=100)])
    name_es = StringField(_l("Name in Spanish"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Save category"))


class ToggleForm(FlaskForm):
    submit = SubmitField(_l("Switch active"))
