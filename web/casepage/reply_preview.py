"""Seeing a reply before it goes: the letter as the citizen will read it (and its postal PDF) from the reply
editor, and the PDF of a reply waiting for a supervisor's approval. Nothing here stores or sends anything."""
from __future__ import annotations

from flask import Response, abort
from flask_login import login_required

from cases import audit, texts
from cases.errors import N_, CaseError
from cases.workflow import DESK, Action, allowed_actions
from web.auth import current_actor
from web.casepage import forms as f
from web.casepage.views import _page, _prepare, _visible_case, bp
from web.domain_text import say
from web.downloads import download
from web.privacy.access import log_access
from web.reply_letters.drafting import stored_letter
from web.reply_letters.sending import form_letter, postal_letter_pdf

PDF = "application/pdf"


def _may_reply(number: str):  # type: ignore[no-untyped-def]
    case = _visible_case(number)
    if Action.REPLY not in allowed_actions(case.status, current_actor().role):
        abort(404)
    return case


@bp.route("/<number>/reply/preview", methods=["POST"])
@login_required
def preview_reply(number: str) -> tuple[str, int]:
    """The case page with the reply editor as it was filled in and the letter shown as it will be sent."""
    case = _may_reply(number)
    form = _prepare(f.ReplyForm(), case)
    if not form.validate_on_submit():
        return _page(case, {"reply": form}, 400)
    return _page(case, {"reply": form}, extra={"reply_preview": form_letter(case, form)})


@bp.route("/<number>/reply/preview.pdf", methods=["POST"])
@login_required
def preview_reply_pdf(number: str) -> Response | tuple[str, int]:
    """The reply being written, printed as the postal letter would be (not stored)."""
    case = _may_reply(number)
    form = _prepare(f.ReplyForm(), case)
    if not form.validate_on_submit():
        return _page(case, {"reply": form}, 400)
    try:
        pdf = postal_letter_pdf(case, form_letter(case, form))
    except CaseError as error:
        return _page(case, {"reply": form}, 400, extra={"preview_error": say(error)})
    if case.citizen is not None:
        log_access(audit.DOWNLOAD_REPLY, case_number=case.number,
                   target=texts.text(N_("reply preview of %(case)s"), case=case.number))
    return download(pdf, f"{case.number}-reply-preview", content_type=PDF, inline=True)


@bp.route("/<number>/replies/<int:reply_id>/preview.pdf")
@login_required
def reply_pdf_preview(number: str, reply_id: int) -> Response:
    """A written reply (e.g. one waiting for approval) printed as its postal letter, for the desk to check."""
    case = _visible_case(number)
    if current_actor().role not in DESK:
        abort(404)
    reply = next((r for r in case.replies if r.id == reply_id), None)
    if reply is None:
        abort(404)
    try:
        pdf = postal_letter_pdf(case, stored_letter(reply, case))
    except CaseError:
        abort(404)
    if case.citizen is not None:
        log_access(audit.DOWNLOAD_REPLY, case_number=case.number,
                   target=texts.text(N_("reply %(id)s preview"), id=reply.id))
    return download(pdf, f"{case.number}-reply-{reply.id}-preview", content_type=PDF, inline=True)

