"""Filling a reply letter for a case: which template, in which language, with which values."""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import get_locale
from sqlalchemy.orm import Session

from cases import letters
from cases.categories import localized_name
from cases.actors import Actor
from cases.models import Case, Reply
from web.reply_letters.office import kind_name, office_info
from reply_render import LANGUAGES, PURPOSES, RenderedLetter, TemplateRejected, default_template, render_letter
from web.app_state import db, policy


def template_source(session: Session, purpose: str, lang: str) -> tuple[str, int | None]:
    """The template in use for ``purpose`` in ``lang`` and its version (``None``: the shipped default)."""
    row = letters.active_template(session, purpose, lang)
    return (row.source, row.version) if row is not None else (default_template(purpose, lang), None)


def ui_language() -> str:
    """The clerk's UI language, when it is one of the letter languages."""
    locale = get_locale()
    lang = locale.language if locale is not None else "en"
    return lang if lang in LANGUAGES else "en"


def choose(case: Case, purpose: str | None = None, lang: str | None = None) -> tuple[str, str]:
    """The purpose and language to use: the ones asked for if valid, else what the case calls for and the
    language the citizen wrote in (the UI language when that cannot be told)."""
    if purpose not in PURPOSES:
        purpose = letters.default_purpose(case)
    if lang not in LANGUAGES:
        lang = letters.citizen_language(case) or ui_language()
    return purpose, lang  # type: ignore[return-value]


def case_tracking_url(case: Case) -> str:
    """The citizen's tracking address for ``case``."""
    return letters.tracking_url(current_app.config["PUBLIC_BASE_URL"], case.number, case.tracking_code)


def case_context(case: Case, actor: Actor, lang: str) -> dict[str, Any]:
    """Every placeholder value for a letter about ``case`` signed by ``actor``, worded for ``lang``."""
    office = office_info(current_app.config, lang)
    values = letters.reply_context(case, policy(), officer_name=actor.name, office_name=office.name,
                                   office_phone=office.phone, base_url=current_app.config["PUBLIC_BASE_URL"])
    values["kind"] = kind_name(values["kind"], lang)
    values["unit"] = localized_name(case.unit, lang) if case.unit else ""  # 交通运输局 in a Chinese letter
    return values


def draft(case: Case, actor: Actor, purpose: str, lang: str) -> tuple[RenderedLetter, int | None, list[str]]:
    """The letter filled in for ``case``: (letter, template version, problems).

    A saved template passed validation against sample values; should it still fail on this case's values,
    the shipped default is used and the problems are returned so the clerk sees why.
    """
    source, version = template_source(db(), purpose, lang)
    values = case_context(case, actor, lang)
    try:
        return render_letter(source, values, lang=lang), version, []
    except TemplateRejected as error:
        if version is None:
            raise
        return render_letter(default_template(purpose, lang), values, lang=lang), None, error.errors


def prefill_reply_form(form: Any, case: Case, actor: Actor, purpose: str | None, lang: str | None) -> None:
    """Fill the reply form with the letter drafted from the chosen (or default) template."""
    purpose, lang = choose(case, purpose, lang)
    letter, version, problems = draft(case, actor, purpose, lang)
    form.purpose.data, form.lang.data = purpose, lang
    form.subject.data, form.body.data = letter.subject, letter.text
    form.channel.data = case.citizen.preferred_reply if case.citizen else "phone"
    form.template_problems = problems


def stored_letter(reply: Reply, case: Case) -> RenderedLetter:
    """A reply rebuilt from what was stored (its text exactly as sent)."""
    detail = getattr(reply, "letter", None)
    lang = detail.lang if detail is not None and detail.lang in LANGUAGES else "en"
    url = detail.tracking_url if detail is not None and detail.tracking_url else case_tracking_url(case)
    return RenderedLetter.from_text(reply.subject, reply.body, lang=lang, tracking_url=url)


def letter_picker(case: Case) -> dict[str, Any]:
    """What the template picker above the reply form offers, and what it has chosen."""
    from flask import request

    purpose, lang = choose(case, request.args.get("purpose"), request.args.get("lang"))
    return {"purposes": PURPOSES, "languages": LANGUAGES, "purpose": purpose, "lang": lang}
