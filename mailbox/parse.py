"""Any email (raw bytes) -> a ``LetterDraft``: sender, date, subject, text, sanitised HTML, attachments."""
from __future__ import annotations

import binascii
import mimetypes
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import pybase64

from cases.drafts import AttachmentDraft, Channel, LetterDraft

from .charsets import decode_bytes
from .classify import automatic_reasons, case_token, reply_ids, subject_of
from .dedup import split_message
from .errors import MailParseError
from .headers import decode_text, first_address, message_id, raw_header
from .html import html_to_text, sanitize_html

MAX_DEPTH = 12  # nested multiparts / forwarded messages; deeper is hostile or broken


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass
class _Collected:
    """What one walk over a MIME tree found."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    forwards: list[str] = field(default_factory=list)
    attachments: list[AttachmentDraft] = field(default_factory=list)


def parse_message(raw: bytes) -> LetterDraft:
    """Turn one raw email into a ``LetterDraft`` (channel EMAIL).

    Never guesses silently: every charset fallback, missing header or skipped part is recorded in ``notes``.
    Raises ``MailParseError`` with a reason for input that is not an email at all.
    """
    if not isinstance(raw, (bytes, bytearray)):
        raise MailParseError(f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    _check_looks_like_mail(raw)
    try:
        shrunk, blocks = _shrink(raw)
        msg = _PARSER.parsebytes(shrunk)
        if blocks:
            _restore(msg, blocks)
        return _draft_from(msg)
    except MailParseError:
        raise
    except RecursionError:
        raise MailParseError("message nesting too deep to parse") from None
    except Exception as exc:  # the stdlib parser has known crash bugs on hostile input
        raise MailParseError(f"parser failure: {type(exc).__name__}: {exc}") from exc


# Base64 bodies of attachments. The stdlib parser walks a body line by line in Python, which made one 200 KB
# attachment cost as much as 30 small letters, and then decodes it through a line split, a join and a validating
# decoder. A part body that holds only base64-alphabet lines can contain no header or boundary line (":" and "-"
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

    We decode headers ourselves (with charset fallbacks the stdlib lacks), and building structured header
    objects on every ``get`` (the MIME walk reads Content-Type many times) cost half of the intake time.
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


def parse_or_error(raw: bytes) -> LetterDraft | MailParseError:
    """``parse_message`` that returns the parse error instead of raising it (for worker processes)."""
    try:
        return parse_message(raw)
    except MailParseError as exc:
        return exc


def attachment_payloads(raw: bytes) -> list[bytes]:
    """The bytes of each attachment ``parse_message`` finds in ``raw`` (none if it is not an email); what the
    app's file store extracts an email attachment from when it was not stored on its own."""
    result = parse_or_error(raw)
    return [] if isinstance(result, MailParseError) else [item.data for item in result.attachments]


def _check_looks_like_mail(raw: bytes) -> None:
    if not raw.strip():
        raise MailParseError("empty message")
    head = split_message(raw)[0]
    if b"\x00" in head:
        raise MailParseError("binary data (NUL bytes) in the header section: not an email")
    first = head.split(b"\n", 1)[0]
    if first.startswith(b"From ") and b"\n" in head:  # mbox "From " line before the headers
        head = head.split(b"\n", 1)[1]
        first = head.split(b"\n", 1)[0]
    if not re.match(rb"[!-9;-~]+[ \t]*:", first):
        raise MailParseError("no header fields at the start: not an email")


def _draft_from(msg: EmailMessage) -> LetterDraft:
    notes: list[str] = []
    for defect in msg.defects[:5]:
        notes.append(f"defect: {type(defect).__name__}")

    name, email, used = first_address(msg, ("From", "Sender", "Reply-To", "Return-Path"), notes)
    if used is None:
        notes.append("no sender address")
    elif used != "From":
        notes.append(f"no From header; sender taken from {used}")

    subject = subject_of(msg, notes)
    if raw_header(msg, "Subject") is None:
        notes.append("no Subject header")

    received_at = _date(msg, notes)
    collected = _Collected()
    _collect(msg, collected, 0, notes)
    body, body_html = _bodies(collected, notes)

    reasons = automatic_reasons(msg, email)
    for reason in reasons:
        notes.append(f"automatic: {reason}")

    return LetterDraft(
        channel=Channel.EMAIL,
        subject=subject,
        body=body,
        sender_name=name,
        sender_email=email,
        preferred_reply="email" if email and not reasons else "",
        received_at=received_at,
        body_html=body_html,
        attachments=collected.attachments,
        external_id=message_id(msg),
        in_reply_to=reply_ids(msg),
        case_token=case_token(subject),
        automatic=bool(reasons),
        notes=notes,
    )


