"""Friendly error pages: never a traceback to a user."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be understood.",
    403: "You may not do this.",
    404: "This page does not exist.",
    405: "This page cannot be used this way.",
    413: "The upload is too large. Attachments may be at most 10 MB each and 25 MB together.",
    429: "Too many requests. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing you sent was lost; please try again later.",
}


def _page(code: int, message: str) -> tuple[str, int]:
    return render_template("pages/error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError) -> tuple[str, int]:
        return _page(400, _("The form expired or was not sent from this site. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> tuple[str, int]:
        code = err.code or 500
        return _page(code, _(MESSAGES.get(code, err.description or "Error.")))

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error")
        return _page(500, _(MESSAGES[500]))
