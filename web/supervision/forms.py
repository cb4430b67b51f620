"""The supervise form (case page and deadlines list): put a case under supervision with a note, or lift it."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length, ValidationError

from web.redirects import local_path


class SuperviseForm(FlaskForm):
    """``end`` = "1" lifts the supervision (the note is then optional); otherwise the note for the unit is
    required. The CSRF token comes with the form."""

    note = TextAreaField(_l("Note for the unit"), validators=[Length(max=2000)])
    end = HiddenField()
    next = HiddenField()

    def validate_note(self, field: Any) -> None:
        if self.end.data != "1" and not (field.data or "").strip():
            raise ValidationError(_l("Write a note for the unit: why the case is under supervision."))

    def target(self, default: str) -> str:
        """Where to go back to: a path on this site only (never another host)."""
        return local_path(self.next.data, default)
