"""Every file the app hands out goes through here: a download under a name we make, never the sender's.

A file from outside (a citizen's upload, an email attachment, a quarantined original) gets the type our sniffer
reads from its bytes and the matching extension, so a script dressed as a letter is saved as ``.txt`` or
``.bin`` and never opens as a page; files we made ourselves (letters, reports) keep the type we made them as.
"""
from __future__ import annotations

from flask import Response, request
from werkzeug.utils import secure_filename

from cases.sniff import AUDIO_TYPES, extension_of, sniff

# If a browser shows the file after all, it runs nothing and loads nothing.
_SANDBOX = "default-src 'none'; sandbox"


def download(data: bytes, stem: str, *, content_type: str | None = None, inline: bool = False) -> Response:
    """``data`` as ``<stem>.<extension of its type>``. Without ``content_type`` the type is sniffed from the
    bytes (always, for a file from outside). ``inline``: let the browser show it (our own PDF previews)."""
    kind = content_type or sniff(data)
    response = Response(data, mimetype=kind)
    name = f"{secure_filename(stem) or 'file'}.{extension_of(kind)}"
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if content_type is None:
        response.headers["Content-Security-Policy"] = _SANDBOX
    return response


def playable(data: bytes, stem: str) -> Response | None:
    """``data`` for an ``<audio>`` player on our pages: inline, with the sniffed type, in the ranges the player
    asks for; ``None`` unless the bytes are a sound recording (nothing else is ever served inline from outside)."""
    kind = sniff(data)
    if kind not in AUDIO_TYPES:
        return None
    response = download(data, stem, content_type=kind, inline=True)
    response.headers["Content-Security-Policy"] = _SANDBOX
    return response.make_conditional(request, accept_ranges=True, complete_length=len(data))
