"""Mail configuration as a dataclass, built by the app from its Flask config keys."""
from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from .errors import MailConfigError

SECURITY_MODES = ("tls", "starttls", "none")
DONE_ACTIONS = ("flag", "move", "leave")
DEFAULT_MAX_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class MailSettings:
    """Everything the email channel needs to poll IMAP and send through SMTP."""

    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "tls"
    imap_user: str = ""
    imap_password: str = ""
    imap_folders: tuple[str, ...] = ("INBOX",)
    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: str = "tls"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = ""
    max_bytes: int = DEFAULT_MAX_BYTES
    done_action: str = "flag"
    done_folder: str = "Processed"
    done_keyword: str = "$Processed"
    tls_ca_file: str = ""  # extra CA certificates (PEM) to trust for IMAP and SMTP, e.g. an office's own CA
    # Tuning; the defaults suit most servers.
    batch_size: int = 100  # messages per FETCH command
    batch_bytes: int = 32 * 1024 * 1024  # and at most this many bytes per FETCH
    timeout: float = 60.0  # socket timeout, seconds
    search_charset: str | None = "UTF-8"  # tried first; a server that rejects it gets a search without CHARSET
    # Processes fetching, storing and parsing batches while the poller commits (0: all in the poller itself); one
    # per core, at most two: the poller's own share of the work is about a third.
    parse_workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))

    def __post_init__(self) -> None:
        for field, value in (("IMAP_SECURITY", self.imap_security), ("SMTP_SECURITY", self.smtp_security)):
            if value not in SECURITY_MODES:
                raise MailConfigError(f"{field} must be one of {', '.join(SECURITY_MODES)}, not {value!r}")
        if self.done_action not in DONE_ACTIONS:
            raise MailConfigError(f"MAIL_DONE_ACTION must be one of {', '.join(DONE_ACTIONS)}, not {self.done_action!r}")
        if self.done_action == "move" and not self.done_folder:
            raise MailConfigError("MAIL_DONE_FOLDER is required when MAIL_DONE_ACTION is 'move'")
        if self.done_action == "flag" and not self.done_keyword:
            raise MailConfigError("MAIL_DONE_KEYWORD is required when MAIL_DONE_ACTION is 'flag'")
        if any(c in self.done_keyword for c in ' ()"{%*]\r\n'):
            raise MailConfigError(f"MAIL_DONE_KEYWORD {self.done_keyword!r} is not a valid IMAP keyword")
        if self.max_bytes <= 0 or self.batch_size <= 0 or self.batch_bytes <= 0 or self.parse_workers < 0:
            raise MailConfigError("MAIL_MAX_BYTES and batch sizes must be positive")
        if not self.imap_folders:
            raise MailConfigError("IMAP_FOLDERS names no folder")

    def ssl_context(self) -> ssl.SSLContext:
        """The client TLS context for IMAP and SMTP: the system's CAs (plus MAIL_TLS_CA_FILE), names checked."""
        context = ssl.create_default_context()
        if self.tls_ca_file:
            try:
                context.load_verify_locations(cafile=self.tls_ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise MailConfigError(f"MAIL_TLS_CA_FILE {self.tls_ca_file!r} cannot be read: {exc}") from None
        return context

    @property
    def account(self) -> str:
        """The name intake state is kept under: ``user@host``."""
        return f"{self.imap_user}@{self.imap_host}"

    @property
    def from_domain(self) -> str:
        """The domain of MAIL_FROM, used in the Message-IDs we create."""
        address = parseaddr(self.mail_from)[1]
        return address.rpartition("@")[2] or "localhost"


def _int(config: Mapping[str, Any], key: str, default: int) -> int:
    value = config.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MailConfigError(f"{key} must be a whole number, not {value!r}") from None


def _str(config: Mapping[str, Any], key: str, default: str = "") -> str:
    value = config.get(key)
    return default if value is None else str(value).strip()


def settings_from_mapping(config: Mapping[str, Any]) -> MailSettings:
    """Build ``MailSettings`` from Flask-style config keys (``IMAP_HOST``, ``SMTP_PORT``, ``MAIL_FROM`` ...).

    Ports default by security mode (IMAP 993/143, SMTP 465/587/25). Raises ``MailConfigError`` for a bad value.
    """
    imap_security = _str(config, "IMAP_SECURITY", "tls").lower()
    smtp_security = _str(config, "SMTP_SECURITY", "starttls").lower()
    folders = config.get("IMAP_FOLDERS") or "INBOX"
    if isinstance(folders, str):
        folder_list = tuple(f.strip() for f in folders.split(",") if f.strip())
    else:
        folder_list = tuple(str(f).strip() for f in folders if str(f).strip())
    return MailSettings(
        imap_host=_str(config, "IMAP_HOST"),
        imap_port=_int(config, "IMAP_PORT", 993 if imap_security == "tls" else 143),
        imap_security=imap_security,
        imap_user=_str(config, "IMAP_USER"),
        imap_password=str(config.get("IMAP_PASSWORD") or ""),
        imap_folders=folder_list or ("INBOX",),
        smtp_host=_str(config, "SMTP_HOST"),
        smtp_port=_int(config, "SMTP_PORT", {"tls": 465, "starttls": 587}.get(smtp_security, 25)),
        smtp_security=smtp_security,
        smtp_user=_str(config, "SMTP_USER"),
        smtp_password=str(config.get("SMTP_PASSWORD") or ""),
        mail_from=_str(config, "MAIL_FROM"),
        max_bytes=_int(config, "MAIL_MAX_BYTES", DEFAULT_MAX_BYTES),
        done_action=_str(config, "MAIL_DONE_ACTION", "flag").lower(),
        done_folder=_str(config, "MAIL_DONE_FOLDER", "Processed"),
        done_keyword=_str(config, "MAIL_DONE_KEYWORD", "$Processed"),
        tls_ca_file=_str(config, "MAIL_TLS_CA_FILE"),
    )
