"""SMS through a Kannel gateway: the endpoints Kannel calls (inbound messages, delivery reports) and the worker's
outbox handlers that send through Kannel's ``sendsms`` interface. Off unless ``SMS_ENABLED``."""
from __future__ import annotations

from flask import Flask

from cases import outbox
from cases.sms import SmsSettings
from web.tasks.queue import register_outbox_handler
from web.sms.sending import queue_reply_messages, send_items
from web.sms.views import bp  # noqa: F401

OFF_MESSAGE = "SMS is off: set SMS_ENABLED and the SMS_* gateway settings to send and receive text messages."


def sms_settings(app: Flask) -> SmsSettings:
    cfg = app.config
    return SmsSettings(enabled=bool(cfg["SMS_ENABLED"]), max_segments=int(cfg["SMS_MAX_SEGMENTS"]),
                       per_number_per_hour=int(cfg["SMS_PER_NUMBER_PER_HOUR"]),
                       inbound_per_number_per_hour=int(cfg["SMS_INBOUND_PER_NUMBER_PER_HOUR"]),
                       follow_up_days=int(cfg["SMS_FOLLOW_UP_DAYS"]), public_url=cfg["PUBLIC_BASE_URL"])


def init_app(app: Flask) -> None:
    """Register the SMS outbox handlers when SMS is on; say plainly that it is off otherwise."""
    if not app.config["SMS_ENABLED"]:
        app.logger.info(OFF_MESSAGE)
        return
    missing = [k for k in ("SMS_SENDSMS_URL", "SMS_USERNAME", "SMS_PASSWORD", "SMS_TOKEN", "SMS_CALLBACK_URL")
               if not app.config.get(k)]
    if missing:
        raise RuntimeError(f"SMS_ENABLED is set but {', '.join(missing)} are empty; see the README's SMS settings.")
    register_outbox_handler(app, outbox.SEND_SMS, send_items)
    register_outbox_handler(app, outbox.SMS_REPLY, queue_reply_messages)
