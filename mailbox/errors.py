"""The exceptions of the email channel: every failure becomes one of these, with a human-readable reason."""
from __future__ import annotations


class MailError(Exception):
    """Base class of all errors raised by ``mailbox``."""


class MailConfigError(MailError, ValueError):
    """The mail configuration is missing a value or holds a wrong one."""


class MailParseError(MailError):
    """Raw bytes that cannot become a letter; ``reason`` says why (the poller quarantines the message with it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class MailConnectionError(MailError):
    """The IMAP server could not be reached, refused the login, or failed mid-poll."""


class HeaderInjectionError(MailError, ValueError):
    """A value meant for a single header line holds a line break (possibly hidden in an encoded word)."""


class SendError(MailError):
    """Sending failed. ``transient`` tells the caller whether retrying later (with backoff) may succeed.

    ``code`` is the SMTP reply code when the server gave one.
    """

    def __init__(self, reason: str, *, transient: bool, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.code = code

    @property
    def permanent(self) -> bool:
        return not self.transient
