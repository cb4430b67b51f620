"""The endpoints Kannel calls: inbound messages (the smsbox ``get-url``) and delivery reports (``dlr-url``).

Both carry the shared ``SMS_TOKEN``; neither has a session or a form, so CSRF does not apply. Kannel retries a
request that fails, and each message is handled once by its gateway id.
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request

from cases import outbox, sms
from cases.errors import ValidationError
from web.extensions import csrf
from web.tasks.queue import kick
from web.app_state import db, policy

bp = Blueprint("sms", __name__, url_prefix="/sms")


def _refused() -> Response | None:
    from web.sms import OFF_MESSAGE

    if not current_app.config["SMS_ENABLED"]:
        return Response(OFF_MESSAGE, status=404, mimetype="text/plain")  # this deployment has no SMS
    token = current_app.config["SMS_TOKEN"]
    if not token or not hmac.compare_digest(request.args.get("token", ""), token):
        return Response("Forbidden", status=403, mimetype="text/plain")
    return None


@bp.get("/inbound")
@csrf.exempt
def inbound() -> Response:
    """One citizen's SMS, as smsbox passes it: ``id`` (its message id), ``from``, ``text``."""
    from web.sms import sms_settings

    refused = _refused()
    if refused is not None:
        return refused
    message_id, number = request.args.get("id", ""), request.args.get("from", "")
    if not message_id:
        return Response("id is required", status=400, mimetype="text/plain")
    try:
        sms.receive(db(), policy(), sms_settings(current_app), message_id=message_id, number=number,
                    text=request.args.get("text", ""))
    except ValidationError as exc:
        return Response(str(exc), status=400, mimetype="text/plain")
    db().commit()
    kick((outbox.INDEX_CASE, outbox.SEND_SMS))
    # An empty body: smsbox sends no reply of its own (the acknowledgement goes through the outbox).
    return Response("", status=200, mimetype="text/plain")


@bp.get("/dlr")
@csrf.exempt
def delivery_report() -> Response:
    """A delivery report for one of our messages: ``id`` (ours) and ``type`` (Kannel's DLR type)."""
    refused = _refused()
    if refused is not None:
        return refused
    try:
        message_id, dlr_type = int(request.args.get("id", "")), int(request.args.get("type", ""))
    except ValueError:
        return Response("id and type are numbers", status=400, mimetype="text/plain")
    found = sms.record_delivery(db(), message_id, dlr_type)
    db().commit()
    return Response("", status=200 if found else 404, mimetype="text/plain")
