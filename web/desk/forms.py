"""The desk's phone-call form, and the letter draft a filled-in call becomes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from cases.drafts import AttachmentDraft, Channel, LetterDraft, PlaceDraft
from web.casepage.forms import RATING_CHOICES, ArticleIds
from web.form_fields import KIND_CHOICES, Recording
from web.public.forms import PHONE, SUBMISSION_KEY

ANSWERABLE_KINDS = ("consultation", "help")  # as cases.services.DIRECT_KINDS


class PhoneCallForm(FlaskForm):
    """The clerk's fast form while on the phone: every field reachable with Tab, sent with Enter."""

    caller = StringField(_l("Caller"), validators=[DataRequired(), Length(max=100)],
                         render_kw={"autofocus": True, "autocomplete": "off"})
    phone = StringField(_l("Number"), validators=[DataRequired(), PHONE], render_kw={"autocomplete": "off"})
    address = StringField(_l("Postal address"), validators=[Optional(), Length(max=500)],
                          render_kw={"autocomplete": "off"})
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    category = SelectField(_l("Category"), coerce=int, choices=[])
    # Where the matter is: looked up in the office's address list (cases.geocode).
    place = StringField(_l("Where (street address)"), validators=[Optional(), Length(max=300)],
                        render_kw={"autocomplete": "off"})
    urgent = BooleanField(_l("Urgent"))
    major_emergency = BooleanField(_l("Major emergency"))
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(min=5, max=10000)],
                            render_kw={"data-suggest": "summary"})
    # Answering on the call: with an answer the call is saved and answered directly at once.
    answer = TextAreaField(_l("Answer given on the call (consultations and requests for help)"),
                           validators=[Optional(), Length(max=20000)], render_kw={"data-answer": "body"})
    articles = ArticleIds(_l("Knowledge base articles used"), validators=[Optional(), Length(max=200)],
                          render_kw={"data-answer": "articles", "autocomplete": "off"})
    satisfaction = RadioField(_l("Rating given on the call"), validators=[Optional()],
                              choices=[("", _l("Not asked"))] + RATING_CHOICES, default="")
    # The call's recording or a voice message the caller left, kept with the case (after the answer: saving stays
    # one Tab after the summary).
    recording = FileField(_l("Call recording or voice message (WAV, MP3, AMR or 3GP, up to 20 MB)"),
                          validators=[Recording()])
    # The number of an open case this call follows up (set from the caller's history beside the form).
    follow_up = HiddenField(validators=[Optional(), Length(max=20)], render_kw={"data-follow-up": "case"})
    submission_key = HiddenField(validators=[Optional(), Regexp(SUBMISSION_KEY)])  # saving twice: one case
    submit = SubmitField(_l("Save call"), render_kw={"accesskey": "s"})

    def validate_answer(self, field: TextAreaField) -> None:
        if (field.data or "").strip() and self.kind.data not in ANSWERABLE_KINDS:
            raise ValidationError(_l("Only consultations and requests for help are answered on the call."))

    def letter_draft(self) -> LetterDraft:
        """The call as a letter draft: the summary's first line is its subject, the recording its attachment."""
        summary = self.summary.data.strip()
        place = (self.place.data or "").strip()
        return LetterDraft(channel=Channel.PHONE, subject=summary.splitlines()[0][:120], body=summary,
                           sender_name=self.caller.data, sender_phone=self.phone.data,
                           sender_address=self.address.data or "", preferred_reply="phone", kind=self.kind.data,
                           urgent=self.urgent.data, attachments=self._recording(),
                           place=PlaceDraft(address=place, source="address") if place else None)

    def _recording(self) -> list[AttachmentDraft]:
        """The call's recording as the draft's attachment (checked already by the validator), or none."""
        item = self.recording.data
        if not getattr(item, "filename", None):
            return []
        return [AttachmentDraft(filename=item.filename, data=item.read(), declared_type=item.mimetype)]
