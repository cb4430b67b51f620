"""The key that recognises the same email again: re-delivered, copied to another folder, or after UIDVALIDITY changed.

Message-ID alone is not enough (some senders reuse or omit it) and the raw bytes are not either (every delivery adds
its own ``Received`` lines), so the key is Message-ID plus a hash of the content that a re-delivery does not change.
"""
from __future__ import annotations

import hashlib
import re

# Headers that identify the content; trace headers (Received, Delivered-To, Return-Path, X-...) are left out.
CONTENT_HEADERS = (b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"content-type", b"in-reply-to")
_SPLIT = re.compile(rb"\r?\n\r?\n")
_FOLD = re.compile(rb"\r?\n[ \t]+")


def split_message(raw: bytes) -> tuple[bytes, bytes]:
    """(header section, body) of a raw message."""
    parts = _SPLIT.split(raw, maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else b""


def content_hash(raw: bytes) -> str:
    """sha256 of the identifying headers and the body, line endings and trailing blanks normalised."""
    head, body = split_message(raw)
    digest = hashlib.sha256()
    wanted: dict[bytes, list[bytes]] = {}
    for line in _FOLD.sub(b" ", head).splitlines():
        name, sep, value = line.partition(b":")
        key = name.strip().lower()
        if sep and key in CONTENT_HEADERS:
            wanted.setdefault(key, []).append(b" ".join(value.split()))
    for key in CONTENT_HEADERS:
        for value in wanted.get(key, ()):
            digest.update(key + b":" + value + b"\n")
    digest.update(b"\n")
    digest.update(body.replace(b"\r\n", b"\n").rstrip())
    return digest.hexdigest()


def dedup_key(message_id: str | None, raw: bytes) -> str:
    """The dedup key of a raw message: sha256 over its Message-ID (or none) and ``content_hash``."""
    material = f"{message_id or ''}\n{content_hash(raw)}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(material).hexdigest()


_MSGID_LINE = re.compile(rb"^message-id[ \t]*:[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE)
_ANGLE = re.compile(rb"<([^<>\s]+)>")


def raw_message_id(raw: bytes) -> str | None:
    """The Message-ID of a raw message in ``<...>`` form, read without parsing the whole message."""
    head, _ = split_message(raw)
    match = _MSGID_LINE.search(_FOLD.sub(b" ", head))
    if not match:
        return None
    value = match.group(1).strip()
    angle = _ANGLE.search(value)
    if angle:
        token = b"<" + angle.group(1) + b">"
    elif value and not any(c in value for c in b" \t"):
        token = b"<" + value + b">"
    else:
        return None
    return token[:998].decode("utf-8", "replace")