def _date(msg: Message, notes: list[str]) -> datetime | None:
    raw = raw_header(msg, "Date")
    if raw is None:
        notes.append("no Date header")
        return None
    try:
        value = parsedate_to_datetime(decode_text(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        notes.append(f"unreadable Date header: {raw.strip()[:80]}")
        return None
    if value.tzinfo is None:  # "-0000" or no zone: RFC 5322 says the zone is unknown; UTC is the best guess
        value = value.replace(tzinfo=timezone.utc)
    return value


def _bodies(collected: _Collected, notes: list[str]) -> tuple[str, str | None]:
    html = "\n".join(collected.htmls) if collected.htmls else None
    if collected.texts:
        body = "\n\n".join(t.strip("\n") for t in collected.texts)
    elif html is not None:
        body = html_to_text(html)
        notes.append("text converted from HTML")
    else:
        body = ""
    if collected.forwards:
        body = "\n\n".join(part for part in [body.strip(), *collected.forwards] if part)
    if not body.strip() and not collected.attachments:
        notes.append("no body")
    return body, sanitize_html(html) if html is not None else None


def _collect(part: Message, out: _Collected, depth: int, notes: list[str]) -> None:
    if depth > MAX_DEPTH:
        raise MailParseError(f"MIME structure nested deeper than {MAX_DEPTH} levels")
    ctype = part.get_content_type()
    maintype = part.get_content_maintype()
    if ctype in ("message/rfc822", "message/global") and part.is_multipart():
        _forwarded(part, out, depth, notes)
    elif maintype == "multipart" and part.is_multipart():
        children = part.get_payload()
        if part.get_content_subtype() == "alternative":
            _alternative(children, out, depth, notes)
        else:
            for child in children:
                _collect(child, out, depth + 1, notes)
    elif maintype == "multipart":
        # Declared multipart but no boundary found: read it as text rather than lose it.
        notes.append("multipart without parts, read as text")
        out.texts.append(_text(part, notes))
    elif _is_attachment(part) or maintype != "text" or ctype not in ("text/plain", "text/html"):
        out.attachments.append(_attachment(part, len(out.attachments) + 1, notes))
    elif ctype == "text/html":
        out.htmls.append(_text(part, notes))
    else:
        out.texts.append(_text(part, notes))


def _alternative(children: list[Message], out: _Collected, depth: int, notes: list[str]) -> None:
    found = []
    for child in children:
        sub = _Collected()
        _collect(child, sub, depth + 1, notes)
        found.append(sub)
    plain = next((sub for sub in reversed(found) if sub.texts), None)
    rich = next((sub for sub in reversed(found) if sub.htmls), None)
    if plain:
        out.texts.extend(plain.texts)
    if rich:
        out.htmls.extend(rich.htmls)
    for sub in found:
        out.attachments.extend(sub.attachments)
        out.forwards.extend(sub.forwards)


def _forwarded(part: Message, out: _Collected, depth: int, notes: list[str]) -> None:
    inner = part.get_payload(0)
    sub = _Collected()
    _collect(inner, sub, depth + 1, notes)
    inner_body, _ = _bodies(sub, [])
    name, email, _ = first_address(inner, ("From",), notes)
    header = ["---------- Forwarded message ----------"]
    if email:
        header.append(f"From: {name} <{email}>" if name else f"From: {email}")
    for key in ("Date", "Subject"):
        value = decode_text(raw_header(inner, key), notes)
        if value:
            header.append(f"{key}: {value}")
    out.forwards.append("\n".join(header) + "\n\n" + inner_body.strip())
    out.attachments.extend(sub.attachments)
    try:
        data = inner.as_bytes()
    except Exception:
        data = b""
        notes.append("forwarded message could not be re-serialised")
    subject = decode_text(raw_header(inner, "Subject"), notes) or "forwarded"
    out.attachments.append(
        AttachmentDraft(filename=_safe_filename(subject) + ".eml", data=data, declared_type="message/rfc822")
    )


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or bool(part.get_param("filename", header="content-disposition"))


def _text(part: Message, notes: list[str]) -> str:
    data = _payload_bytes(part)
    if data is None:
        data = str(part.get_payload()).encode("utf-8", "surrogateescape")
    charset = part.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    text = decode_bytes(data, str(charset) if charset else None, notes, part.get_content_type())
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _attachment(part: Message, number: int, notes: list[str]) -> AttachmentDraft:
    ctype = part.get_content_type()
    data = _payload_bytes(part)
    if data is None:
        # message/delivery-status and other message/* parts hold header blocks, not a payload to decode.
        payload = part.get_payload()
        if isinstance(payload, list):
            data = b"\n".join(p.as_bytes() for p in payload)
        else:
            data = str(payload or "").encode("utf-8", "surrogateescape")
    try:
        filename = part.get_filename()
    except Exception:
        filename = None
        notes.append(f"unreadable filename of attachment {number}")
    if filename:
        filename = decode_text(str(filename), notes, "filename")
    filename = _safe_filename(filename or "")
    if not filename:
        textual = ctype.startswith(("text/", "message/"))
        extension = mimetypes.guess_extension(ctype) or (".txt" if textual else ".bin")
        filename = f"attachment-{number}{extension}"
    return AttachmentDraft(filename=filename, data=data, declared_type=ctype)


def _payload_bytes(part: Message) -> bytes | None:
    return part.payload_bytes() if isinstance(part, _Part) else part.get_payload(decode=True)


def _safe_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" ._")
    return name[:180]
