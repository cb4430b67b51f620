"""The domain's error messages in the reader's language.

``cases`` words its errors in English with named parameters and marks them for extraction (``cases.errors.N_``);
here they are looked up in the catalog and filled in, code values by their translated labels."""
from __future__ import annotations

from flask_babel import gettext

from cases import texts
from cases.errors import CaseError, Code
from cases.models import Case, Event
from cases.models_privacy import AccessLog
from search_index.errors import SearchIndexError
from web.code_labels import label, named_by_name


def say(error: Exception) -> str:
    """What ``error`` tells the user, translated; an error without a marked message is shown as it is. The
    domain's and the search package's errors carry one (``message`` and ``params``)."""
    message = getattr(error, "message", None)
    if not isinstance(error, (CaseError, SearchIndexError)) or not message:
        return str(error)
    params = {name: label(value) if isinstance(value, Code) else value for name, value in error.params.items()}
    return gettext(message, **params)


def tell(value: object) -> str:
    """A text stored with a case (see cases.texts) in the reader's language, units and categories by their
    localized names."""
    return texts.render(value, gettext, label, named_by_name)


def event_note(event: Event) -> str:
    """An event's note in the reader's language; a note stored as plain text only is shown as it is."""
    parts = (event.data or {}).get("note_texts")
    return "; ".join(tell(part) for part in parts) if parts else event.note


def deadline_basis(case: Case) -> list[str]:
    """The lines explaining how ``case``'s deadlines were computed, in the reader's language when the deadline
    event that set them kept them as texts; otherwise the stored English lines."""
    for event in sorted(case.events, key=lambda e: (e.at, e.id), reverse=True):
        if event.action == "deadline":
            data = event.data or {}
            if data.get("basis_texts") and data.get("basis") == case.deadline_basis:
                return [tell(line) for line in data["basis_texts"]]
            break
    return case.deadline_basis.splitlines()


def log_target(row: AccessLog) -> str:
    """What an access-log row concerns, in the reader's language when it was logged as a text."""
    target = (row.data or {}).get("target_text")
    return tell(target) if target else row.target
