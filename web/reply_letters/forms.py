"""Forms of the letter pages: the template editor, print today's post, recording a phone call."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class TemplateForm(FlaskForm):
    source = TextAreaField(_l("Template"), validators=[DataRequired(), Length(max=50_000)])
    note = StringField(_l("What changed"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Save new version"))
    preview = SubmitField(_l("Preview PDF"))


class RestoreForm(FlaskForm):
    submit = SubmitField(_l("Use this version again"))


class PrintForm(FlaskForm):
    submit = SubmitField(_l("Print all and mark as posted"))


class PrintedForm(FlaskForm):
    """The second step of printing the post: the clerk says whether the print went well."""

    confirm = SubmitField(_l("The print went well: mark them as posted"))
    cancel = SubmitField(_l("Something went wrong: keep them waiting"))


class CallForm(FlaskForm):
    outcome = TextAreaField(_l("How did the call go?"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record the call"))
