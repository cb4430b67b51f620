"""The key that recognises the same email again: re-delivered, copied to another folder, or after UIDVALIDITY changed.

Message-ID alone is not enough (some senders reuse or omit it) and the raw bytes are not either (every delivery adds
its own ``Received`` lines), so the key is Message-ID plus a hash of the content that a re-delivery does not change.
"""
from __future__ import annotations

import hashlib
import re

# Headers that identify the content; trace headers (Received, Delivered-To, Return-Path, X-...) are left out.
CONTENT_HEADERS = (b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"content-type", b"in-reply-to")
_FOLD = re.compile(rb"\r?\n[ \t]+")


def split_message(raw: bytes) -> tuple[bytes, memoryview]:
    """(header section, body) of a raw message; the body is a view, so a big message is not copied."""
    # Search the bare-LF forms only before the first CRLF blank line: a big CRLF body is scanned once, not thrice.
    crlf = raw.find(b"\r\n\r\n")
    limit = crlf if crlf >= 0 else len(raw)
    ends = [(crlf, 4)] if crlf >= 0 else []
    ends += [(pos, len(sep)) for sep in (b"\n\n", b"\n\r\n") if (pos := raw.find(sep, 0, limit)) >= 0]
    if not ends:
        return raw, memoryview(b"")
    pos, length = min(ends)
    return raw[:pos], memoryview(raw)[pos + length:]



def content_hash(raw: bytes) -> str:
    """sha256 of the identifying headers (unfolded, whitespace collapsed) and the body (trailing blanks cut)."""
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
    # IMAP always hands out CRLF line ends, so the body is hashed as is (no copy); only trailing blanks are cut,
    # since some relays add or drop a final line end.
    end = len(body)
    while end and body[end - 1] in b" \t\r\n":
        end -= 1
    digest.update(body[:end])
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
