"""Forms of the privacy pages: the access log's filters (a GET form) and the erasure request."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class LogFilterForm(FlaskForm):
    """Filters of the access log: a GET form (bookmarkable, read-only), so no CSRF token."""

    class Meta:
        csrf = False

    user = SelectField(_l("User"), coerce=int, default=0, validators=[Optional()])
    action = SelectField(_l("Action"), default="", validators=[Optional()])
    case = StringField(_l("Case number"), validators=[Optional(), Length(max=20)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


class EraseForm(FlaskForm):
    reason = TextAreaField(_l("The citizen's request (how and when it came)"),
                           validators=[DataRequired(), Length(max=2000)])
    confirm = BooleanField(_l("I understand that the citizen's personal data and files are erased for good"),
                           validators=[DataRequired()])
    submit = SubmitField(_l("Erase the citizen's data"))
