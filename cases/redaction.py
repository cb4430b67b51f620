"""Finding and removing personal data before a text is published: names, phone numbers, email addresses,
identity and account numbers, street addresses, vehicle plates and messaging handles, in Chinese, English and
Spanish letters.

Three sources work together: what we *know* about the citizen (name, phone, email, address on file), matched
wherever it appears and in either script; *finders* for the kinds of item that are personal whoever they belong
to (``redaction_numbers``, ``redaction_places``, ``redaction_names``, ``redaction_people``); and, across the texts
of one publication, whatever was found in one text is removed from all of them (a neighbour named in the letter
is not named in the reply). Recall comes first (a missed phone number is a leak, an extra ``[address]`` only costs
readability), but ordinary numbers (years, "line 5", case numbers, amounts, dates) are left alone.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from cases.redaction_names import third_party_names, trim_latin_name
from cases.redaction_numbers import (ACCOUNT, DEFAULT_PHONE_REGIONS, EMAIL, HANDLE, ID, PHONE, PLATE,
                                     numbers_and_handles)
from cases.redaction_people import chinese_names, cross_script_names, latin_names, pinyin_spellings
from cases.redaction_places import ADDRESS, addresses

NAME = "name"
KINDS = (NAME, PHONE, EMAIL, ID, ACCOUNT, ADDRESS, PLATE, HANDLE)
PLACEHOLDERS = {NAME: "[name]", PHONE: "[phone]", EMAIL: "[email]", ID: "[ID]", ACCOUNT: "[account]",
                ADDRESS: "[address]", PLATE: "[plate]", HANDLE: "[handle]"}
# When two findings overlap, the longer wins; on equal length the more specific kind does.
_PRIORITY = {EMAIL: 0, ACCOUNT: 1, ID: 2, PHONE: 3, PLATE: 4, HANDLE: 5, ADDRESS: 6, NAME: 7}


@dataclass(frozen=True)
class Known:
    """What we hold about the citizen: each string is removed wherever it appears, in any spelling of spaces."""

    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    items: tuple[tuple[str, str], ...] = ()  # (kind, text) found in another text of the same publication


@dataclass(frozen=True)
class Span:
    """One personal item found in a text: ``text[start:end]`` is of ``kind``."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Redacted:
    """The redacted text and what was taken out of the original (positions refer to the original)."""

    text: str
    spans: tuple[Span, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        out = {kind: 0 for kind in KINDS}
        for span in self.spans:
            out[span.kind] += 1
        return out


# ---- patterns ---------------------------------------------------------------------------------------------------
_CJK = "\u4e00-\u9fff"
# Self-introductions and sign-offs name the writer even when the name on file is spelled differently.
_CN_INTRO_RE = re.compile(rf"(?:我叫|我是|本人|姓名[:：]?|署名[:：]?)\s*([{_CJK}]{{2,3}})(?=[，。,.\s、；;！!]|$)")
_CN_TITLE_SUFFIX = "先生|女士|小姐|老师|阿姨|大爷|大妈|师傅|同志"
_LATIN_NAME = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü'\-]+(?:\s+(?:de\s+|del\s+)?[A-ZÁÉÍÓÚÑ][a-záéíóúñü'\-]+){0,3}"
_INTRO_RE = re.compile(rf"\b(?:[Mm]y name is|I am|I'm|[Mm]e llamo|[Mm]i nombre es|[Ss]oy)\s+({_LATIN_NAME})")
_SIGNOFF_RE = re.compile(
    rf"(?:Sincerely|Regards|Best regards|Kind regards|Yours faithfully|Yours sincerely|Thank you|Thanks|"
    rf"Atentamente|Saludos|Un saludo|Cordialmente|Gracias)[,.!]?\s*\n\s*({_LATIN_NAME})\s*$", re.MULTILINE)
_CN_SIGNOFF_RE = re.compile(rf"(?:此致\s*敬礼|谢谢|敬上)[！!。，,]?\s*\n\s*([{_CJK}]{{2,3}})\s*$", re.MULTILINE)
_TITLE_RE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Dr|Sr|Sra|Srta|Don|Doña|Dña\.)\.?\s+({_LATIN_NAME})")


