"""The ``send_mail`` outbox handler: replies (``{"reply_id"}``, acknowledgements included) and notices
(``{"kind": "notice", "to", "subject", "body", "case_id"}``), retried with back-off, each sent once."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases import email_survey, events, outbox
from cases.actors import SYSTEM
from cases.models import Case, Letter, OutboxItem, Reply, utcnow
from cases.workflow import Status
from mailbox import (HeaderInjectionError, MailConfigError, MailSettings, SendError, build_message,
                     check_header_value, send_message)
from mailbox.compose import check_address, make_address, set_address_header
from reply_render import LetterError, RenderedLetter, email_parts
from web.app_state import state
from web.mail.acknowledgement import ACKNOWLEDGEMENT, acknowledgement_reply, tracking_url
from web.mail.survey_text import survey_subject, survey_text
from web.mail.settings import mail_settings

RETRYABLE = ("pending", "failed")  # reply states the sender acts on (others: sent, or not released yet)
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")


def next_attempt_at(item: OutboxItem, base_seconds: float) -> datetime:
    """When an item that failed ``attempts`` times may be tried again: created_at + base * (2^attempts - 1)."""
    step = base_seconds * (2 ** min(item.attempts, 20) - 1)
    created = item.created_at if item.created_at.tzinfo else item.created_at.replace(tzinfo=timezone.utc)
    return created + timedelta(seconds=step)


class _Sender:
    """Sends the pending ``send_mail`` items of one drain."""

    def __init__(self, app: Flask, session: Session):
        self.app = app
        self.session = session
        self.store = state(app).policy.store
        self.base = float(app.config["MAIL_RETRY_SECONDS"])
        self.max_attempts = int(app.config["MAIL_SEND_MAX_ATTEMPTS"])
        self._settings: MailSettings | None = None

    @property
    def settings(self) -> MailSettings:
        if self._settings is None:
            self._settings = mail_settings(self.app)
            if not self._settings.smtp_host or not self._settings.mail_from:
                raise SendError("SMTP_HOST and MAIL_FROM must be configured to send mail", transient=False)
        return self._settings

    def run(self, items: list[OutboxItem]) -> list[int]:
        done = []
        now = utcnow()
        for item in items:
            if item.attempts and next_attempt_at(item, self.base) > now:
                continue  # backing off
            attempt = self._claim(item)
            if attempt is None:
                continue  # another worker is on it
            payload = item.payload or {}
            if payload.get("kind") == "notice":
                finished = self._notice(item, attempt, payload)
            elif payload.get("kind") == ACKNOWLEDGEMENT:
                finished = self._acknowledgement(item, attempt, payload)
            elif payload.get("kind") == email_survey.KIND:
                finished = self._survey(item, attempt, payload)
            elif "reply_id" in payload:
                finished = self._reply(item, attempt, int(payload["reply_id"]))
            else:
                self.app.logger.error("send_mail item %s has an unknown payload %r", item.id, payload)
                finished = True
            if finished:
                outbox.mark_done(self.session, [item.id])
                self.session.commit()
                done.append(item.id)
        return done

    def _claim(self, item: OutboxItem) -> int | None:
        """Count the attempt before making it, with one conditional UPDATE: of two workers draining at once only
        one wins the item, and a crash mid-send leaves it pending with its backoff. Returns the attempt number."""
        seen = item.attempts or 0
        result = self.session.execute(update(OutboxItem).where(
            OutboxItem.id == item.id, OutboxItem.attempts == seen, OutboxItem.done_at.is_(None))
            .values(attempts=seen + 1))
        self.session.commit()
        return seen + 1 if result.rowcount == 1 else None

    def _send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the SMTP server with no transaction open: on SQLite the reads that built it hold
        the write turn, and every web request's write would wait for the SMTP conversation."""
        self.session.commit()
        send_message(self.settings, message)

    def _note_error(self, item: OutboxItem, reason: str) -> None:
        self.session.execute(update(OutboxItem).where(OutboxItem.id == item.id).values(last_error=reason[:2000]))

    # -- replies and acknowledgements
    def _acknowledgement(self, item: OutboxItem, attempt: int, payload: dict[str, Any]) -> bool:
        case = self.session.get(Case, payload.get("case_id"))
        if case is None:
            return True
        try:
            reply = acknowledgement_reply(self.app, self.session, case, str(payload.get("lang") or "en"))
        except LetterError as exc:  # the case is registered; staff see why no acknowledgement went out
            self.session.rollback()
            events.record(self.session, case, SYSTEM, "mail_failed", note=f"acknowledgement not rendered: {exc}")
            self.session.commit()
            return True
        self.session.commit()
        return self._reply(item, attempt, reply.id)

    def _reply(self, item: OutboxItem, attempt: int, reply_id: int) -> bool:
        reply = self.session.get(Reply, reply_id)
        if reply is None or reply.status not in RETRYABLE or reply.channel != "email":
            return True
        case = reply.case
        try:
            message = self._reply_message(reply, case)
            if not reply.message_id:
                # Kept before sending: a resend after a crash carries the same Message-ID, answers to either join.
                reply.message_id = message["Message-ID"]
                self.session.commit()
            else:
                del message["Message-ID"]
                message["Message-ID"] = reply.message_id
            self._send(message)
        except (SendError, HeaderInjectionError, MailConfigError) as exc:
            return self._reply_failed(item, attempt, reply, case, exc)
        sha = self.store.put(_wire_bytes(message))
        reply.status, reply.sent_at, reply.error = "sent", utcnow(), ""
        events.record(self.session, case, SYSTEM, "mail_sent", internal=reply.template != ACKNOWLEDGEMENT,
                      note=f"{reply.template or 'reply'} sent to {case.citizen.email}",
                      data={"reply_id": reply.id, "message_id": reply.message_id, "raw_sha256": sha})
        self.session.commit()  # sent is sent: never again, even if the drain dies before marking the item done
        return True

    def _reply_message(self, reply: Reply, case: Case) -> EmailMessage:
        citizen = case.citizen
        if citizen is None or not citizen.email:
            raise HeaderInjectionError("the case has no citizen email address")
        ids = [letter.external_id for letter in self.session.scalars(
            select(Letter).where(Letter.case_id == case.id, Letter.external_id.is_not(None))
            .order_by(Letter.received_at, Letter.id)) if _safe_message_id(letter.external_id)]
        url = tracking_url(self.app, case)
        text, html = email_parts(RenderedLetter.from_text(reply.subject, reply.body, tracking_url=url))
        return build_message(self.settings, to=citizen.email, to_name=_safe_header(citizen.name, ""),
                             subject=_safe_header(reply.subject, f"Case {case.number}"), text=text, html=html,
                             case_number=case.number,
                             in_reply_to=ids[-1] if ids else None, references=ids[:-1][-10:],
                             automatic=reply.template == ACKNOWLEDGEMENT)

    def _reply_failed(self, item: OutboxItem, attempt: int, reply: Reply, case: Case, exc: Exception) -> bool:
        reason = getattr(exc, "reason", None) or str(exc)
        transient = isinstance(exc, SendError) and exc.transient
        self.session.rollback()
        self._note_error(item, reason)
        if transient and attempt < self.max_attempts:
            reply.error = f"not sent yet (attempt {attempt}, will retry): {reason}"
            self.session.commit()
            return False
        reply.status, reply.error = "failed", reason
        events.record(self.session, case, SYSTEM, "mail_failed", note=reason, data={"reply_id": reply.id})
        self.session.commit()
        return True

    # -- the satisfaction survey (cases.email_survey; its own outbox topic, sent by this same sender)
    def _survey(self, item: OutboxItem, attempt: int, payload: dict[str, Any]) -> bool:
        case_id, reply_id = int(payload["case_id"]), int(payload["reply_id"])
        case, reply = self.session.get(Case, case_id), self.session.get(Reply, reply_id)
        if (case is None or reply is None or not email_survey.wanted(case) or case.status != Status.REPLIED
                or email_survey.already_sent(self.session, case_id, reply_id)):  # rated already, or asked
            return True
        if reply.channel == "email" and reply.status != "sent":
            # Asked after the reply has reached the citizen: wait while it is on its way; a reply that failed
            # is for staff to retry, and an unrated case waits on the callback list.
            return reply.status != "pending"
        try:
            message = build_message(self.settings, to=check_address(case.citizen.email, "citizen"),
                                    subject=survey_subject(case), text=survey_text(self.app, case, reply_id),
                                    case_number=case.number)
            self._send(message)
        except (SendError, HeaderInjectionError, MailConfigError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            self.session.rollback()
            self._note_error(item, reason)
            self.session.commit()
            return not (isinstance(exc, SendError) and exc.transient and attempt < self.max_attempts)
        sha = self.store.put(_wire_bytes(message))
        events.record(self.session, case, SYSTEM, email_survey.SENT_EVENT, note=f"survey sent to {case.citizen.email}",
                      data={"reply_id": reply_id, "message_id": message["Message-ID"], "raw_sha256": sha})
        self.session.commit()  # sent is sent: the event stops a second one if the drain dies before marking done
        return True

    # -- notices to units
    def _notice(self, item: OutboxItem, attempt: int, payload: dict[str, Any]) -> bool:
        case = self.session.get(Case, payload.get("case_id")) if payload.get("case_id") else None
        try:
            message = self._notice_message(payload, case)
            self._send(message)
        except (SendError, HeaderInjectionError, MailConfigError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            self.session.rollback()
            self._note_error(item, reason)
            if isinstance(exc, SendError) and exc.transient and attempt < self.max_attempts:
                self.session.commit()
                return False
            if case is not None:
                events.record(self.session, case, SYSTEM, "mail_failed", note=reason,
                              data={"notice": payload.get("notice", "")})
            self.session.commit()
            return True
        sha = self.store.put(_wire_bytes(message))
        if case is not None:
            events.record(self.session, case, SYSTEM, "mail_sent",
                          note=f"{payload.get('notice', 'notice')} sent to {', '.join(payload['to'])}",
                          data={"notice": payload.get("notice", ""), "message_id": message["Message-ID"],
                                "raw_sha256": sha})
        self.session.commit()
        return True

    def _notice_message(self, payload: dict[str, Any], case: Case | None) -> EmailMessage:
        to = [check_address(str(a), "notice recipient") for a in payload.get("to") or [] if str(a).strip()]
        if not to:
            raise HeaderInjectionError("the notice has no recipient")
        message = build_message(self.settings, to=to[0], subject=_safe_header(str(payload.get("subject") or ""),
                                                                              "Notice"),
                                text=str(payload.get("body") or ""), case_number=case.number if case else None)
        if len(to) > 1:
            set_address_header(message, "To", [make_address("", address, "notice recipient") for address in to])
        return message


def _one_line(value: str) -> str:
    """Stored text shown in a header: line breaks become spaces (the header check still guards the rest)."""
    return " ".join((value or "").split())


def _safe_header(value: str, fallback: str) -> str:
    """``value`` on one line, or ``fallback`` when it still hides a break (e.g. in an encoded word)."""
    value = _one_line(value)
    try:
        return check_header_value(value, "header")
    except HeaderInjectionError:
        return fallback


def _safe_message_id(value: str | None) -> bool:
    if not value or not _MESSAGE_ID.fullmatch(value.strip()):
        return False
    try:
        check_header_value(value, "message id")
    except HeaderInjectionError:
        return False
    return True


def _wire_bytes(message: EmailMessage) -> bytes:
    """The message as sent (CRLF line ends), for the sent copy."""
    return message.as_bytes(policy=SMTP)


def send_mail_items(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    """The ``send_mail`` outbox handler: ids of items finished (sent, or failed for good)."""
    return _Sender(app, session).run(items)


def retry_reply(session: Session, reply: Reply) -> None:
    """Queue a failed (or stuck) email reply again; the caller commits and kicks the outbox."""
    reply.status, reply.error = "pending", ""
    events.record(session, reply.case, SYSTEM, "mail_retry", data={"reply_id": reply.id})
    outbox.enqueue(session, outbox.SEND_MAIL, f"reply:{reply.id}", {"reply_id": reply.id})
