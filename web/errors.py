"""Friendly error pages: never a traceback to a user, and an outage said as such (503, try again later)."""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from cases.outages import DATABASE, outage_of
from web.upload_limits import megabytes

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You may not do this."),
    404: _l("This page does not exist."),
    405: _l("This page cannot be used this way."),
    429: _l("Too many requests. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Nothing you sent was lost; please try again later."),
}


def _too_large() -> str:
    cfg = current_app.config
    return _("The upload is too large: files may be at most %(file)s MB each (recordings %(audio)s MB) and "
             "%(total)s MB together. Nothing was sent. Go back: what you wrote is still in the form; choose fewer "
             "or smaller files.", file=megabytes(cfg["MAX_ATTACHMENT_BYTES"]), audio=megabytes(cfg["MAX_AUDIO_BYTES"]),
             total=megabytes(cfg["MAX_CONTENT_LENGTH"]))


def _page(code: int, message: str) -> tuple[str, int]:
    return render_template("pages/error.html", code=code, message=message), code


def outage_page(kind: str, *, kept: bool = False) -> Response:
    """503 with ``Retry-After`` (OUTAGE_RETRY_SECONDS): what is down, and what became of what was sent. ``kept``:
    the letter was kept and will be registered once the database is back (``cases.spool``)."""
    if kind == DATABASE:
        title = _("The case database cannot be reached")
        what = _("Our case database is not answering at the moment. We are working on it.")
    else:
        title = _("Our storage is full")
        what = _("The disk where we keep letters and files is full at the moment. We are working on it.")
    if kept:
        sent = _("Your letter was received and kept: it will be registered as soon as the database is back. Send "
                 "the same form again later to see its case number; it will not be registered twice.")
    elif request.method == "POST":
        sent = _("What you sent was NOT received. Please send it again later.")
    else:
        sent = ""
    response = Response(render_template("pages/outage.html", title=title, what=what, sent=sent), 503)
    response.headers["Retry-After"] = str(int(current_app.config["OUTAGE_RETRY_SECONDS"]))
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError) -> tuple[str, int]:
        return _page(400, _("The form expired or was not sent from this site. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> tuple[str, int]:
        code = err.code or 500
        if code == 413:
            return _page(code, _too_large())
        return _page(code, str(MESSAGES.get(code) or err.description or _("Error.")))

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> tuple[str, int] | Response:
        kind = outage_of(err)
        if kind is not None:
            app.logger.error("outage (%s): %s", kind, err)
            return outage_page(kind)
        app.logger.exception("unhandled error")
        return _page(500, str(MESSAGES[500]))
