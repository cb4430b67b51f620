from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, HiddenField, MultipleFileField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from web.form_fields import KIND_CHOICES, REPLY_CHOICES, Attachments
from web.upload_limits import megabytes, over_limit

# A form's submission key (cases.submissions): sending the same form twice opens one case.
SUBMISSION_KEY = r"^[A-Za-z0-9_-]{16,64}$"
PHONE = Regexp(r"^\+?[0-9 ()\-]{5,20}$", message=_l("Enter a phone number of digits (and + - spaces)."))


class LetterForm(FlaskForm):
    """The public 'write to the mayor' form."""

    kind = SelectField(_l("What kind of letter is it?"), choices=KIND_CHOICES, validators=[DataRequired()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(min=4, max=200)])
    body = TextAreaField(_l("Your letter"), validators=[DataRequired(), Length(min=10, max=20000)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])  # see __init__
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    address = TextAreaField(_l("Postal address"), validators=[Optional(), Length(max=500)])
    preferred_reply = RadioField(_l("How should we answer?"), choices=REPLY_CHOICES, default="email",
                                 validators=[DataRequired()])
    # Where the matter is (optional): an address, and/or a point the map pin fills in (typed by hand without JS).
    place_address = StringField(_l("Where is it? Street and number"), validators=[Optional(), Length(max=300)])
    place_lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)])
    place_long = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)])
    consent = BooleanField(_l("You may publish my letter and the reply without my personal details."))
    attachments = MultipleFileField(_l("Attachments (up to 5: images or PDFs of up to 10 MB, voice recordings "
                                       "such as WAV, MP3 or AMR of up to 20 MB)"),
                                    validators=[Attachments(audio=True)])
    submission_key = HiddenField(validators=[Optional(), Regexp(SUBMISSION_KEY)])
    submit = SubmitField(_l("Send the letter"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ANONYMOUS_LETTERS: the office lets citizens write without a name.
        self.anonymous_allowed = bool(current_app.config.get("ANONYMOUS_LETTERS"))
        if self.anonymous_allowed:
            self.name.validators = [Optional(), Length(max=100)]
            self.name.flags.required = False
            self.name.label.text = _l("Your name (optional: you may write anonymously)")

    def validate(self, extra_validators=None):  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        lat, lon = self.place_lat, self.place_long
        if valid is not None and not (lat.errors or lon.errors) and (lat.data is None) != (lon.data is None):
            # An optional empty field stops its own validators, so the pair is checked here, on the empty one.
            (lon if lon.data is None else lat).errors = [_l("Give both latitude and longitude, or neither.")]
            return False
        return valid

    def validate_attachments(self, field):  # type: ignore[no-untyped-def]
        if over_limit():
            field.data = []  # never stored: the citizen chooses smaller files and sends again
            limits = current_app.config
            raise ValidationError(_l("The files together are larger than %(total)s MB, so they were not sent (each "
                                     "may be at most %(file)s MB, a recording %(audio)s MB). Your letter is below: "
                                     "choose fewer or smaller files and send it again.",
                                     total=megabytes(limits["MAX_CONTENT_LENGTH"]),
                                     file=megabytes(limits["MAX_ATTACHMENT_BYTES"]),
                                     audio=megabytes(limits["MAX_AUDIO_BYTES"])))

    def validate_preferred_reply(self, field):  # type: ignore[no-untyped-def]
        if self.anonymous_allowed and not any((f.data or "").strip() for f in (self.email, self.address,
                                                                                 self.phone)):
            return  # no contact at all: the answer is read on the tracking page
        needed = {"email": self.email, "post": self.address, "phone": self.phone}[field.data]
        if not (needed.data or "").strip():
            raise ValidationError(_l("Fill in “%(field)s” to be answered this way.", field=needed.label.text))


class TrackForm(FlaskForm):
    number = StringField(_l("Case number"), validators=[DataRequired(), Length(max=20)])
    code = StringField(_l("Tracking code"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Show my case"))


class RatingForm(FlaskForm):
    number = StringField(validators=[DataRequired(), Length(max=20)])
    code = StringField(validators=[DataRequired(), Length(max=20)])
    satisfaction = RadioField(_l("Are you satisfied with the answer?"), validators=[DataRequired()], choices=[
        ("satisfied", _l("Satisfied")), ("basically", _l("Basically satisfied")),
        ("unsatisfied", _l("Not satisfied"))])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send my rating"))


class SurveyForm(FlaskForm):
    """The email survey's answer (``web.public.survey``)."""

    answer = RadioField(_l("Are you satisfied with how your case was handled?"), validators=[DataRequired()],
                        choices=[("1", _l("Satisfied")), ("2", _l("Basically satisfied")),
                                 ("3", _l("Not satisfied"))])
    submit = SubmitField(_l("Send my answer"))
