"""The email channel: IMAP intake (exactly once) into letter drafts, and SMTP sending of our letters.

This package deliberately shadows the stdlib ``mailbox`` module; the app runs from the checkout.
"""
from .compose import build_message, check_header_value, make_message_id
from .dedup import dedup_key
from .errors import (
    HeaderInjectionError,
    MailConfigError,
    MailConnectionError,
    MailError,
    MailParseError,
    SendError,
)
from .parse import parse_message
from .poller import CHECKPOINTS, PollSummary, poll_all, poll_folder
from .settings import MailSettings, settings_from_mapping
from .smtp import send_message
from .store import IntakeStore

__all__ = [
    "CHECKPOINTS",
    "HeaderInjectionError",
    "IntakeStore",
    "MailConfigError",
    "MailConnectionError",
    "MailError",
    "MailParseError",
    "MailSettings",
    "PollSummary",
    "SendError",
    "build_message",
    "check_header_value",
    "dedup_key",
    "make_message_id",
    "parse_message",
    "poll_all",
    "poll_folder",
    "send_message",
    "settings_from_mapping",
]