def _flexible(value: str) -> re.Pattern[str] | None:
    """A pattern for a known string that tolerates different spacing (and, for phones, separators)."""
    value = value.strip()
    if len(value) < 2:
        return None
    digits = re.sub(r"\D", "", value)
    if digits and len(digits) >= 7 and len(digits) >= len(re.sub(r"[\s+()\-.]", "", value)):
        # A phone number: the same digits with any separators, the country code optional.
        tail = digits[-11:] if digits.startswith("86") and len(digits) == 13 else digits
        body = r"[ .\-()]*".join(re.escape(d) for d in tail)
        return re.compile(r"(?<!\d)(?:(?:\+|00)\d{1,3}[ .\-]*)?" + body + r"(?!\d)")
    parts = [re.escape(p) for p in value.split()]
    if _has_cjk(value):
        return re.compile(r"\s*".join(parts), re.IGNORECASE)
    # ASCII boundaries: a Chinese character next to a Latin name ("本人Chen Jing") is a boundary too.
    before = r"(?<![A-Za-z0-9])" if value[0].isalnum() else r"(?<![A-Za-z0-9_@])"
    after = r"(?![A-Za-z0-9])" if value[-1].isalnum() else ""
    return re.compile(before + r"\s+".join(parts) + after, re.IGNORECASE)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _known_spans(text: str, known: Known) -> list[Span]:
    found: list[Span] = []

    def add(kind: str, pattern: re.Pattern[str] | None) -> None:
        if pattern is not None:
            found.extend(Span(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text))

    for name in known.names:
        name = name.strip()
        add(NAME, _flexible(name))
        if _has_cjk(name):
            if 2 <= len(name) <= 4:  # "王女士", "王先生": the surname with a title
                add(NAME, re.compile(re.escape(name[0]) + rf"(?:{_CN_TITLE_SUFFIX})"))
            for spelling in pinyin_spellings(name):  # 张晓明 registered, "Zhang Xiaoming" in the letter
                add(NAME, _flexible(spelling))
        else:
            for part in name.split():
                if len(part) >= 3 and part[0].isupper():
                    add(NAME, re.compile(r"(?<![A-Za-z])" + re.escape(part) + r"(?![A-Za-z])"))
    found.extend(Span(NAME, a, b, text[a:b]) for a, b in cross_script_names(text, known.names))
    for phone in known.phones:
        add(PHONE, _flexible(phone))
    for email in known.emails:
        if email.strip():
            add(EMAIL, re.compile(re.escape(email.strip()), re.IGNORECASE))
    for address in known.addresses:
        add(ADDRESS, _flexible(address))
        for part in re.split(r"[,，;；\n]", address):
            if len(part.strip()) >= 5 and any(ch.isdigit() for ch in part):
                add(ADDRESS, _flexible(part))
    for kind, value in known.items:
        add(kind, _flexible(value))
    return found


def _pattern_spans(text: str, regions: tuple[str, ...]) -> list[Span]:
    found = [Span(kind, a, b, text[a:b]) for kind, a, b in numbers_and_handles(text, regions) + addresses(text)]
    for pattern in (_CN_INTRO_RE, _CN_SIGNOFF_RE):
        for m in pattern.finditer(text):
            found.append(Span(NAME, m.start(1), m.end(1), m.group(1)))
    for pattern in (_INTRO_RE, _SIGNOFF_RE, _TITLE_RE):
        for m in pattern.finditer(text):
            span = trim_latin_name(text, m.start(1), m.end(1))  # "Sr. Alcalde" is no name
            if span is not None:
                found.append(Span(NAME, span[0], span[1], text[span[0]:span[1]]))
    for m in re.finditer(rf"([{_CJK}])(?:{_CN_TITLE_SUFFIX})", text):
        # "王女士" names a person only when a surname precedes the title; "女士们" or "老师们" do not.
        if m.group(1) in _COMMON_SURNAMES:
            found.append(Span(NAME, m.start(), m.end(), m.group()))
    # Other people's names: by their context (邻居张伟, "Mr. Smith"), by jieba's tagger, by the name lists.
    for start, end in third_party_names(text) + chinese_names(text) + latin_names(text):
        found.append(Span(NAME, start, end, text[start:end]))
    return found


_COMMON_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                       "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
                       "戴莫孔向汤")


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans: overlapping findings are joined into one, of the kind of the strongest finding."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start), _PRIORITY[s.kind]))
    merged: list[Span] = []
    for span in ordered:
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            end = max(last.end, span.end)
            stronger = last if (last.end - last.start, -_PRIORITY[last.kind]) >= (
                span.end - span.start, -_PRIORITY[span.kind]) else span
            merged[-1] = Span(stronger.kind, last.start, end, "")
            continue
        merged.append(span)
    return merged


def find_personal(text: str, known: Known | None = None,
                  regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> list[Span]:
    """Every personal item in ``text`` (known details of the citizen and what the finders find), without
    overlaps; phone numbers are those valid in ``regions`` or written with a country code."""
    if not text:
        return []
    spans = _merge(_known_spans(text, known or Known()) + _pattern_spans(text, tuple(regions)))
    return [Span(s.kind, s.start, s.end, text[s.start:s.end]) for s in spans]


def redact(text: str, known: Known | None = None, placeholders: dict[str, str] | None = None,
           regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> Redacted:
    """``text`` with every personal item replaced by a placeholder such as ``[phone]``."""
    marks = placeholders or PLACEHOLDERS
    spans = find_personal(text or "", known, regions)
    pieces: list[str] = []
    cursor = 0
    for span in spans:
        pieces.append(text[cursor:span.start])
        pieces.append(marks[span.kind])
        cursor = span.end
    pieces.append((text or "")[cursor:])
    return Redacted("".join(pieces), tuple(spans))


def learned(known: Known, texts: Iterable[str], regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> Known:
    """``known`` plus every item found in ``texts``: what one text of a publication gives away is then removed
    from all of them, wherever the others mention it without the context that gave it away."""
    names, items = list(known.names), list(known.items)
    for text in texts:
        for span in find_personal(text or "", known, regions):
            value = span.text.strip()
            if len(value) < 2:
                continue
            if span.kind == NAME:
                names.append(value)
            else:
                items.append((span.kind, value))
    return replace(known, names=tuple(dict.fromkeys(names)), items=tuple(dict.fromkeys(items)))


def redact_all(texts: list[str], known: Known | None = None,
               regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> list[Redacted]:
    """Redact the texts of one publication together (subject, letters, reply): an item found in any of them is
    removed from all."""
    everything = learned(known or Known(), texts, regions)
    return [redact(text or "", everything, regions=regions) for text in texts]
