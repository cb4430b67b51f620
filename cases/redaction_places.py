"""Street addresses where a person lives, in Chinese, English and Spanish (abbreviated Spanish forms included:
``C/``, ``Avda.``, ``Pza.``, ``Pº``). A street's name alone says where a problem is and stays public; a numbered
address (a house, a flat, a door) is personal.
"""
from __future__ import annotations

import re

ADDRESS = "address"
Found = tuple[str, int, int]

_ABBREVIATION_END = re.compile(r"\b(?:St|Rd|Ave|Ln|Dr|Blvd|Ct|Pl|Sq|Hwy|Avda|Pza|Ctra|Urb|Av|No|izda|izq|izqda|dcha|esc|Pº)\.$")
# Chinese addresses: optional administrative parts, a road / estate name, then numbered parts (号, 栋, 单元, 室).
_CJK = "\u4e00-\u9fff"
# Characters that begin a sentence rather than a place name ("我住在幸福小区" must not swallow "我住在").
_NOT_PLACE = "在住于到从的是了我你他她们与及向对把被给离近附旁边这那个位条该此每没也很就还要请说号线站"
_P = rf"(?:(?![{_NOT_PLACE}])[{_CJK}])"
_NUM = r"[0-9０-９A-Za-z一二三四五六七八九十百零〇两]{1,6}"
_ADMIN = rf"{_P}{{2,8}}?(?:省|自治区|市|区|县|镇|乡|街道|村)"
_ROAD = rf"{_P}{{2,8}}(?:大道|大街|路|街|巷|弄|胡同|小区|花园|家园|新村|公寓|大厦|苑|社区|里)"
_UNIT = rf"{_NUM}(?:号楼|号院|号|栋|幢|座|单元|门|室|层|楼|期|弄|组|户)"
# A bare number after a building part is the flat: 12号楼3门402.
_ROOM = r"(?:(?<=[号栋幢座元门楼层])\d{1,5}(?:室|房)?)?"
CN_ADDRESS_RE = re.compile(rf"(?:{_ADMIN})*(?:{_ROAD})+(?:{_UNIT}|[-－]{_NUM})*{_ROOM}|(?:{_ADMIN})*(?:{_UNIT}){{2,}}{_ROOM}")
_CN_STREET_ENDS = ("路", "街", "大道", "大街", "巷", "弄", "胡同", "里")
_CN_NUMBERED = re.compile(r"[0-9０-９]|[一二三四五六七八九十百零〇两](?:号|栋|幢|座|单元|室|层|楼|期|组|户)")
_CN_COMMON = {"道路", "马路", "线路", "小区", "社区", "街道", "地区", "城区", "市区", "郊区", "景区", "园区", "辖区",
              "片区", "全市", "本市", "本区", "我市", "该市", "城市", "市民", "公路", "铁路", "网路", "思路", "出路",
              "走路", "一路", "沿路", "路", "街", "新区", "老区", "学区", "山区", "社区里", "邻里"}

_EN_STREET = (r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Way|Terrace|Close|"
              r"Crescent|Square|Sq|Highway|Hwy|Parkway|Row|Alley|Walk|Grove|Gardens|Mews|Rise|Green|View|Hill|Wharf|Quay")
_EN_WORD = r"(?:[A-Z][A-Za-z'\-]+\.?)"
_EN_FLAT_CORE = r"(?:Apt|Apartment|Flat|Unit|Suite|Room|Rm|Floor)\.?\s*#?[0-9A-Za-z\-]{1,6}"
_EN_FLAT = rf"(?:,?\s*{_EN_FLAT_CORE})"
EN_ADDRESS_RE = re.compile(
    rf"(?:\b{_EN_FLAT_CORE},?\s*|\b\d{{1,3}}[A-Za-z]{{1,2}},\s*)?"  # "Flat 3, ", "3F, " before the number
    rf"(?:\b\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?|\bNo\.?\s*\d{{1,5}}[A-Za-z]?),?\s+(?:{_EN_WORD}\s+){{1,4}}"
    rf"(?:{_EN_STREET})\b\.?{_EN_FLAT}?"
    rf"|\b(?:{_EN_WORD}\s+){{1,4}}(?:{_EN_STREET})\b\.?,?\s*(?:No\.?\s*)?\d{{1,5}}[A-Za-z]?{_EN_FLAT}?"
)
_ES_STREET = (r"[Cc]alle|C/|[Aa]venida|Avda\.?|Av\.|[Pp]laza|Pza\.?|[Pp]aseo|Pº|[Cc]amino|[Cc]arretera|Ctra\.?|"
              r"[Rr]onda|[Tt]ravesía|[Gg]lorieta|[Cc]allejón|[Pp]asaje|[Uu]rbanización|Urb\.")
_ES_WORD = r"(?:(?:de|del|la|las|los|el|y|San|Santa)\s+|[A-ZÁÉÍÓÚÑ][\wáéíóúñü'\-]*\s*)"
ES_ADDRESS_RE = re.compile(
    rf"\b(?:{_ES_STREET})\s*{_ES_WORD}{{1,6}},?\s*(?:n\.?\s*º|nº|núm\.?|número|no\.?)?\s*\d{{1,4}}[A-Za-z]?"
    rf"(?:\s*,?\s*(?:\d{{1,2}}\s*[º°ª]\s*(?:[A-Za-z](?![a-z]))?|bajo|ático|(?:piso|puerta|portal|escalera|esc\.)\s*\w{{1,3}}"
    rf"|izq(?:uierda|da)?\.?|izda\.?|dcha\.?|derecha))*"
)


# British postcodes ("LS6 2AB", "SW1A 1AA") narrow an address to a few houses.
UK_POSTCODE_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])")


def addresses(text: str) -> list[Found]:
    """Numbered addresses in any of the three languages."""
    found: list[Found] = []
    for m in CN_ADDRESS_RE.finditer(text):
        value = m.group()
        if value in _CN_COMMON or len(value) < 3:
            continue
        if not _CN_NUMBERED.search(value):
            continue  # a street's or an estate's name alone ("解放路上的路灯", 天通苑站) says where something is
        found.append((ADDRESS, m.start(), m.end()))
    found += [(ADDRESS, m.start(), m.end()) for m in UK_POSTCODE_RE.finditer(text)]
    for pattern in (EN_ADDRESS_RE, ES_ADDRESS_RE):
        for m in pattern.finditer(text):
            value = m.group().rstrip(" ,")
            if value.endswith(".") and not _ABBREVIATION_END.search(value):
                value = value[:-1]  # the full stop of the sentence, not an abbreviation's
            found.append((ADDRESS, m.start(), m.start() + len(value)))
    return found
