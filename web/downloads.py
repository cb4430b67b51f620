"""Every file the app hands out goes through here: a download under a name we make, never the sender's.

A file from outside (a citizen's upload, an email attachment, a quarantined original) gets the type our sniffer
reads from its bytes and the matching extension, so a script dressed as a letter is saved as ``.txt`` or
``.bin`` and never opens as a page; files we made ourselves (letters, reports) keep the type we made them as.
"""
from __future__ import annotations

from flask import Response
from werkzeug.utils import secure_filename

from cases.sniff import extension_of, sniff

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
