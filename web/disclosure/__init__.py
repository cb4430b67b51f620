"""Disclosure: the public archive and statistics, the staff's publication review, and the Open311 API (its key
commands are in web.commands.open311)."""
from __future__ import annotations

from flask import Flask

from web.disclosure.views import bp  # noqa: F401


def init_app(app: Flask) -> None:
    """Register the Open311 blueprint."""
    from web.disclosure.open311 import bp as api_bp

    app.register_blueprint(api_bp)
