"""The forms of a case's parts: pass down, answer a part, review a sub-unit's part, chase a part."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from web.form_fields import PlausibleDate


class PassDownForm(FlaskForm):
    sub_unit = SelectField(_l("Sub-unit"), coerce=int, choices=[], validators=[DataRequired()])
    instructions = TextAreaField(_l("Instructions for the sub-unit"), validators=[DataRequired(), Length(max=2000)])
    due = DateField(_l("Due on (no later than your own deadline)"), validators=[DataRequired(), PlausibleDate()])
    submit = SubmitField(_l("Pass down"))


class AnswerPartForm(FlaskForm):
    body = TextAreaField(_l("Your unit's part"), validators=[DataRequired(), Length(max=20000)])
    submit = SubmitField(_l("Give our part"))


class ReviewPartForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("accept", _l("Accept the part")),
                                                   ("send_back", _l("Send it back to the sub-unit"))],
                          validators=[DataRequired()])
    note = TextAreaField(_l("Note (the reason, when sending back)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Decide"))

    def validate_note(self, field: Any) -> None:
        if self.decision.data == "send_back" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the part goes back to the sub-unit."))


class ChasePartForm(FlaskForm):
    note = StringField(_l("Note for the unit"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Chase"))
