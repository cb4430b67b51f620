"""Reading header values from mail in the wild: raw 8-bit bytes, RFC 2047 encoded words, wrong charsets."""
from __future__ import annotations

import re
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses

from .charsets import decode_bytes

_FOLD = re.compile(r"\r?\n[ \t]*")
_MSGID = re.compile(r"<([^<>\s]+)>")


def _index(msg: Message) -> dict[str, list[str]]:
    """The message's raw header values by lower-case name, built once per message (parsing asks a dozen times)."""
    cached = msg.__dict__.get("_raw_header_index")
    if cached is not None and cached[0] == len(msg):
        return cached[1]
    index: dict[str, list[str]] = {}
    for key, value in msg.raw_items():
        index.setdefault(key.lower(), []).append(str(value))
    msg.__dict__["_raw_header_index"] = (len(msg), index)
    return index


def raw_header(msg: Message, name: str) -> str | None:
    """The first raw (undecoded, unparsed) value of header ``name``, or None."""
    values = _index(msg).get(name.lower())
    return values[0] if values else None


def raw_headers(msg: Message, name: str) -> list[str]:
    """Every raw value of header ``name``, in order."""
    return list(_index(msg).get(name.lower(), ()))


def decode_text(raw: str | None, notes: list[str] | None = None, where: str = "header") -> str:
    """Decode a header value to text: unfold, undo raw 8-bit bytes and encoded words, each with charset fallback."""
    if raw is None:
        return ""
    notes = notes if notes is not None else []
    value = _FOLD.sub(" ", raw)
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        # Raw 8-bit header bytes (no encoded word): the parser kept them as surrogate escapes.
        value = decode_bytes(value.encode("ascii", "surrogateescape"), None, notes, where)
    if "=?" not in value:
        return value.strip()
    try:
        chunks = decode_header(value)
    except Exception:  # malformed encoded word: keep the text as it came
        notes.append(f"undecodable encoded word in {where}")
        return value.strip()
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset or "utf-8", notes, where))
        else:
            out.append(chunk)
    return "".join(out).strip()


def first_address(msg: Message, names: tuple[str, ...], notes: list[str]) -> tuple[str, str, str | None]:
    """(display name, address, header used) from the first of ``names`` that holds an address."""
    for name in names:
        for raw in raw_headers(msg, name):
            try:
                pairs = getaddresses([_FOLD.sub(" ", raw)])
            except Exception:
                continue
            for display, address in pairs:
                address = decode_text(address, notes, name).strip()
                if "@" in address or address:
                    return decode_text(display, notes, name).strip().strip('"'), address, name
    return "", "", None


def message_ids(values: list[str]) -> list[str]:
    """All ``<id>`` tokens in the given header values, in order, without repeats, brackets kept."""
    seen: list[str] = []
    for value in values:
        for match in _MSGID.finditer(value):
            token = f"<{match.group(1)}>"
            if token not in seen:
                seen.append(token)
    return seen


def message_id(msg: Message) -> str | None:
    """The Message-ID of ``msg`` in ``<...>`` form, or None if it has none."""
    raw = raw_header(msg, "Message-ID")
    if raw is None:
        return None
    ids = message_ids([raw])
    if ids:
        return ids[0][:998]
    value = _FOLD.sub(" ", raw).strip()
    return f"<{value[:990]}>" if value and not any(c.isspace() for c in value) else None
