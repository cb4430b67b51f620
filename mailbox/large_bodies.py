"""Parsing raw mail into ``email`` message objects fast: large base64 bodies are set aside while the stdlib parser
walks the message and put back afterwards, decoded once; headers are read as raw strings."""
from __future__ import annotations

import binascii
import re
import uuid
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy

import pybase64


def parse_bytes(raw: bytes) -> Message:
    """``raw`` parsed with the stdlib parser (raw header strings), its large base64 bodies restored byte for byte."""
    shrunk, blocks = _shrink(raw)
    msg = _PARSER.parsebytes(shrunk)
    if blocks:
        _restore(msg, blocks)
    return msg


def payload_bytes(part: Message) -> bytes | None:
    """``part.get_payload(decode=True)``, without decoding a body ``parse_bytes`` already decoded."""
    return part.payload_bytes() if isinstance(part, _Part) else part.get_payload(decode=True)


# The stdlib parser walks a body line by line in Python and decodes base64 through a line split, a join and a
# validating decoder, which makes a large attachment cost far more than its letter. A part body that holds only base64-alphabet lines can contain no header or boundary line (":" and "-"
# are outside the alphabet), so it is swapped for one placeholder line while parsing and put back into the part
# afterwards, byte for byte; the part also keeps its decoded bytes when decoding it directly gives what the
# stdlib would (clean padding), so ``payload_bytes`` need not decode it again.
_SHRINK_FROM = 32 * 1024  # smaller messages are parsed as they are
_BULK_FROM = 4 * 1024  # smaller bodies are left in place
_BLANK = re.compile(rb"\n\r?\n")
_BASE64_LINES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n"


class _Part(EmailMessage):
    """A parsed message part that may carry its payload already decoded (see ``_shrink``)."""

    decoded: bytes | None = None

    def payload_bytes(self) -> bytes | None:
        """``get_payload(decode=True)``, without decoding twice."""
        if self.decoded is not None:
            return self.decoded
        return self.get_payload(decode=True)


class _RawHeaderPolicy(EmailPolicy):
    """``policy.default`` except that reading a header returns its raw string.

    We decode headers ourselves (with charset fallbacks the stdlib lacks), so the structured header objects the
    default policy builds on every ``get`` (the MIME walk reads Content-Type many times) would be wasted work.
    """

    def header_fetch_parse(self, name, value):
        return value


_PARSER = BytesParser(policy=_RawHeaderPolicy(message_factory=_Part))


def _shrink(raw: bytes) -> tuple[bytes, dict[str, bytes]]:
    """``raw`` with every large base64 body swapped for a placeholder line, and the swapped bodies by key."""
    if len(raw) < _SHRINK_FROM:
        return raw, {}
    prefix = "XBULK" + uuid.uuid4().hex
    if prefix.encode() in raw:
        return raw, {}
    blocks: dict[str, bytes] = {}
    pieces: list[bytes] = []
    done = pos = 0
    while (blank := _BLANK.search(raw, pos)) is not None:
        start = blank.end()
        # A body runs to the next boundary line ("--..."); "-" is outside the base64 alphabet.
        dash = raw.find(b"-", start)
        stop = raw.rfind(b"\n", start, len(raw) if dash < 0 else dash) + 1
        if stop - start >= _BULK_FROM and not raw[start:stop].translate(None, _BASE64_LINES):
            key = f"{prefix}N{len(blocks)}"
            blocks[key] = raw[start:stop]
            pieces += [raw[done:start], key.encode(), b"\r\n" if raw[stop - 2:stop] == b"\r\n" else b"\n"]
            done = pos = stop
        else:
            pos = start
    if not blocks:
        return raw, {}
    pieces.append(raw[done:])
    return b"".join(pieces), blocks


_PLACEHOLDER = re.compile(r"XBULK[0-9a-f]{32}N\d+(\r?\n)?")


def _restore(msg: Message, blocks: dict[str, bytes]) -> None:
    prefix = next(iter(blocks)).split("N", 1)[0]

    def put_back(match: re.Match) -> str:
        block = blocks.get(match.group(0).rstrip("\r\n"))
        if block is None:  # another message's placeholder text (forwarded): not ours, left as it is
            return match.group(0)
        end = len(block)
        if match.group(1) is None:  # the line end before a boundary belongs to the boundary
            end -= 2 if block.endswith(b"\r\n") else 1
        return str(memoryview(block)[:end], "ascii")  # one copy of a large block, not two

    for part in msg.walk():
        payload = part.get_payload() if not part.is_multipart() else None
        if isinstance(payload, str) and prefix in payload:
            if isinstance(part, _Part):
                part.decoded = _direct_base64(part, payload.rstrip("\r\n"), blocks)
            part.set_payload(_PLACEHOLDER.sub(put_back, payload))
        for name in ("preamble", "epilogue"):
            value = getattr(part, name, None)
            if isinstance(value, str) and prefix in value:
                setattr(part, name, _PLACEHOLDER.sub(put_back, value))


def _direct_base64(part: Message, key: str, blocks: dict[str, bytes]) -> bytes | None:
    """The decoded payload of a base64 part whose whole body is the block ``key``, when decoding it directly
    gives what the stdlib's ``get_payload(decode=True)`` would: no "=" but one or two at the end, length a
    multiple of four (else None, and the stdlib decodes it with its repairs and defects)."""
    block = blocks.get(key)
    if block is None or str(part.get("content-transfer-encoding", "")).lower() != "base64":
        return None
    # Index arithmetic, not rstrip: stripping would copy the whole (large) block twice.
    end = len(block)
    while end and block[end - 1] in b"\r\n":
        end -= 1
    padding = 0
    while padding < 3 and padding < end and block[end - 1 - padding] == ord("="):
        padding += 1
    if padding > 2 or block.find(b"=", 0, end - padding) >= 0:
        return None
    try:
        # pybase64 decodes with SIMD, seven times the stdlib's speed; like binascii it skips the line ends, and
        # a wrong length raises.
        return pybase64.b64decode(block)
    except (binascii.Error, ValueError):
        return None
