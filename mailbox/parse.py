"""Any email (raw bytes) -> a ``LetterDraft``: sender, date, subject, text, sanitised HTML, attachments."""
from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime


from cases.drafts import AttachmentDraft, Channel, LetterDraft

from .charsets import decode_bytes
from .classify import automatic_reasons, case_token, reply_ids, subject_of
from .dedup import split_message
from .errors import MailParseError
from .headers import decode_text, first_address, message_id, raw_header
from .html import html_to_text, sanitize_html
from .large_bodies import parse_bytes, payload_bytes

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
        return _draft_from(parse_bytes(raw))
    except MailParseError:
        raise
    except RecursionError:
        raise MailParseError("message nesting too deep to parse") from None
    except Exception as exc:  # the stdlib parser has known crash bugs on hostile input
        raise MailParseError(f"parser failure: {type(exc).__name__}: {exc}") from exc


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
    return payload_bytes(part)


def _safe_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" ._")
    return name[:180]
