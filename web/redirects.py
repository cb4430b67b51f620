"""The one way to redirect to a place a request names (``next=``): a path on this site, or the default.

Browsers forgive a lot when they read a ``Location``: they drop tabs and line breaks anywhere, strip spaces and
control characters at the ends, and read ``\\`` as ``/``; so ``/\\t/evil.example`` and ``/\\evil.example`` both
become ``//evil.example``, another host. Rather than guess every such rule, only a plain absolute path made of
visible characters is accepted: no scheme, no host, no ``//`` or ``\\`` at its start, no whitespace, control or
invisible formatting characters anywhere (which also keeps CR/LF out of the header).
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import redirect
from werkzeug.wrappers import Response

MAX_LENGTH = 2000


def _plain_character(char: str) -> bool:
    # Categories C* (control, format, unassigned, private use) and Z* (every kind of space and line separator).
    return char != "\\" and unicodedata.category(char)[0] not in "CZ"


def local_path(target: object, default: str) -> str:
    """``target`` if it is a path on this site (``/cases/2026-000001?tab=x``), else ``default``."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if len(target) > MAX_LENGTH or not all(_plain_character(char) for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    return target


def redirect_local(target: object, default: str) -> Response:
    """A redirect to ``target`` if it is a path on this site, else to ``default``."""
    return redirect(local_path(target, default))
