"""The office as a letter shows it: letterhead from configuration, kind names in the letter's language."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reply_render import OfficeInfo

# Letters are written in the citizen's language, not the clerk's, so these words do not follow the UI locale.
KIND_NAMES: dict[str, dict[str, str]] = {
    "en": {"consultation": "consultation", "report": "report", "suggestion": "suggestion",
           "help": "request for help", "complaint": "complaint", "praise": "praise"},
    "zh": {"consultation": "咨询", "report": "反映问题", "suggestion": "建议", "help": "求助", "complaint": "投诉",
           "praise": "表扬"},
    "es": {"consultation": "consulta", "report": "denuncia", "suggestion": "sugerencia",
           "help": "solicitud de ayuda", "complaint": "queja", "praise": "felicitación"},
}


def kind_name(kind: str, lang: str) -> str:
    """The case kind ``kind`` (a code value) as a letter in ``lang`` words it."""
    return KIND_NAMES.get(lang, KIND_NAMES["en"]).get(kind, kind)


def office_info(config: Mapping[str, Any], lang: str) -> OfficeInfo:
    """The letterhead for a letter in ``lang``: the ``OFFICE_*`` keys, overridden per language by
    ``OFFICE_LETTERHEAD[lang]`` (``name``, ``authority``, ``address``, ``phone``, ``email``, ``website``)."""
    over = dict((config.get("OFFICE_LETTERHEAD") or {}).get(lang) or {})
    address = over.get("address", config.get("OFFICE_ADDRESS") or ())
    if isinstance(address, str):
        address = [line for line in address.splitlines() if line.strip()]
    return OfficeInfo(
        name=str(over.get("name") or config.get("OFFICE_NAME") or ""),
        authority=str(over.get("authority", config.get("OFFICE_AUTHORITY") or "")),
        address_lines=tuple(str(line) for line in address),
        phone=str(over.get("phone", config.get("OFFICE_PHONE") or "")),
        email=str(over.get("email", config.get("OFFICE_EMAIL") or "")),
        website=str(over.get("website", config.get("OFFICE_WEBSITE") or "")),
    )
