"""Forms of the knowledge base: proposing an article or a change, and the office's decision."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

LANG_CHOICES = [("zh", "中文"), ("en", "English"), ("es", "Español")]


class ArticleForm(FlaskForm):
    question = StringField(_l("Question"), validators=[DataRequired(), Length(max=500)])
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=20000)])
    lang = SelectField(_l("Language"), choices=LANG_CHOICES)
    category = SelectField(_l("Category"), coerce=int, choices=[])
    unit = SelectField(_l("Owning unit"), coerce=int, choices=[])
    source = StringField(_l("Source document or link"), validators=[Optional(), Length(max=1000)])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    review_date = DateField(_l("Review by"), validators=[Optional()])
    note = StringField(_l("Why this change"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Propose"))


class DecideForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
                          validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Decide"))
