"""Reading numbers from the query string and the URL, and refusing characters no field can hold.

A number a user types into a URL may be anything: ``page=99999999999999999999`` or ``/reports/1e99`` must not
reach the database (an integer column overflows there, an error page with a 500 follows). Every number read from
the query string goes through ``int_arg``, which falls back to the default outside the range the view allows, and
``<int:...>`` in routes accepts at most a 32-bit value (the ids of every table). A NUL character fits no text
column (PostgreSQL refuses it) and no header: a request carrying one is refused as 400, like any malformed request.
"""
from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # INTEGER columns


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """The query parameter ``name`` as an int within [minimum, maximum], else ``default``."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.strip().lstrip("-").isdigit() or len(raw) > 12:
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default


class BoundedInt(IntegerConverter):
    """``<int:...>``: at most ``MAX_ID`` unless a route asks for another ``max``; larger numbers are a 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _has_nul() -> bool:
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form):
        for _, value in values.items(multi=True):
            if "\x00" in value:
                return True
    return False


def init_app(app: Flask) -> None:
    """Bound ``<int:>`` route values and refuse requests carrying NUL characters."""
    app.url_map.converters["int"] = BoundedInt

    @app.before_request
    def refuse_nul() -> None:
        if _has_nul():
            abort(400)
