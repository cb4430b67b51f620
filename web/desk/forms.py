from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from web.forms_common import KIND_CHOICES
from web.public.forms import PHONE, SUBMISSION_KEY


class PhoneCallForm(FlaskForm):
    """The clerk's fast form while on the phone: every field reachable with Tab, sent with Enter."""

    caller = StringField(_l("Caller"), validators=[DataRequired(), Length(max=100)],
                         render_kw={"autofocus": True, "autocomplete": "off"})
    phone = StringField(_l("Number"), validators=[DataRequired(), PHONE], render_kw={"autocomplete": "off"})
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    category = SelectField(_l("Category"), coerce=int, choices=[])
    urgent = BooleanField(_l("Urgent"))
    major_emergency = BooleanField(_l("Major emergency"))
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(min=5, max=10000)])
    submission_key = HiddenField(validators=[Optional(), Regexp(SUBMISSION_KEY)])  # saving twice: one case
    submit = SubmitField(_l("Save call"), render_kw={"accesskey": "s"})
