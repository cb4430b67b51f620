"""Numbers and handles that reach or identify a person: phone numbers (``phonenumbers``), identity documents and
bank accounts (validated by ``python-stdnum``), email addresses, vehicle plates and messaging handles.

Each finder returns ``(kind, start, end)`` triples over the text. Identity numbers are taken by their shape even
when a check digit is wrong (a mistyped ID is still someone's ID); the check digit decides only where a shape
alone would be ambiguous (a run of 13 to 19 digits is a card only when it passes Luhn, an IBAN only when its
checksum holds).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from stdnum import iban, luhn
from stdnum.cn import ric
from stdnum.es import ccc, dni, nie
from stdnum.us import ssn

PHONE, EMAIL, ID, ACCOUNT, PLATE, HANDLE = "phone", "email", "id", "account", "plate", "handle"
DEFAULT_PHONE_REGIONS = ("CN", "ES", "US", "GB")
Found = tuple[str, int, int]

# Word boundaries are ASCII-only: a Chinese character counts as \w in Python, and "电话13800001111请回电" must match.
_NB = r"(?<![0-9A-Za-z])"
_NA = r"(?![0-9A-Za-z])"
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+(?:@|＠)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_CN_ID_RE = re.compile(_NB + r"[1-9]\d{5}[ \-]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                       r"[ \-]?\d{3}[\dXx]" + _NA)
_DNI_RE = re.compile(_NB + r"\d{8}[ \-]?[A-Za-z]" + _NA)
_NIE_RE = re.compile(_NB + r"[XYZxyz][ \-]?\d{7}[ \-]?[A-Za-z]" + _NA)
_SSN_RE = re.compile(_NB + r"\d{3}-\d{2}-\d{4}" + _NA)
_NINO_RE = re.compile(_NB + r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]" + _NA)
# Passports and other documents have no check digit shared across countries: taken after their name.
_DOCUMENT_CUED_RE = re.compile(r"(?:passport|pasaporte|护照|通行证|驾驶证|驾照|社保卡|医保卡|residence\s+card|"
                               r"tarjeta\s+de\s+residencia|TIE)(?:\s*(?:no\.?|number|n[uú]mero|nº|号码?|号|is|es|:|：|是))*"
                               r"\s*[:：]?\s*([A-Z]{0,3}\d[A-Z0-9]{5,17})(?![A-Za-z0-9])", re.I)
_IBAN_RE = re.compile(_NB + r"[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]){11,30}" + _NA)
_DIGIT_RUN_RE = re.compile(_NB + r"\d(?:[ \-]?\d){12,22}" + _NA)
_CASE_NUMBER_RE = re.compile(r"^(?:19|20)\d{2}-\d{6,}$")

# Plates: Chinese (province character, letter, optional dot, five or six characters), Spanish (four digits and
# three consonants; the older province letters), British (two letters, two digits, three letters).
_CN_PROVINCES = "京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新蒙港澳使领警学"
_PLATE_RES = (
    re.compile(rf"[{_CN_PROVINCES}][A-Z][·•．.\- ]?[A-Z0-9]{{5,6}}" + _NA),
    re.compile(_NB + r"\d{4}[ \-]?[BCDFGHJKLMNPRSTVWXYZ]{3}" + _NA),
    re.compile(_NB + r"(?:[A-Z]{1,2})[ \-]\d{4}[ \-][A-Z]{1,2}" + _NA),
    re.compile(_NB + r"[A-Z]{2}\d{2}[ ]?[A-Z]{3}" + _NA),
)
# A plate in other formats still follows a plate word ("plate 7XKM 204", 车牌号 ...).
_PLATE_CUED_RE = re.compile(r"(?:车牌号?(?:码|是|为)?[:：]?\s*|(?:licen[cs]e\s+)?plate(?:\s+number)?(?:\s+is)?[:\s]\s*|"
                            r"registration(?:\s+number)?[:\s]\s*|matr[ií]cula[:\s]\s*)"
                            r"([A-Z0-9\u4e00-\u9fff][A-Z0-9·\- ]{3,9}[A-Z0-9])(?![A-Za-z0-9])", re.I)

# Handles: after the name of a messenger (WeChat, 微信号, QQ, Telegram, WhatsApp...) or an @name.
_MESSENGERS = (r"微信号?|VX|V信|威信|wx|QQ号?|企鹅号|抖音号?|快手号?|微博|钉钉|飞书|WeChat(?:\s+ID)?|Weixin|"
               r"Telegram|WhatsApp|Signal|Line(?:\s+ID)|Skype|Instagram|Twitter|Facebook|TikTok|Discord")
_HANDLE_CUED_RE = re.compile(
    rf"(?:{_MESSENGERS})((?:\s*(?:id|ID|账号|号码|号|is|es|:|：|是|为|同号))*)\s*[:：]?\s*"
    r"(@?[A-Za-z0-9][A-Za-z0-9_.\-]{3,31})(?![A-Za-z0-9_])", re.I)
_AT_HANDLE_RE = re.compile(r"(?<![A-Za-z0-9._%+\-@])@[A-Za-z_][A-Za-z0-9_.]{2,31}(?<!\.)")
_HANDLE_WORDS = frozenset({"channel", "group", "account", "number", "same", "the", "my", "me", "el", "mi", "is", "es"})


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def phone_numbers(text: str, regions: Iterable[str] = DEFAULT_PHONE_REGIONS) -> list[Found]:
    """Phone numbers by ``phonenumbers``: valid in one of ``regions``, or of a possible length for the country
    they are written with (+34 ..., 0044 ...), which covers numbers in ranges the library does not know yet."""
    found = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            raw = match.raw_string
            if _CASE_NUMBER_RE.match(raw):
                continue  # 2026-000123 is a case number, not a Chinese landline
            if len(_digits(raw)) < 7:
                continue  # 12345, 110, 010: the hotline and public service numbers
            if raw.lstrip("(").startswith(("+", "00")) or phonenumbers.is_valid_number(match.number) \
                    or _after_phone_word(text, match.start):
                found.append((PHONE, match.start, match.end))
    return found


# A phone number written in Chinese numerals (手机一三八零零一三四五六七), as people do to get past filters.
_CN_DIGITS = {"零": "0", "〇": "0", "○": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_DIGIT_RUN_RE = re.compile("[" + "".join(_CN_DIGITS) + r"](?:[\s\-]?[" + "".join(_CN_DIGITS) + "]){6,14}")


def chinese_numeral_phones(text: str, regions: Iterable[str] = DEFAULT_PHONE_REGIONS) -> list[Found]:
    """Phone numbers spelt in Chinese numerals: valid in a region once read as digits, or after a phone word."""
    found = []
    for m in _CN_DIGIT_RUN_RE.finditer(text):
        digits = "".join(_CN_DIGITS.get(ch, "") for ch in m.group())
        if _after_phone_word(text, m.start()) or any(
                phonenumbers.is_valid_number(phonenumbers.parse(digits, region)) for region in regions
                if _parses(digits, region)):
            found.append((PHONE, m.start(), m.end()))
    return found


def _parses(digits: str, region: str) -> bool:
    try:
        phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return False
    return True


_PHONE_WORD_RE = re.compile(r"(?:tel[eé]?f?o?n?o?|tfno|tlf|m[oó]vil|phone|mobile|cell|call(?: me)?(?: on| at)?|"
                            r"llam(?:ar|e|en)(?:me)?(?: al)?|contact(?:o)?|whatsapp|number|n[uú]mero|电话|手机|"
                            r"座机|联系方式|号码|回电|致电|拨打)[\s.:：,，]*(?:es|is|号码|是|为)?[\s.:：]*$", re.I)


def _after_phone_word(text: str, start: int) -> bool:
    return bool(_PHONE_WORD_RE.search(text[max(0, start - 30):start]))


def identity_numbers(text: str) -> list[Found]:
    """Chinese resident IDs, Spanish DNI / NIE, US SSNs, British NI numbers: by shape, checked by ``python-stdnum``
    where the shape is shared with ordinary text (a DNI's eight digits and a letter); passports and other
    documents after their name."""
    found = [(ID, m.start(), m.end()) for m in _CN_ID_RE.finditer(text)]
    found += [(ID, m.start(), m.end()) for m in _NIE_RE.finditer(text)]
    for m in _DNI_RE.finditer(text):
        compact = re.sub(r"[ \-]", "", m.group()).upper()
        if dni.is_valid(compact) or m.group()[-1].isupper():
            found.append((ID, m.start(), m.end()))
    found += [(ID, m.start(), m.end()) for m in _SSN_RE.finditer(text) if ssn.is_valid(m.group())]
    found += [(ID, m.start(), m.end()) for m in _NINO_RE.finditer(text)]
    found += [(ID, m.start(1), m.end(1)) for m in _DOCUMENT_CUED_RE.finditer(text)]
    return found


def account_numbers(text: str) -> list[Found]:
    """IBANs (checksum), Spanish account codes (CCC) and card numbers (Luhn, 13 to 19 digits)."""
    found = [(ACCOUNT, m.start(), m.end()) for m in _IBAN_RE.finditer(text) if iban.is_valid(m.group())]
    for m in _DIGIT_RUN_RE.finditer(text):
        digits = _digits(m.group())
        if (13 <= len(digits) <= 19 and luhn.is_valid(digits)) or (len(digits) == 20 and ccc.is_valid(digits)):
            found.append((ACCOUNT, m.start(), m.end()))
    return found


def is_checked_id(value: str) -> bool:
    """Whether ``value`` is an identity or account number whose check digits hold."""
    compact = re.sub(r"[ \-·]", "", value).upper()
    return any(module.is_valid(compact) for module in (ric, dni, nie, iban)) or (
        compact.isdigit() and 13 <= len(compact) <= 19 and luhn.is_valid(compact))


def plates(text: str) -> list[Found]:
    """Vehicle registration plates: Chinese, Spanish and British shapes, and anything after a plate word."""
    found = [(PLATE, m.start(), m.end()) for pattern in _PLATE_RES for m in pattern.finditer(text)]
    found += [(PLATE, m.start(1), m.end(1)) for m in _PLATE_CUED_RE.finditer(text)
              if re.search(r"\d", m.group(1)) and re.search(r"[A-Za-z\u4e00-\u9fff]", m.group(1))]
    return found


def handles(text: str) -> list[Found]:
    """Messaging and social accounts: after a messenger's name, and @names."""
    found = []
    for m in _HANDLE_CUED_RE.finditer(text):
        handle, joint = m.group(2), m.group(1) + text[m.end(1):m.start(2)]
        if handle.lower().lstrip("@") in _HANDLE_WORDS:
            continue
        # "WeChat: lily88", "QQ 384729165", "微信号rider_1": a handle; "Signal is broken", "Facebook page": words.
        if handle.startswith("@") or re.search(r"[0-9_]", handle) or re.search(r"[:：号]|id", joint, re.I):
            found.append((HANDLE, m.start(2), m.end(2)))
    found += [(HANDLE, m.start(), m.end()) for m in _AT_HANDLE_RE.finditer(text)]
    return found


def emails(text: str) -> list[Found]:
    return [(EMAIL, m.start(), m.end()) for m in EMAIL_RE.finditer(text)]


def numbers_and_handles(text: str, regions: Iterable[str] = DEFAULT_PHONE_REGIONS) -> list[Found]:
    """Every phone, identity, account, email, plate and handle in ``text``."""
    return (emails(text) + identity_numbers(text) + account_numbers(text) + phone_numbers(text, regions)
            + chinese_numeral_phones(text, regions) + plates(text) + handles(text))
