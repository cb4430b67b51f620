"""Recognising mail nobody should answer (auto-replies, bulk and list mail, bounces) and replies to our mail."""
from __future__ import annotations

import re
from email.message import Message

from .headers import decode_text, message_ids, raw_header, raw_headers

# "[Case 2026-000123]", also localised words or full-width brackets: "[案件 2026-000123]", "【2026-000123】".
CASE_TOKEN = re.compile(r"[\[【]\s*[^\[\]【】\d]{0,20}?#?\s*(\d{4}-\d{6,})\s*[\]】]")
BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply", "auto-reply"}
DAEMON_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon")


def automatic_reasons(msg: Message, sender_email: str) -> list[str]:
    """Why ``msg`` looks machine-sent (empty list: it looks written by a person)."""
    reasons = []
    auto_submitted = (raw_header(msg, "Auto-Submitted") or "").strip().lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        reasons.append(f"Auto-Submitted: {auto_submitted}")
    precedence = (raw_header(msg, "Precedence") or "").strip().lower()
    if precedence in BULK_PRECEDENCE:
        reasons.append(f"Precedence: {precedence}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "List-Id", "List-Unsubscribe"):
        value = raw_header(msg, name)
        if value is not None:
            reasons.append(f"{name} header present")
    ctype = msg.get_content_type()
    report_type = (msg.get_param("report-type") or "") if ctype == "multipart/report" else ""
    if ctype == "multipart/report" and str(report_type).lower() in ("delivery-status", "disposition-notification"):
        reasons.append(f"bounce/notification report ({report_type})")
    local = sender_email.rpartition("@")[0].lower() if "@" in sender_email else sender_email.lower()
    if local in DAEMON_SENDERS:
        reasons.append(f"sent by {sender_email}")
    if (raw_header(msg, "Return-Path") or "").strip() == "<>" and not reasons:
        reasons.append("null envelope sender (Return-Path: <>)")
    return reasons


def reply_ids(msg: Message) -> list[str]:
    """Message-IDs this message answers: In-Reply-To first, then References (newest last), without repeats."""
    return message_ids(raw_headers(msg, "In-Reply-To") + raw_headers(msg, "References"))


def case_token(subject: str) -> str | None:
    """The case number in a subject such as ``Re: Broken light [Case 2026-000123]``, or None."""
    match = CASE_TOKEN.search(subject)
    return match.group(1) if match else None


def subject_of(msg: Message, notes: list[str]) -> str:
    return decode_text(raw_header(msg, "Subject"), notes, "subject")
