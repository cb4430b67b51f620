"""The domain's error messages in the reader's language.

``cases`` words its errors in English with named parameters and marks them for extraction (``cases.errors.N_``);
here they are looked up in the catalog and filled in, code values by their translated labels."""
from __future__ import annotations

from flask_babel import gettext

from cases.errors import CaseError, Code
from web.code_labels import label


def say(error: Exception) -> str:
    """What ``error`` tells the user, translated; an error without a marked message is shown as it is."""
    message = getattr(error, "message", None)
    if not isinstance(error, CaseError) or not message:
        return str(error)
    params = {name: label(value) if isinstance(value, Code) else value for name, value in error.params.items()}
    return gettext(message, **params)
