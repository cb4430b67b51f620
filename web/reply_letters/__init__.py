"""Reply letters in the app: template editing for admins, the print queue, reply PDFs and phone scripts.

Rendering itself is ``reply_render``; the reply's life is ``cases.letters``; this package joins the two.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from web.code_labels import label
from web.reply_letters.views import bp  # noqa: F401

# Code values of the letter machinery (reply states, events, purposes) the shared label table does not know.
LETTER_LABELS = {
    "awaiting_approval": _l("awaiting approval"), "sent_back": _l("sent back"), "to_print": _l("to print"),
    "to_call": _l("to call"), "approve_reply": _l("reply approved"), "return_reply": _l("reply sent back"),
    "decide_reply": _l("approve reply"), "reply_submitted": _l("reply submitted for approval"),
    "reply_posted": _l("reply posted"), "reply_called": _l("reply given by phone"),
    "acknowledgement": _l("acknowledgement"), "return_notice": _l("return notice"),
    "merged_duplicate": _l("merged duplicate"), "satisfaction_request": _l("satisfaction request"),
}


def letter_label(value: object) -> str:
    """Like the ``label`` filter, knowing the letter values too."""
    key = str(getattr(value, "value", value))
    return str(LETTER_LABELS[key]) if key in LETTER_LABELS else label(value)


def init_app(app: Flask) -> None:
    """Register the ``letter_label`` filter (the blueprint is registered with the others)."""
    app.jinja_env.filters["letter_label"] = letter_label
