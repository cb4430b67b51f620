"""Answering at the desk from the case page: the clerk's answer becomes a reply on its channel, the case closes."""
from __future__ import annotations

from collections.abc import Sequence

from cases import services
from cases.actors import Actor
from cases.models import Case
from cases.models_desk import DirectAnswer
from web.reply_letters.drafting import case_tracking_url, choose
from web.reply_letters.sending import store_letter_pdf
from reply_render import RenderedLetter
from web.app_state import db, policy


def answer(actor: Actor, case: Case, *, body: str, channel: str, article_ids: Sequence[int] = (),
           satisfaction: str = "") -> DirectAnswer:
    """Answer ``case`` at the desk: record the answer (a postal one printed and stored first) and, when the
    citizen rated it on the call, the rating."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    pdf = None
    if channel == "post" and case.citizen and case.citizen.address.strip() and body.strip():
        _purpose, lang = choose(case, "reply", None)
        letter = RenderedLetter.from_text(case.subject, body, lang=lang, tracking_url=case_tracking_url(case))
        pdf = store_letter_pdf(case, letter)
    done = services.answer_directly(db(), policy(), case, actor, body=body, channel=channel,
                                    article_ids=article_ids, subject=case.subject, pdf_sha256=pdf)
    if satisfaction:
        services.rate(db(), policy(), case, actor, satisfaction)
    return done
