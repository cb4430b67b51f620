"""Staff pages: the quarantine list, raw downloads, retry; and retrying a failed email reply."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from cases import audit, texts
from cases.errors import N_
from cases.models import QuarantineItem, Reply
from cases.sniff import EMAIL
from web.auth import current_actor, role_required
from web.downloads import download
from web.tasks.queue import kick
from web.privacy.access import log_access
from web.quarantine import retry as retrying
from web.app_state import db, policy

bp = Blueprint("quarantine", __name__, url_prefix="/quarantine")
STAFF = ("clerk", "supervisor", "admin")


@bp.record_once
def _register_hooks(setup_state) -> None:  # type: ignore[no-untyped-def]
    retrying.init_app(setup_state.app)


@bp.route("/")
@role_required(*STAFF)
def index() -> str:
    show_all = request.args.get("all") == "1"
    query = select(QuarantineItem).order_by(QuarantineItem.id.desc()).limit(500)
    if not show_all:
        query = query.where(QuarantineItem.resolved_at.is_(None))
    items = db().scalars(query).all()
    retryable = set(retrying.hooks(current_app))
    return render_template("pages/quarantine/list.html", items=items, show_all=show_all, retryable=retryable)


def _item(item_id: int) -> QuarantineItem:
    item = db().get(QuarantineItem, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/<int:item_id>/raw")
@role_required(*STAFF)
def raw(item_id: int) -> Response:
    item = _item(item_id)
    try:
        data = policy().store.get(item.raw_sha256)
    except FileNotFoundError:
        abort(404)
    log_access(audit.DOWNLOAD_RAW, target=texts.text(N_("quarantine %(id)s"), id=item.id))
    # The original came from outside: a download under our name, typed by its bytes (an email as .eml).
    return download(data, f"quarantine-{item.id}", content_type=EMAIL if item.source == "email" else None)


@bp.route("/<int:item_id>/retry", methods=["POST"])
@role_required(*STAFF)
def retry(item_id: int) -> Response:
    item = _item(item_id)
    if item.resolved_at is not None:
        flash(_("This item was already resolved."), "info")
        return redirect(url_for("quarantine.index"))
    try:
        case = retrying.retry(current_app, db(), item, current_actor())
    except retrying.RetryFailed as exc:
        db().commit()  # keep the attempt count and the error
        flash(_("Retry failed: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for("quarantine.index"))
    db().commit()
    kick()
    if case is not None:
        flash(_("Registered on case %(number)s.", number=case.number), "success")
        return redirect(url_for("casepage.show", number=case.number))
    flash(_("Retried."), "success")
    return redirect(url_for("quarantine.index"))


@bp.route("/replies/<int:reply_id>/retry", methods=["POST"])
@role_required(*STAFF)
def retry_reply(reply_id: int) -> Response:
    from web.mail.sending import RETRYABLE, retry_reply as requeue

    reply = db().get(Reply, reply_id)
    if reply is None or reply.channel != "email":
        abort(404)
    if reply.status not in RETRYABLE:
        flash(_("This reply is not waiting to be sent."), "info")
    else:
        requeue(db(), reply)
        db().commit()
        kick()
        flash(_("Sending again."), "success")
    return redirect(url_for("casepage.show", number=reply.case.number))
