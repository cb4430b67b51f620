"""A short script for the clerk who phones a citizen without e-mail or postal address."""
from __future__ import annotations

import re

from reply_render.letter_words import label
from reply_render.render import RenderedLetter, split_paragraphs

_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_SALUTATION_END = (",", ":", "，", "：")
_SHORT = 60


def _is_salutation(paragraph: str) -> bool:
    return "\n" not in paragraph and len(paragraph) <= _SHORT and paragraph.rstrip().endswith(_SALUTATION_END)


def _is_sign_off(paragraph: str) -> bool:
    lines = paragraph.split("\n")
    return len(lines) <= 4 and all(len(line) <= _SHORT for line in lines) and not any(
        line.rstrip().endswith((".", "。", "?", "？", "!", "！")) for line in lines)


def spell_out(code: str) -> str:
    """A code as the clerk says it, character by character, groups kept apart: ``K 7 Q 2 - 9 X M B``."""
    return " - ".join(" ".join(group) for group in code.split("-") if group)


def call_script(rendered: RenderedLetter, *, citizen_name: str, case_number: str, officer_name: str,
                office_name: str, tracking_code: str = "") -> str:
    """What the clerk reads on the phone: an introduction, the letter's message, the tracking code, a question.

    The letter's own salutation and sign-off are left out (the clerk greets in person), and web addresses,
    which nobody can take down by ear, become "our website"; the tracking code is read out instead.
    """
    lang = rendered.lang
    paragraphs = split_paragraphs(rendered.text)
    if paragraphs and _is_salutation(paragraphs[0]):
        paragraphs = paragraphs[1:]
    while paragraphs and _is_sign_off(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    joiner = "" if lang == "zh" else " "  # Chinese runs lines together without spaces
    spoken = []
    for paragraph in paragraphs:
        text = _URL.sub(label(lang, "call_link"), paragraph)
        spoken.append(joiner.join(line.strip() for line in text.split("\n") if line.strip()))
    parts = [label(lang, "call_intro").format(name=citizen_name, officer=officer_name, office=office_name,
                                              case=case_number)]
    parts.extend(spoken)
    if tracking_code:
        parts.append(label(lang, "call_code").format(code=spell_out(tracking_code)))
    parts.append(label(lang, "call_close"))
    return "\n\n".join(parts)
