"""Whole public pages rendered once per language and process, with per-visitor values filled in afterwards.

The letter form and its confirmation are the busiest pages, and for a visitor who is not logged in they differ
only in a few values: the CSRF token, the case number and the tracking code. The page is rendered once with a
placeholder for each value (a random word of letters and digits, which escaping and URL quoting leave as it is)
and the values are put in their place on each request. A value is used only if it consists of letters, digits,
``.``, ``-`` and ``_`` (it then needs no escaping in text, attributes or URLs); anything else, a logged-in user
(whose page frame differs) or a flashed message waiting in the session renders the page normally.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from web.app_state import state

SAFE_VALUE = re.compile(r"[A-Za-z0-9._-]+\Z")


def _placeholders(names: tuple[str, ...]) -> dict[str, str]:
    marks: dict[str, str] = state().page_cache_marks
    for name in names:
        if name not in marks:
            marks[name] = f"pagevalue{secrets.token_hex(12)}"
    return {name: marks[name] for name in names}


def cached_page(render: Callable[..., str], **values: str) -> str:
    """``render(**values)``, from a copy rendered once per (page, language) in this process when it may be.

    ``render`` must depend on nothing of the request but ``values``, the language, the path and the CSRF token
    (which is filled in the same way)."""
    if (current_user.is_authenticated or "_flashes" in session
            or not all(isinstance(v, str) and SAFE_VALUE.match(v) for v in values.values())):
        return render(**values)
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = generate_csrf()
    marks = _placeholders((field, *values))
    cache: dict[tuple[str, str, str], str] = state().page_cache
    key = (request.endpoint or "", request.path, str(get_locale()))
    page = cache.get(key)
    if page is None:
        setattr(g, field, marks[field])  # the page's token fields and csrf_token() calls render the placeholder
        try:
            page = render(**{name: marks[name] for name in values})
        finally:
            setattr(g, field, token)
        cache[key] = page
    page = page.replace(marks[field], token)
    for name, value in values.items():
        page = page.replace(marks[name], value)
    return page
