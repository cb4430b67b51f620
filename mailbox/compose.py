"""Building outbound letters (acknowledgements, replies) as ``EmailMessage`` with header injection ruled out.

Python 3.11.7's email package can still be tricked into emitting extra header lines, so every value that goes into
a header is checked here first, after decoding any RFC 2047 encoded words that could hide a line break.
"""
from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from email_validator import EmailNotValidError, validate_email

from cases.drafts import AttachmentDraft

from .classify import case_token
from .errors import HeaderInjectionError
from .headers import decode_text
from .settings import MailSettings

CASE_NUMBER = re.compile(r"\d{4}-\d{6,}")
# CR, LF and every other character Python or a mail server may treat as a line break, plus NUL.
_BREAKS = re.compile(r"[\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_MSGID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")


def check_header_value(value: str, what: str) -> str:
    """Return ``value`` if it is safe for one header line; raise ``HeaderInjectionError`` if not.

    Encoded words are decoded first, so ``=?utf-8?q?x=0D=0ABcc:_y?=`` is caught as well.
    """
    if not isinstance(value, str):
        raise HeaderInjectionError(f"{what} must be text, not {type(value).__name__}")
    for candidate in (value, decode_text(value) if "=?" in value else value):
        if _BREAKS.search(candidate):
            raise HeaderInjectionError(f"{what} contains a line break or control character: {value!r}")
    return value


def check_address(address: str, what: str = "address") -> str:
    """A syntactically valid address (no display name), normalised; raises ``HeaderInjectionError`` if not."""
    check_header_value(address, what)
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise HeaderInjectionError(f"{what} {address!r} is not a valid email address: {exc}") from None
    return result.normalized


def make_address(name: str, address: str, what: str = "recipient") -> Address:
    """An ``Address`` header object from a checked display name and address."""
    check_header_value(name or "", f"{what} name")
    addr = check_address(address, f"{what} address")
    local, _, domain = addr.rpartition("@")
    return Address(display_name=(name or "").strip(), username=local, domain=domain)


def _encoded_words(text: str) -> str:
    """``text`` as RFC 2047 base64 encoded words of UTF-8, each on its own folded line (at most 45 bytes each,
    so no line passes 78 characters and no character is split between words). Words are cut between two
    non-space characters where possible: some readers keep the fold after a word that ends in a space."""
    chunks, chunk = [], ""
    for ch in text:
        if chunk and len((chunk + ch).encode("utf-8")) > 45:
            cut = next((i for i in range(len(chunk) - 1, 0, -1)
                        if not chunk[i].isspace() and not chunk[i - 1].isspace()), len(chunk))
            chunks.append(chunk[:cut])
            chunk = chunk[cut:]
        chunk += ch
    chunks.append(chunk)
    return "\n ".join(f"=?utf-8?b?{base64.b64encode(c.encode('utf-8')).decode('ascii')}?=" for c in chunks)


def set_address_header(message: EmailMessage, name: str, addresses: Sequence[Address]) -> None:
    """Write the address header ``name`` (To, From, Reply-To, Cc ...) from ``Address`` objects, replacing any.

    The email package writes an ASCII display name as it is; one holding ``=?...?=`` would then be read back as
    an encoded word and change meaning. Such a name is written as encoded words of its own, so every reader
    decodes it to exactly the text we were given; every other name goes through the email package's quoting.
    """
    del message[name]
    if not any("=?" in a.display_name for a in addresses):
        message[name] = list(addresses)
        return
    parts = [f"{_encoded_words(a.display_name)}\n <{a.addr_spec}>"
             if "=?" in a.display_name or not a.display_name.isascii() else str(a) for a in addresses]
    # Already folded and encoded: stored as written (``set_raw``), so the generator does not refold it.
    message.set_raw(name, ",\n ".join(parts))


def make_message_id(settings: MailSettings, case_number: str | None = None) -> str:
    """A new globally unique Message-ID in our domain (from MAIL_FROM), e.g. ``<2026-000123.9f1c...@city.example>``."""
    prefix = f"{case_number}." if case_number else ""
    return f"<{prefix}{uuid.uuid4().hex}@{settings.from_domain}>"


def subject_with_token(subject: str, case_number: str | None) -> str:
    """``subject`` carrying ``[Case <number>]`` once (kept if the subject already has that token)."""
    if not case_number:
        return subject
    if case_token(subject) == case_number:
        return subject
    return f"{subject} [Case {case_number}]".strip()


def build_message(
    settings: MailSettings,
    *,
    to: str,
    subject: str,
    text: str,
    to_name: str = "",
    html: str | None = None,
    case_number: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    automatic: bool = False,
    attachments: Sequence[AttachmentDraft] = (),
) -> EmailMessage:
    """Build an acknowledgement or reply letter from MAIL_FROM to one citizen.

    Sets a new Message-ID in our domain (read it back from ``message["Message-ID"]`` to store it), Date,
    In-Reply-To/References when answering, the case token in the subject, a text part and an optional HTML
    alternative, attachments, and ``Auto-Submitted: auto-replied`` when ``automatic``.
    Raises ``HeaderInjectionError`` for a line break in any header value or an invalid address.
    """
    if case_number is not None and not CASE_NUMBER.fullmatch(case_number):
        raise HeaderInjectionError(f"case number {case_number!r} does not look like 2026-000123")
    from_name, from_address = parseaddr(settings.mail_from)
    check_header_value(settings.mail_from, "MAIL_FROM")
    # MAIL_FROM is a header value: an encoded word in its name means the text it encodes.
    sender = make_address(decode_text(from_name) if "=?" in from_name else from_name,
                          from_address or settings.mail_from, "MAIL_FROM")
    recipient = make_address(to_name, to, "recipient")
    check_header_value(subject, "subject")
    ids = []
    for value in ([in_reply_to] if in_reply_to else []) + list(references):
        check_header_value(value, "message id")
        if not _MSGID.fullmatch(value.strip()):
            raise HeaderInjectionError(f"{value!r} is not a Message-ID like <id@domain>")
        ids.append(value.strip())

    message = EmailMessage()
    set_address_header(message, "From", [sender])
    set_address_header(message, "To", [recipient])
    message["Subject"] = subject_with_token(subject.strip(), case_number)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_message_id(settings, case_number)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to.strip()
    if ids:
        refs = list(dict.fromkeys(list(references) + ([in_reply_to.strip()] if in_reply_to else [])))
        message["References"] = " ".join(r.strip() for r in refs)
    if automatic:
        message["Auto-Submitted"] = "auto-replied"
        # Ask the citizen's auto-responder not to answer our automatic mail.
        message["X-Auto-Response-Suppress"] = "All"
    # Quoted-printable keeps the message 7-bit clean for relays without 8BITMIME.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        check_header_value(attachment.filename, "attachment filename")
        maintype, _, subtype = (attachment.declared_type or "application/octet-stream").partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=attachment.filename)
    return message
