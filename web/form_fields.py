"""Form pieces shared by several areas: choices from the domain, upload checks by content."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from wtforms import Field
from wtforms.validators import ValidationError

from cases.calendar import EARLIEST_DATE, LATEST_DATE, plausible_date
from cases.drafts import AttachmentDraft
from cases.sniff import AUDIO_TYPES, UPLOAD_TYPES, sniff

KIND_CHOICES = [
    ("consultation", _l("Consultation")),
    ("report", _l("Report of a problem")),
    ("suggestion", _l("Suggestion")),
    ("help", _l("Request for help")),
    ("complaint", _l("Complaint")),
    ("praise", _l("Praise")),
]
REPLY_CHOICES = [("email", _l("By email")), ("post", _l("By post")), ("phone", _l("By phone"))]


def _files(field: Field) -> list[FileStorage]:
    return [f for f in (field.data or []) if isinstance(f, FileStorage) and f.filename]


class Attachments:
    """Validator: at most ``MAX_ATTACHMENTS`` files, each really an image or PDF by its bytes (it starts as one and
    opens) within ``MAX_ATTACHMENT_BYTES``, or, with ``audio``, a recording within ``MAX_AUDIO_BYTES``."""

    def __init__(self, *, audio: bool = False) -> None:
        self.audio = audio

    def __call__(self, form: object, field: Field) -> None:
        cfg = current_app.config
        files = _files(field)
        if len(files) > int(cfg["MAX_ATTACHMENTS"]):
            raise ValidationError(_l("At most %(n)s files.", n=cfg["MAX_ATTACHMENTS"]))
        for item in files:
            _check_file(item, documents=True, audio=self.audio)


class Recording:
    """Validator for one optional file field: a call recording or voice message (WAV, MP3, AMR, 3GP, M4A, OGG by
    its bytes) within ``MAX_AUDIO_BYTES``."""

    def __call__(self, form: object, field: Field) -> None:
        item = field.data
        if isinstance(item, FileStorage) and item.filename:
            _check_file(item, documents=False, audio=True)


def _check_file(item: FileStorage, *, documents: bool, audio: bool) -> None:
    """Refuse ``item`` unless its bytes are an accepted type within that type's size limit."""
    cfg = current_app.config
    document_limit, audio_limit = int(cfg["MAX_ATTACHMENT_BYTES"]), int(cfg["MAX_AUDIO_BYTES"])
    limit = max(document_limit if documents else 0, audio_limit if audio else 0)
    data = item.stream.read(limit + 1)
    item.stream.seek(0)
    kind = sniff(data[:limit])
    if audio and kind in AUDIO_TYPES:
        if len(data) > audio_limit:
            raise ValidationError(_l("The recording “%(name)s” is larger than %(mb)s MB.", name=item.filename,
                                     mb=_megabytes(audio_limit)))
        return
    if documents and len(data) > document_limit:
        raise ValidationError(_l("“%(name)s” is larger than %(mb)s MB.", name=item.filename,
                                 mb=_megabytes(document_limit)))
    if documents and kind in UPLOAD_TYPES:
        return
    if not documents:
        raise ValidationError(_l("“%(name)s” is not a sound recording (WAV, MP3, AMR, 3GP, M4A or OGG).",
                                 name=item.filename))
    if audio:
        raise ValidationError(_l("“%(name)s” is not an image or PDF, nor a sound recording (WAV, MP3, AMR, 3GP, "
                                 "M4A or OGG).", name=item.filename))
    raise ValidationError(_l("“%(name)s” is not an image or PDF.", name=item.filename))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def attachment_drafts(field: Field) -> list[AttachmentDraft]:
    """The uploaded files as drafts (validated already by :class:`Attachments`)."""
    return [AttachmentDraft(filename=f.filename or "file", data=f.read(), declared_type=f.mimetype)
            for f in _files(field)]


class PlausibleDate:
    """Validator: a date between ``cases.calendar.EARLIEST_DATE`` and ``LATEST_DATE`` (nothing outside them is asked
    about, and arithmetic on a date like 9999-12-31 overflows)."""

    def __call__(self, form, field) -> None:  # type: ignore[no-untyped-def]
        if field.data is not None and not plausible_date(field.data):
            raise ValidationError(_l("Dates must lie between %(first)s and %(last)s.", first=EARLIEST_DATE,
                                     last=LATEST_DATE))


def category_choices(blank: str = "—") -> list[tuple[int, str]]:
    """Every active category as "parent → child" in the UI language, after a blank first choice."""
    from cases.categories import paths
    from web.reply_letters.drafting import ui_language
    from web.app_state import db

    return [(0, blank)] + paths(db(), ui_language())
