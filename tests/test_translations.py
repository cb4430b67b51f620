"""The Chinese and Spanish catalogs are complete: every message the code marks for translation (web, templates and
the domain's error messages, as babel.cfg extracts them) is in both, each with a translation whose named
parameters are those of the English text."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["zh", "es"]


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(ROOT / "web" / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


def _msgid(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    return {_msgid(found[2]) for found in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_a_translation(lang: str) -> None:
    catalog = _catalog(lang)
    untranslated = [m.id for m in catalog if m.id and (m.fuzzy or not all(
        [m.string] if isinstance(m.string, str) else m.string))]
    assert untranslated == []
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_message_is_in_the_catalog(lang: str, extracted: set[str]) -> None:
    assert "The case is already under supervision." in extracted  # the domain's messages are extracted too
    known = {_msgid(m.id) for m in _catalog(lang) if m.id}
    assert sorted(extracted - known) == []
