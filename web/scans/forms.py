"""Forms of the paper channel: the upload (files checked by their bytes) and the review of a recognised letter."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, MultipleFileField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from cases.sniff import SCAN_TYPES, sniff
from web.form_fields import KIND_CHOICES


def uploaded(field: MultipleFileField) -> list[FileStorage]:
    return [f for f in (field.data or []) if isinstance(f, FileStorage) and f.filename]


class ScanFiles:
    """Validator: at least one file, each really a PNG, JPEG, TIFF, HEIC or PDF by its bytes (it starts as one and
    opens; the name is not trusted)."""

    def __call__(self, form: object, field: MultipleFileField) -> None:
        files = uploaded(field)
        if not files:
            raise ValidationError(_l("Choose at least one scanned page."))
        for item in files:
            data = item.stream.read()
            item.stream.seek(0)
            if sniff(data) not in SCAN_TYPES:
                raise ValidationError(_l("“%(name)s” is not a PNG, JPEG, TIFF, HEIC or PDF file that can be opened.",
                                         name=item.filename))


class UploadForm(FlaskForm):
    files = MultipleFileField(_l("Scanned pages or photos (PNG, JPEG, TIFF, HEIC or PDF)"), validators=[ScanFiles()],
                              render_kw={"accept": "image/png,image/jpeg,image/tiff,image/heic,image/heif,"
                                                   "application/pdf"})
    mode = RadioField(_l("The files are"), default="letter", choices=[
        ("letter", _l("the pages of one letter")),
        ("batch", _l("a batch: each file, and each blank separator page, starts a new letter")),
    ])
    submit = SubmitField(_l("Upload and read"))


class ReviewForm(FlaskForm):
    """The clerk checks what was read and registers the letter as a case."""

    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    category = SelectField(_l("Category"), coerce=int, choices=[])
    urgent = BooleanField(_l("Urgent"))
    sender_name = StringField(_l("Sender's name"), validators=[Optional(), Length(max=200)])
    sender_address = TextAreaField(_l("Sender's address"), validators=[Optional(), Length(max=1000)],
                                   render_kw={"rows": 3})
    sender_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    sender_email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    text = TextAreaField(_l("Letter text"), validators=[DataRequired(), Length(max=200_000)],
                         render_kw={"rows": 24, "spellcheck": "true"})
    submit = SubmitField(_l("Register as a case"), render_kw={"accesskey": "s"})
