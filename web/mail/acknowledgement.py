"""The acknowledgement of a new email case: queued in the case's own transaction, rendered into a reply when
the ``send_mail`` outbox handler sends it."""
from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import outbox
from cases.drafts import LetterDraft
from cases.models import Case, Reply
from reply_render import default_template, render_letter
from reply_render.letter_words import letter_date
from web.app_state import state

ACKNOWLEDGEMENT = "acknowledgement"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def tracking_url(app: Flask, case: Case) -> str:
    """The citizen's tracking page for ``case`` (number and secret code in the query)."""
    base = str(app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return f"{base}/track?{urlencode({'number': case.number, 'code': case.tracking_code})}"


def _letter_language(app: Flask, draft: LetterDraft) -> str:
    if _CJK.search(draft.subject or "") or _CJK.search((draft.body or "")[:2000]):
        return "zh"
    lang = str(app.config.get("BABEL_DEFAULT_LOCALE") or "en")[:2]
    return lang if lang in ("en", "zh", "es") else "en"


class _AcknowledgementHook:
    """The ``on_new_case`` hook: queue the acknowledgement of a new, person-written email case (MAIL_ACKNOWLEDGE).

    Only an outbox item is written, in the case's own transaction, so it is queued exactly once and intake stays
    cheap; the ``send_mail`` handler renders it into a ``Reply`` row (channel email, template
    "acknowledgement"), sends it and stores its Message-ID, so answers to it join the case.
    """

    def __init__(self, app: Flask):
        self.app = app

    def __call__(self, case_id: int, draft: LetterDraft) -> list[dict[str, Any]]:
        app = self.app
        if draft.automatic or not app.config["MAIL_ACKNOWLEDGE"] or not draft.sender_email:
            return []
        if not app.config.get("MAIL_FROM"):
            return []
        return [{"topic": outbox.SEND_MAIL, "key": f"ack:{case_id}",
                 "payload": {"kind": ACKNOWLEDGEMENT, "case_id": case_id, "lang": _letter_language(app, draft)}}]


def acknowledgement_hook(app: Flask) -> _AcknowledgementHook:
    """The ``on_new_case`` hook of the mail store (see ``_AcknowledgementHook``)."""
    return _AcknowledgementHook(app)


@cache
def _template(lang: str) -> str:
    """The built-in acknowledgement template of ``lang`` (a file of the checkout: read once per process)."""
    return default_template(ACKNOWLEDGEMENT, lang)


def acknowledgement_reply(app: Flask, session: Session, case: Case, lang: str = "en") -> Reply:
    """The case's acknowledgement as a ``Reply`` row (rendered now, kept exactly as it will be sent).

    Raises ``LetterError`` if the template cannot be rendered.
    """
    existing = session.scalar(select(Reply).where(Reply.case_id == case.id, Reply.template == ACKNOWLEDGEMENT)
                              .order_by(Reply.id).limit(1))
    if existing is not None:
        return existing
    lang = lang if lang in ("en", "zh", "es") else "en"
    policy = state(app).policy
    context = {
        "citizen_name": case.citizen.name if case.citizen else "", "case_number": case.number,
        "case_subject": case.subject, "kind": case.kind.value,
        "received_date": letter_date(policy.local_date(case.received_at), lang),
        "due_date": "", "reply_date": letter_date(policy.today(), lang), "unit": "",
        "officer_name": "", "office_name": app.config["OFFICE_NAME"],
        "office_phone": app.config.get("OFFICE_PHONE") or "12345",
        "tracking_code": case.tracking_code, "tracking_url": tracking_url(app, case),
    }
    letter = render_letter(_template(lang), context, lang=lang)
    row = Reply(case=case, channel="email", subject=letter.subject, body=letter.text, template=ACKNOWLEDGEMENT,
                status="pending")
    session.add(row)
    session.flush()
    return row
