"""Sending a built message over SMTP, with failures sorted into transient (retry later) and permanent."""
from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from .compose import check_address, check_header_value
from .errors import HeaderInjectionError, SendError
from .settings import MailSettings

# Headers whose every value must stay on one line (the rest are built by us or by the email package).
_CHECKED = ("From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Message-ID", "In-Reply-To", "References", "Sender")


def recipients_of(message: EmailMessage) -> list[str]:
    """Validated envelope recipients from To, Cc and Bcc."""
    values = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    found = [check_address(address, "recipient") for _, address in getaddresses(values) if address]
    if not found:
        raise HeaderInjectionError("the message has no valid recipient")
    return list(dict.fromkeys(found))


def send_message(settings: MailSettings, message: EmailMessage, *, ssl_context: ssl.SSLContext | None = None) -> None:
    """Send ``message`` through the configured SMTP server (envelope sender MAIL_FROM, recipients To/Cc/Bcc).

    Raises ``HeaderInjectionError`` before connecting if a header is unsafe, and ``SendError`` if sending fails:
    ``transient`` for 4xx replies, timeouts and connection problems (retry with backoff), permanent for 5xx.
    """
    for name in _CHECKED:
        for value in message.get_all(name, []):
            check_header_value(str(value), name)
    recipients = recipients_of(message)
    envelope_from = check_address(parseaddr(settings.mail_from)[1] or settings.mail_from, "MAIL_FROM")
    context = (ssl_context or settings.ssl_context()) if settings.smtp_security != "none" else None
    try:
        if settings.smtp_security == "tls":
            server = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.timeout,
                                      context=context)
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
        with server:
            if settings.smtp_security == "starttls":
                server.starttls(context=context)
            if settings.smtp_user:
                server.login(settings.smtp_user, settings.smtp_password)
            refused = server.send_message(message, from_addr=envelope_from, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise SendError(f"all recipients refused: {_describe(exc.recipients)}",
                        transient=all(400 <= c < 500 for c in codes), code=max(codes, default=None)) from exc
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise SendError(f"SMTP {exc.smtp_code}: {text}", transient=400 <= exc.smtp_code < 500,
                        code=exc.smtp_code) from exc
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout, ConnectionError) as exc:
        raise SendError(f"SMTP {settings.smtp_host}:{settings.smtp_port} unreachable: {exc}", transient=True) from exc
    except ssl.SSLError as exc:
        raise SendError(f"TLS with {settings.smtp_host} failed: {exc}", transient=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"sending failed: {exc}", transient=True) from exc
    if refused:
        codes = [code for code, _ in refused.values()]
        raise SendError(f"some recipients refused: {_describe(refused)}",
                        transient=all(400 <= c < 500 for c in codes), code=max(codes))


def _describe(refused: dict) -> str:
    parts = []
    for address, (code, reply) in refused.items():
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        parts.append(f"{address} ({code} {text})")
    return ", ".join(parts)
