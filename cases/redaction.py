"""Finding and removing personal data before a text is published: names, phone numbers, email addresses,
identity numbers and street addresses, in Chinese, English and Spanish letters.

Two sources work together: what we *know* about the citizen (name, phone, email, address on file), matched
wherever it appears, and *patterns* for the kinds of item that are personal whoever they belong to. Recall comes
first (a missed phone number is a leak, an extra ``[address]`` only costs readability), but ordinary numbers
(years, "line 5", case numbers, amounts, dates) are left alone.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cases.redaction_names import third_party_names, trim_latin_name

NAME, PHONE, EMAIL, ID, ADDRESS = "name", "phone", "email", "id", "address"
KINDS = (NAME, PHONE, EMAIL, ID, ADDRESS)
PLACEHOLDERS = {NAME: "[name]", PHONE: "[phone]", EMAIL: "[email]", ID: "[ID]", ADDRESS: "[address]"}
# When two findings overlap, the longer wins; on equal length the more specific kind does.
_PRIORITY = {EMAIL: 0, ID: 1, PHONE: 2, ADDRESS: 3, NAME: 4}


@dataclass(frozen=True)
class Known:
    """What we hold about the citizen: each string is removed wherever it appears, in any spelling of spaces."""

    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


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
# Word boundaries are ASCII-only on purpose: in Python's Unicode regexes a Chinese character counts as \w, and
# "电话13800001111请回电" must still match.
_NB = r"(?<![0-9A-Za-z])"
_NA = r"(?![0-9A-Za-z])"

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+(?:@|＠)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
CN_ID_RE = re.compile(_NB + r"[1-9]\d{5}[ \-]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                      r"[ \-]?\d{3}[\dXx]" + _NA)
DNI_RE = re.compile(_NB + r"\d{8}[ \-]?[TRWAGMYFPDXBNJZSQVHLCKEtrwagmyfpdxbnjzsqvhlcke]" + _NA)
NIE_RE = re.compile(_NB + r"[XYZxyz][ \-]?\d{7}[ \-]?[A-Za-z]" + _NA)
# Any run of 7 to 15 digits with single separators, optionally after + or 00; filtered below.
PHONE_RE = re.compile(r"(?<![0-9A-Za-z+\-/.,])(?:\+|00)?[ ]?(?:\(\d{1,4}\)|\d)(?:[ .\-]?(?:\(\d{1,4}\)|\d)){5,20}"
                      + _NA)
_ABBREVIATION_END = re.compile(r"\b(?:St|Rd|Ave|Ln|Dr|Blvd|Ct|Pl|Sq|Hwy|Avda|Pza|Ctra|Urb|Av|No)\.$")
_DATE_RE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")
_CASE_NUMBER_RE = re.compile(r"^(?:19|20)\d{2}-\d{6,}$")
_AMOUNT_RE = re.compile(r"^\d{1,3}(?:[., ]\d{3})+$")
_YEARS_RE = re.compile(r"^(?:(?:19|20)\d{2}[ \-])+(?:19|20)\d{2}$")

# Chinese addresses: optional administrative parts, a road / estate name, then numbered parts (号, 栋, 单元, 室).
_CJK = "\u4e00-\u9fff"
# Characters that begin a sentence rather than a place name ("我住在幸福小区" must not swallow "我住在").
_NOT_PLACE = "在住于到从的是了我你他她们与及向对把被给离近附旁边这那个位条该此每没也很就还要请说"
_P = rf"(?:(?![{_NOT_PLACE}])[{_CJK}])"
_NUM = r"[0-9０-９A-Za-z一二三四五六七八九十百零〇两]{1,6}"
_ADMIN = rf"{_P}{{2,8}}?(?:省|自治区|市|区|县|镇|乡|街道|村)"
_ROAD = rf"{_P}{{2,8}}?(?:大道|大街|路|街|巷|弄|胡同|小区|花园|家园|新村|公寓|大厦|苑|社区|里)"
_UNIT = rf"{_NUM}(?:号楼|号院|号|栋|幢|座|单元|室|层|楼|期|弄|组|户)"
CN_ADDRESS_RE = re.compile(rf"(?:{_ADMIN})*(?:{_ROAD})(?:{_UNIT}|[-－]{_NUM})*|(?:{_ADMIN})*(?:{_UNIT}){{2,}}")
_CN_STREET_ENDS = ("路", "街", "大道", "大街", "巷", "弄", "胡同", "里")
_CN_NUMBERED = re.compile(r"[0-9０-９]|[一二三四五六七八九十百零〇两](?:号|栋|幢|座|单元|室|层|楼|期|组|户)")
_CN_COMMON = {"道路", "马路", "线路", "小区", "社区", "街道", "地区", "城区", "市区", "郊区", "景区", "园区", "辖区",
              "片区", "全市", "本市", "本区", "我市", "该市", "城市", "市民", "公路", "铁路", "网路", "思路", "出路",
              "走路", "一路", "沿路", "路", "街", "新区", "老区", "学区", "山区", "社区里", "邻里"}

_EN_STREET = (r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Way|Terrace|Close|"
              r"Crescent|Square|Sq|Highway|Hwy|Parkway|Row|Alley|Walk")
_EN_WORD = r"(?:[A-Z][A-Za-z'\-]+\.?)"
_EN_FLAT_CORE = r"(?:Apt|Apartment|Flat|Unit|Suite|Room|Rm|Floor)\.?\s*#?[0-9A-Za-z\-]{1,6}"
_EN_FLAT = rf"(?:,?\s*{_EN_FLAT_CORE})"
EN_ADDRESS_RE = re.compile(
    rf"(?:\b{_EN_FLAT_CORE},?\s*)?"  # "Flat 3, " before the number
    rf"(?:\b\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?|\bNo\.?\s*\d{{1,5}}[A-Za-z]?),?\s+(?:{_EN_WORD}\s+){{1,4}}"
    rf"(?:{_EN_STREET})\b\.?{_EN_FLAT}?"
    rf"|\b(?:{_EN_WORD}\s+){{1,4}}(?:{_EN_STREET})\b\.?,?\s*(?:No\.?\s*)?\d{{1,5}}[A-Za-z]?{_EN_FLAT}?"
)
_ES_STREET = (r"Calle|C/|Avenida|Avda\.?|Av\.|Plaza|Pza\.?|Paseo|Pº|Camino|Carretera|Ctra\.?|Ronda|Travesía|"
              r"Glorieta|Callejón|Pasaje|Urbanización|Urb\.")
_ES_WORD = r"(?:(?:de|del|la|las|los|el|y|San|Santa)\s+|[A-ZÁÉÍÓÚÑ][\wáéíóúñü'\-]*\s*)"
ES_ADDRESS_RE = re.compile(
    rf"\b(?:{_ES_STREET})\s*{_ES_WORD}{{1,6}},?\s*(?:n\.?\s*º|nº|núm\.?|número|no\.?)?\s*\d{{1,4}}[A-Za-z]?"
    rf"(?:\s*,?\s*(?:\d{{1,2}}\s*[º°ª]\s*[A-Za-z]?|bajo|ático|(?:piso|puerta|portal|escalera|esc\.)\s*\w{{1,3}}"
    rf"|izq(?:uierda|da)?\.?|dcha\.?|derecha))*"
)

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


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _phone_like(candidate: str) -> bool:
    """Whether a digit run is a phone number rather than a date, a year list, a case number or an amount."""
    core = candidate.strip()
    digits = _digit_count(core)
    if not 7 <= digits <= 15:
        return False
    if core.startswith(("+", "00")):
        return True
    plain = core.replace("(", "").replace(")", "")
    return not (_DATE_RE.match(plain) or _CASE_NUMBER_RE.match(plain) or _YEARS_RE.match(plain)
                or (_AMOUNT_RE.match(plain) and not re.match(r"^[6-9]\d{2}[ .]\d{3}[ .]\d{3}$", plain)))


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
    return re.compile(r"\s*".join(parts) if _has_cjk(value) else r"\b" + r"\s+".join(parts) + r"\b", re.IGNORECASE)


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
        else:
            for part in name.split():
                if len(part) >= 3 and part[0].isupper():
                    add(NAME, re.compile(r"\b" + re.escape(part) + r"\b"))
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
    return found


def _pattern_spans(text: str) -> list[Span]:
    found: list[Span] = []
    for kind, pattern in ((EMAIL, EMAIL_RE), (ID, CN_ID_RE), (ID, DNI_RE), (ID, NIE_RE)):
        found.extend(Span(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text))
    for m in PHONE_RE.finditer(text):
        start, value = m.start(), m.group()
        stripped = value.lstrip(" ")
        start += len(value) - len(stripped)
        if _phone_like(stripped):
            found.append(Span(PHONE, start, start + len(stripped), stripped))
    for m in CN_ADDRESS_RE.finditer(text):
        value = m.group()
        if value in _CN_COMMON or len(value) < 3:
            continue
        if value.endswith(_CN_STREET_ENDS) and not _CN_NUMBERED.search(value):
            continue  # a street's name alone ("解放路上的路灯") says where something is, not where someone lives
        found.append(Span(ADDRESS, m.start(), m.end(), value))
    for pattern in (EN_ADDRESS_RE, ES_ADDRESS_RE):
        for m in pattern.finditer(text):
            value = m.group().rstrip(" ,")
            if value.endswith(".") and not _ABBREVIATION_END.search(value):
                value = value[:-1]  # the full stop of the sentence, not an abbreviation's
            found.append(Span(ADDRESS, m.start(), m.start() + len(value), value))
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
    # Other people's names, known by their context: titles, relations, person words (邻居张伟, "Mr. Smith").
    found.extend(Span(NAME, start, end, text[start:end]) for start, end in third_party_names(text))
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


def find_personal(text: str, known: Known | None = None) -> list[Span]:
    """Every personal item in ``text`` (known details of the citizen and pattern matches), without overlaps."""
    if not text:
        return []
    spans = _merge(_known_spans(text, known or Known()) + _pattern_spans(text))
    return [Span(s.kind, s.start, s.end, text[s.start:s.end]) for s in spans]


def redact(text: str, known: Known | None = None, placeholders: dict[str, str] | None = None) -> Redacted:
    """``text`` with every personal item replaced by a placeholder such as ``[phone]``."""
    marks = placeholders or PLACEHOLDERS
    spans = find_personal(text or "", known)
    pieces: list[str] = []
    cursor = 0
    for span in spans:
        pieces.append(text[cursor:span.start])
        pieces.append(marks[span.kind])
        cursor = span.end
    pieces.append((text or "")[cursor:])
    return Redacted("".join(pieces), tuple(spans))


def valid_cn_id(number: str) -> bool:
    """Whether an 18-character Chinese resident ID has a correct check character (ISO 7064 MOD 11-2)."""
    number = number.replace(" ", "").replace("-", "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(number[:17], weights))
    return "10X98765432"[total % 11] == number[17]


def valid_dni(number: str) -> bool:
    """Whether a Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter) has a correct letter."""
    number = number.replace(" ", "").replace("-", "").upper()
    if re.fullmatch(r"[XYZ]\d{7}[A-Z]", number):
        number = str("XYZ".index(number[0])) + number[1:]
    if not re.fullmatch(r"\d{8}[A-Z]", number):
        return False
    return "TRWAGMYFPDXBNJZSQVHLCKE"[int(number[:8]) % 23] == number[8]
