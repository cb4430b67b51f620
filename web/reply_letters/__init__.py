"""Reply letters in the app: template editing for admins, the print queue, reply PDFs and phone scripts.

Rendering itself is ``reply_render``; the reply's life is ``cases.letters``; this package joins the two.
"""
from __future__ import annotations

from flask import Flask

from web.code_labels import label
from web.reply_letters.views import bp  # noqa: F401

def letter_label(value: object) -> str:
    """The ``label`` filter under the name the letter templates use (one table of labels for every code)."""
    return label(value)


def init_app(app: Flask) -> None:
    """Register the ``letter_label`` filter (the blueprint is registered with the others)."""
    app.jinja_env.filters["letter_label"] = letter_label
