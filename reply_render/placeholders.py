"""The documented placeholders a letter template may use, with descriptions for the admin's template editor.

Templates see every placeholder as a plain string (dates already formatted), so nothing in a template needs
attribute access or calls; anything not listed here is refused by validation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from reply_render.letter_words import letter_date


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the UI catalogs, as ``cases.errors.N_`` does (this package imports
    nothing of ours); the editor translates it where it shows it."""
    return message


@dataclass(frozen=True)
class Placeholder:
    """One named value a template can insert with ``{{ name }}``; ``description`` is marked for the UI catalogs
    and translated where the editor shows it."""

    name: str
    description: str
    example: str


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("citizen_name", N_("Name of the citizen who wrote, as registered on the case."),
                "Maria Lopez"),
    Placeholder("citizen_address", N_("The citizen's postal address (may span several lines)."),
                "12 River Road\nFlat 3\nSpringfield 10115"),
    Placeholder("case_number", N_("The case number, e.g. 2026-000123."), "2026-000123"),
    Placeholder("case_subject", N_("The subject of the citizen's letter."),
                "Street light broken on River Road"),
    Placeholder("kind", N_("The kind of case in the letter's language (consultation, report, complaint ...)."),
                "report"),
    Placeholder("received_date", N_("Date the office received the letter, written out in the letter's language."),
                "2 March 2026"),
    Placeholder("due_date", N_("Date by which the unit must answer, written out; empty if none."),
                "16 March 2026"),
    Placeholder("reply_date", N_("Date of this reply letter, written out in the letter's language."),
                "10 March 2026"),
    Placeholder("unit", N_("Name of the government unit handling the case."), "Public Works Department"),
    Placeholder("unit_feedback", N_("The unit's answer to the citizen's letter (may span several paragraphs)."),
                "The street light was repaired on 8 March.\n\nThank you for telling us."),
    Placeholder("officer_name", N_("Name of the office staff member signing the letter."), "Chen Wei"),
    Placeholder("office_name", N_("Name of the hotline office."), "Mayor's Mailbox Office"),
    Placeholder("office_phone", N_("The office's hotline number."), "12345"),
    Placeholder("tracking_code", N_("The citizen's secret tracking code for the case."), "K7Q2-9XMB-4TRA"),
    Placeholder("tracking_url", N_("Web address where the citizen follows the case."),
                "https://mailbox.example.gov/track/K7Q2-9XMB-4TRA"),
    Placeholder("primary_case_number", N_("For a merged duplicate: the number of the case it was merged into."),
                "2026-000098"),
    Placeholder("return_reason", N_("For a return notice: why the case is outside the city's remit and where to "
                "turn instead."), "Pensions are handled by the national social insurance agency."),
)

PLACEHOLDER_NAMES: frozenset[str] = frozenset(p.name for p in PLACEHOLDERS)


def placeholder_descriptions() -> dict[str, str]:
    """Map each documented placeholder name to its description, in documentation order (for the admin editor)."""
    return {p.name: p.description for p in PLACEHOLDERS}


_SAMPLES: dict[str, dict[str, str]] = {
    "zh": {
        "citizen_name": "王小明", "citizen_address": "春田市河滨路12号\n3单元301室\n邮编 100115",
        "case_subject": "河滨路路灯损坏", "kind": "反映问题", "received_date": "2026年3月2日",
        "due_date": "2026年3月16日", "reply_date": "2026年3月10日", "unit": "市城市管理委员会",
        "unit_feedback": "经查，河滨路路灯已于3月8日修复。\n\n感谢您的监督。", "officer_name": "陈伟",
        "office_name": "市长信箱办公室", "return_reason": "养老金事务由国家社会保险机构负责办理。",
    },
    "es": {
        "citizen_name": "María López", "citizen_address": "Calle del Río 12, 3.º B\n10115 Springfield",
        "case_subject": "Farola averiada en la calle del Río", "kind": "denuncia", "received_date": "2 de marzo de 2026",
        "due_date": "16 de marzo de 2026", "reply_date": "10 de marzo de 2026", "unit": "Área de Obras Públicas",
        "unit_feedback": "La farola se reparó el 8 de marzo.\n\nGracias por avisarnos.",
        "office_name": "Oficina del Buzón del Alcalde",
        "return_reason": "Las pensiones las gestiona el Instituto Nacional de la Seguridad Social.",
    },
}


def sample_context(lang: str = "en") -> dict[str, str]:
    """A complete context with example values (in ``lang`` where it matters), to render a template against
    before it is saved and for previews."""
    values = {p.name: p.example for p in PLACEHOLDERS}
    values.update(_SAMPLES.get(lang, {}))
    return values


def normalize_context(context: Mapping[str, Any], lang: str = "en") -> dict[str, str]:
    """Turn caller values into the plain strings templates see: dates written out in ``lang``
    (10 March 2026, 2026年3月10日, 10 de marzo de 2026), ``None`` as empty text, anything else ``str()``.

    Keys that are not documented placeholders are dropped, so a template can never reach anything else.
    """
    plain: dict[str, str] = {}
    for name, value in context.items():
        if name not in PLACEHOLDER_NAMES:
            continue
        if value is None:
            plain[name] = ""
        elif isinstance(value, (date, datetime)):
            plain[name] = letter_date(value, lang)
        else:
            plain[name] = str(value)
    return plain
