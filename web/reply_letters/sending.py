"""Sending a reply from the case page: the clerk's letter becomes the e-mail parts or the stored postal PDF,
then the domain records it (waiting for approval or on its way)."""
from __future__ import annotations

from typing import Any

from flask import current_app

from cases import letters
from cases.actors import Actor
from cases.errors import N_, ValidationError
from cases.models import Case, Reply
from web.reply_letters.drafting import case_tracking_url, choose, stored_letter
from web.reply_letters.office import office_info
from reply_render import LetterError, RenderedLetter, email_parts, letter_pdf
from web.app_state import db, policy

SUPERVISION = frozenset({"supervisor", "admin"})


def needs_approval(case: Case, actor: Actor) -> bool:
    """Whether a reply on ``case`` written by ``actor`` waits for a supervisor (``REPLY_APPROVAL_KINDS``)."""
    kinds = current_app.config.get("REPLY_APPROVAL_KINDS") or ()
    return case.kind.value in kinds and actor.role not in SUPERVISION


def postal_letter_pdf(case: Case, letter: RenderedLetter) -> bytes:
    """``letter`` about ``case`` printed as the postal PDF (addressed to the citizen, dated today)."""
    citizen = case.citizen
    try:
        return letter_pdf(letter, recipient_name=citizen.name if citizen else "",
                          recipient_address=citizen.address if citizen else "", date=policy().today(),
                          case_number=case.number, tracking_url=letter.tracking_url,
                          tracking_code=case.tracking_code, office=office_info(current_app.config, letter.lang))
    except LetterError as error:
        raise ValidationError(str(error)) from error


def store_letter_pdf(case: Case, letter: RenderedLetter) -> str:
    """Print ``letter`` to a PDF for the post, store it, and return its sha256."""
    return policy().store.put(postal_letter_pdf(case, letter))


def form_letter(case: Case, form: Any) -> RenderedLetter:
    """The letter exactly as the reply form ``form`` would send it."""
    _purpose, lang = choose(case, form.purpose.data, form.lang.data)
    body = (form.body.data or "").replace("\r\n", "\n").replace("\r", "\n")
    return RenderedLetter.from_text(" ".join((form.subject.data or "").split()), body, lang=lang,
                                    tracking_url=case_tracking_url(case))


def submit(actor: Actor, case: Case, form: Any) -> Reply:
    """The reply form's action: record the clerk's (possibly edited) letter exactly as it will be sent."""
    purpose, lang = choose(case, form.purpose.data, form.lang.data)
    channel = form.channel.data
    if channel == "post" and not (case.citizen and case.citizen.address.strip()):
        raise ValidationError(N_("The citizen gave no postal address: reply by email or phone."))
    letter = form_letter(case, form)
    body = letter.text
    _text, html = email_parts(letter)
    waits = needs_approval(case, actor)
    pdf = store_letter_pdf(case, letter) if channel == "post" and not waits else None
    template = letters.active_template(db(), purpose, lang)
    draft = letters.ReplyDraft(subject=letter.subject, body=body, channel=channel, purpose=purpose, lang=lang,
                               tracking_url=letter.tracking_url, email_html=html if channel == "email" else None,
                               template_version=template.version if template is not None else None)
    return letters.submit_reply(db(), policy(), case, actor, draft, needs_approval=waits, pdf_sha256=pdf)


def decide(actor: Actor, case: Case, form: Any) -> Reply:
    """The supervisor's decision on a waiting reply: approve (it goes out now) or send it back with a note."""
    if form.decision.data != "approve":
        return letters.send_back(db(), policy(), case, actor, form.note.data or "")
    waiting = letters.awaiting_reply(case)
    pdf = None
    if waiting is not None and waiting.channel == "post" and actor.role in SUPERVISION:
        pdf = store_letter_pdf(case, stored_letter(waiting, case))
    return letters.approve(db(), policy(), case, actor, note=form.note.data or "", pdf_sha256=pdf)


def postal_pdf(reply: Reply) -> bytes:
    """The stored PDF of a postal reply; one made before PDFs were stored is printed now and kept."""
    if reply.pdf_sha256 and policy().store.exists(reply.pdf_sha256):
        return policy().store.get(reply.pdf_sha256)
    reply.pdf_sha256 = store_letter_pdf(reply.case, stored_letter(reply, reply.case))
    return policy().store.get(reply.pdf_sha256)
