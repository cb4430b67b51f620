"""The worker's side of SMS: outbound messages to Kannel's ``sendsms`` (with a delivery-report URL back to us),
within the per-number rate limit, and the reply notice and survey queued when a reply goes out."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from datetime import datetime, timedelta
from typing import Protocol

from flask import Flask
from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from cases import sms
from cases.models import Case, OutboxItem, Reply, utcnow
from cases.models_sms import SmsMessage


# Messages claimed per commit: a worker killed mid-drain leaves at most these waiting for the resend delay.
CLAIM_CHUNK = 20


class Outgoing(Protocol):
    """What the gateway call needs of a message (a ``SmsMessage`` or a claimed row)."""

    id: int
    number: str
    text: str
    encoding: str


class GatewayError(RuntimeError):
    """Kannel refused a message or could not be reached (the item stays pending and is retried)."""


def sendsms(app: Flask, message: Outgoing) -> None:
    """Hand one message to Kannel; its delivery reports come back to ``/sms/dlr``."""
    cfg = app.config
    dlr_url = (f"{cfg['SMS_CALLBACK_URL'].rstrip('/')}/sms/dlr?"
               + urllib.parse.urlencode({"token": cfg["SMS_TOKEN"], "id": message.id}) + "&type=%d")
    query = {"username": cfg["SMS_USERNAME"], "password": cfg["SMS_PASSWORD"], "from": cfg["SMS_FROM"],
             "to": message.number, "text": message.text, "charset": "UTF-8",
             "coding": "2" if message.encoding == "ucs2" else "0", "dlr-mask": "31", "dlr-url": dlr_url}
    url = f"{cfg['SMS_SENDSMS_URL']}?{urllib.parse.urlencode(query)}"
    try:
        with urllib.request.urlopen(url, timeout=float(cfg["SMS_TIMEOUT"])) as response:  # noqa: S310 - configured
            body = response.read(500).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise GatewayError(f"gateway answered {exc.code}: {exc.read(500).decode('utf-8', 'replace')}") from None
    except OSError as exc:
        raise GatewayError(f"gateway unreachable: {exc}") from None
    if not body.startswith("0:"):
        raise GatewayError(f"gateway refused the message: {body}")


def _claim(session: Session, ids: list[int], now: datetime, grace: timedelta) -> dict[int, Outgoing]:
    """Take messages for sending (queued ones, and ones a crash left ``sending`` longer than ``grace``): one
    conditional UPDATE, committed before the gateway is called. Returns the messages taken, by id; a second
    drain that claimed the same outbox items finds them taken and leaves them."""
    if not ids:
        return {}
    takeable = or_(SmsMessage.status == "queued", and_(SmsMessage.status == "sending",
                                                        SmsMessage.sent_at < now - grace))
    taken = session.execute(update(SmsMessage).where(SmsMessage.id.in_(ids), takeable)
                            .values(status="sending", sent_at=now)
                            .returning(SmsMessage.id, SmsMessage.number, SmsMessage.text, SmsMessage.encoding)
                            .execution_options(synchronize_session=False)).all()
    session.commit()
    return {row.id: row for row in taken}


def send_items(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    """Send the claimed messages; returns the outbox ids done.

    Messages are claimed and committed as ``sending`` before the gateway is called and marked ``sent`` after, a
    chunk of ``CLAIM_CHUNK`` at a time (two commits per chunk, not per message), so a crash in between leaves at
    most one chunk ``sending``. Such a message is sent again only if the gateway sent no delivery report for it
    within ``SMS_RESEND_AFTER_SECONDS`` (a report proves it left); the rest of the batch is still ``queued`` and
    the restarted worker sends it at once. A number over its hourly limit waits (its item stays pending for a
    later drain); a gateway failure is recorded and retried.
    """
    from cases import outbox
    from web.sms import sms_settings

    settings = sms_settings(app)
    grace = timedelta(seconds=float(app.config["SMS_RESEND_AFTER_SECONDS"]))
    now = utcnow()
    done: list[int] = []
    wanted: dict[int, OutboxItem] = {}
    per_number: dict[str, int] = {}
    for item in items:
        message = session.get(SmsMessage, int(item.key))
        if message is None or message.status not in ("queued", "sending"):
            done.append(item.id)
            continue
        if message.status == "sending":
            if message.dlr_status is not None:
                message.status = "sent"  # the gateway reported on it: it left before the crash
                done.append(item.id)
                continue
            if message.sent_at and now - message.sent_at < grace:
                continue  # another drain may be sending it right now
        if sms.opted_out(session, message.number):
            message.status = "opted_out"
            done.append(item.id)
            continue
        if message.number not in per_number:
            per_number[message.number] = sms.sent_in_last_hour(session, message.number, now)
        if per_number[message.number] >= settings.per_number_per_hour:
            message.error = "waiting: the number's hourly limit is reached"
            continue
        per_number[message.number] += 1
        wanted[message.id] = item
    session.commit()
    ids = list(wanted)
    for start in range(0, len(ids), CLAIM_CHUNK):
        chunk = {message_id: wanted[message_id] for message_id in ids[start:start + CLAIM_CHUNK]}
        done += _send_chunk(app, session, chunk, grace)
    outbox.mark_done(session, done)
    session.commit()
    return done


def _send_chunk(app: Flask, session: Session, wanted: dict[int, OutboxItem], grace: timedelta) -> list[int]:
    """Claim, send and mark ``sent`` one chunk of messages (two commits); returns the outbox ids done."""
    from cases import outbox

    taken = _claim(session, list(wanted), utcnow(), grace)
    sent: list[int] = []
    done: list[int] = []
    for message_id, item in wanted.items():
        if message_id not in taken:
            continue
        # No transaction is open while the gateway answers: on SQLite one would hold the write turn that every
        # web request's write waits for.
        try:
            sendsms(app, taken[message_id])
        except GatewayError as exc:
            session.execute(update(SmsMessage).where(SmsMessage.id == message_id, SmsMessage.status == "sending")
                            .values(status="queued", sent_at=None, error=str(exc)[:2000]))
            outbox.mark_failed(session, item.id, str(exc))
            session.commit()
            continue
        sent.append(message_id)
        done.append(item.id)
    # A delivery report may already have set a later state: "sent" only replaces "sending".
    if sent:
        session.execute(update(SmsMessage).where(SmsMessage.id.in_(sent), SmsMessage.status == "sending")
                        .values(status="sent", error="").execution_options(synchronize_session=False))
    session.commit()
    return done


def queue_reply_messages(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    """A reply went out on an SMS case: queue its arrival notice and the satisfaction survey (each once)."""
    from web.sms import sms_settings

    settings = sms_settings(app)
    for item in items:
        reply = session.get(Reply, int(item.key))
        case = session.get(Case, reply.case_id) if reply else None
        if case is not None:
            sms.reply_released(session, settings, case, reply.id)
    return [item.id for item in items]
