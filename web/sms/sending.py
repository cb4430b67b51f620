"""The worker's side of SMS: outbound messages to Kannel's ``sendsms`` (with a delivery-report URL back to us),
within the per-number rate limit, and the reply notice and survey queued when a reply goes out."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from flask import Flask
from sqlalchemy.orm import Session

from cases import sms
from cases.models import Case, OutboxItem, Reply, utcnow
from cases.models_sms import SmsMessage


class GatewayError(RuntimeError):
    """Kannel refused a message or could not be reached (the item stays pending and is retried)."""


def sendsms(app: Flask, message: SmsMessage) -> None:
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


def send_items(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    """Send the claimed messages; returns the outbox ids done. A number over its hourly limit waits (its item
    stays pending for a later drain); a gateway failure is recorded on the item and retried."""
    from cases import outbox
    from web.sms import sms_settings

    settings = sms_settings(app)
    done: list[int] = []
    now = utcnow()
    for item in items:
        message = session.get(SmsMessage, int(item.key))
        if message is None or message.status != "queued":
            done.append(item.id)
            continue
        if sms.opted_out(session, message.number):
            message.status = "opted_out"
            done.append(item.id)
            continue
        if sms.sent_in_last_hour(session, message.number, now) >= settings.per_number_per_hour:
            message.error = "waiting: the number's hourly limit is reached"
            continue
        try:
            sendsms(app, message)
        except GatewayError as exc:
            message.error = str(exc)
            outbox.mark_failed(session, item.id, str(exc))
            continue
        message.status, message.sent_at, message.error = "sent", utcnow(), ""
        session.flush()  # the next message to the same number counts this one
        done.append(item.id)
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
