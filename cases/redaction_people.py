"""People's names that no context word announces: Chinese names by jieba's part-of-speech tagger (``nr``), Latin
names by lists of given names and surnames (``cases/data``, see ``NAMES_SOURCE.md``), and the citizen's name in
the other script (a citizen registered as "Li Wei" who signs 李伟, by pinyin).

Each finder returns ``(start, end)`` spans. The tagger and the lists propose; the filters here keep what they
get wrong away from public words: jieba tags common words (谢谢, 高峰, 银行卡) as names, and the lists hold words
such as Park, Queen or Victoria, which name places when a street or place word stands beside them.
"""
from __future__ import annotations

import itertools
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

from cases.redaction_names import COMPOUND_SURNAMES, NOT_NAMES, SURNAMES

_DATA = Path(__file__).resolve().parent / "data"
_CJK = "\u4e00-\u9fff"
_lock = threading.Lock()

# ---- Chinese ----------------------------------------------------------------------------------------------------

# A dictionary word jieba tags nr but that is mostly an ordinary word (谢谢 "thanks", 高峰 "peak", 向东 "eastward")
# has a high frequency in its dictionary; real given names are rare there.
_COMMON_WORD_FREQ = 500
_JOINING = set("和与同跟及")
_NOT_IN_NAMES = set("您你我他她它们的了吗呢吧啊和与在是有")
_PLACE_ENDS = tuple("区路街市县镇村乡省局站院店厂馆园场楼号室队所处科部委会司厅")


@lru_cache(maxsize=1)
def _posseg():  # type: ignore[no-untyped-def]
    """jieba's tagger, loaded once (the dictionary takes about a second), quietly."""
    with _lock:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        return jieba.posseg


def _starts_with_surname(word: str) -> bool:
    return word[:1] in SURNAMES or word.startswith(COMPOUND_SURNAMES)


def chinese_names(text: str) -> list[tuple[int, int]]:
    """Spans of Chinese person names found by jieba's tagger, filtered: a surname first, two to four characters,
    not a common word, not a place (武侯区)."""
    if not re.search(f"[{_CJK}]", text):
        return []
    posseg = _posseg()
    freq = posseg.dt.tokenizer.FREQ
    tokens, pos = [], 0
    for pair in posseg.cut(text):
        tokens.append((pos, pos + len(pair.word), pair.word, pair.flag))
        pos += len(pair.word)
    found = []
    i = 0
    while i < len(tokens):
        start, end, word, flag = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if ((len(word) == 1 and word in SURNAMES) or word in COMPOUND_SURNAMES) and following \
                and following[3].startswith("nr") and len(following[2]) <= 2:
            end, word = following[1], word + following[2]  # a surname the tagger split off: 王 / 秀英, 欧阳 / 娜娜
            i += 1
        elif not flag.startswith("nr"):
            i += 1
            continue
        elif not _starts_with_surname(word) and len(word) <= 2 and start > 0 and text[start - 1] in SURNAMES:
            start, word = start - 1, text[start - 1] + word  # the surname went to the word before: 马 / 玉兰
        if word[:1] in _JOINING and len(word) >= 3 and _is_chinese_name(word[1:], freq):
            start, word = start + 1, word[1:]  # 和张伟: "and" 张伟 (和 is a surname, but rarely)
        if _is_chinese_name(word, freq):
            found.append((start, end))
        i += 1
    return found


def _is_chinese_name(word: str, freq: dict[str, int]) -> bool:
    if not 2 <= len(word) <= 4 or not _starts_with_surname(word) or not re.fullmatch(f"[{_CJK}]+", word):
        return False
    if word.endswith(_PLACE_ENDS) or any(ch in _NOT_IN_NAMES for ch in word[1:]):
        return False
    # 谢谢您 begins with a common word (谢谢); 高峰 is one.
    return all(freq.get(word[:k], 0) < _COMMON_WORD_FREQ for k in range(2, len(word) + 1))


# ---- the citizen's name in the other script ---------------------------------------------------------------------

def _syllables(latin: str) -> str:
    return re.sub(r"[^a-z]", "", latin.casefold().replace("ü", "v"))


def cross_script_names(text: str, latin_names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Chinese spellings in ``text`` of the registered Latin (pinyin) names: 李伟 for "Li Wei" or "Wei Li"."""
    targets = set()
    for name in latin_names:
        parts = [p for p in re.split(r"[\s\-]+", name.strip()) if p]
        if 2 <= len(parts) <= 3 and all(p.isascii() and p.isalpha() for p in parts):
            targets.add(_syllables("".join(parts)))
            targets.add(_syllables("".join(parts[1:] + parts[:1])))
    if not targets or not re.search(f"[{_CJK}]", text):
        return []
    from pypinyin import Style, pinyin

    found = []
    for run in re.finditer(f"[{_CJK}]{{2,}}", text):
        chars = run.group()
        readings = pinyin(chars, style=Style.NORMAL, heteronym=True, errors="ignore")
        for size in (2, 3, 4):
            for i in range(len(chars) - size + 1):
                if not _starts_with_surname(chars[i:i + size]):
                    continue
                options = readings[i:i + size]
                if any(_syllables("".join(combo)) in targets for combo in itertools.product(*options)):
                    found.append((run.start() + i, run.start() + i + size))
    return found


def pinyin_spellings(chinese_name: str) -> list[str]:
    """Latin spellings of a registered Chinese name ("张晓明" -> "Zhang Xiaoming", "Xiaoming Zhang")."""
    if not 2 <= len(chinese_name) <= 4 or not re.fullmatch(f"[{_CJK}]+", chinese_name):
        return []
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(chinese_name, style=Style.NORMAL)
    cut = 2 if chinese_name.startswith(COMPOUND_SURNAMES) else 1
    surname, given = "".join(syllables[:cut]), "".join(syllables[cut:])
    return [f"{surname} {given}", f"{given} {surname}"]


# ---- Latin names ------------------------------------------------------------------------------------------------

def _key(word: str) -> str:
    """How a word is looked up in the lists: O'Brien, OBrien and Obrien alike."""
    return word.replace("'", "").replace("’", "").casefold()


class _Lists:
    """The given-name and surname lists, looked up by ``_key``."""

    def __init__(self) -> None:
        self.given = frozenset(_key(w) for w in (_DATA / "given_names.txt").read_text(encoding="utf-8").split())
        self.surnames = frozenset(_key(w) for w in (_DATA / "surnames.txt").read_text(encoding="utf-8").split())

    def is_given(self, word: str) -> bool:
        return _key(word) in self.given

    def is_surname(self, word: str) -> bool:
        return _key(word) in self.surnames


@lru_cache(maxsize=1)
def _lists() -> _Lists:
    return _Lists()


# Words beside a name-like word that make it a place or a body: "Lincoln Park", "Victoria Street", "calle Pilar".
_PLACE_AFTER = frozenset("""street st road rd avenue ave lane ln drive dr boulevard blvd court ct place pl way terrace
close crescent square sq grove gardens park hill heights estate tower house building plaza hospital school college
university academy station centre center hall church chapel bridge market mall library museum stadium airport bureau
office department council county district city town village river lake beach bay bridge road line company ltd inc
corp group bank hotel restaurant cafe bar shop store clinic pharmacy""".split())
_PLACE_BEFORE = re.compile(r"(?:\b(?:calle|c/|avenida|avda\.?|av\.|plaza|pza\.?|paseo|pº|parque|colegio|instituto|"
                           r"hospital|estación|barrio|puerta|glorieta|ronda|travesía|camino|carretera|ctra\.?|"
                           r"san|santa|santo|st\.?|saint|mount|mt\.?|fort|lake|port|new|the|of|de|del|la|el|los|las)"
                           r"\s*)$", re.I)
# List words that are mostly ordinary words, months or places when they stand alone.
_COMMON = frozenset("""will may june april august march grace hope faith joy mark bill art rose lily iris daisy ruby
pearl amber ivy dawn eve summer autumn winter sky rich frank earnest sunny victoria santiago lincoln queen king
prince princess duke major sergeant general judge mayor pastor bishop dean chancellor justice page bell love
star sterling price rock stone wood woods field fields hall hill hills brook brooks lane guy sol luz paz mar cruz
dolores rosario mercedes consuelo angeles reyes jesus madison jordan austin chester paris london dallas china india
sierra virginia georgia florida carolina dakota nevada santa cristo christian sunday monday friday saturday
""".split())
_CAP = r"[A-ZÁÉÍÓÚÑÜ](?:['’][A-Z])?[a-záéíóúñüàèìòùç]+(?:[A-Z][a-záéíóúñü]+)?(?:-[A-ZÁÉÍÓÚÑ]?[a-záéíóúñü]+)*"
_CAP_RUN = re.compile(rf"(?<![\w'’@./])({_CAP}(?:\s+(?:de\s+(?:la\s+|los\s+)?|del\s+|van\s+|von\s+|da\s+)?{_CAP})*)")
_INITIAL_NAME = re.compile(rf"(?<![\w.])([A-Z]\.\s?{_CAP})")


def _is_given(word: str, lists: _Lists) -> bool:
    folded = word.casefold()
    return lists.is_given(word) and folded not in _COMMON and folded not in NOT_NAMES and len(word) >= 3


def latin_names(text: str) -> list[tuple[int, int]]:
    """Names in English and Spanish text found by the lists: a given name followed by surnames ("Daniel Brooks",
    "Javier Moreno Díaz"), a given name alone when it is no common word ("my kids Ethan and Chloe"), an initial
    and a surname ("T. Okafor"). Not beside a place word ("Lincoln Park", "calle Pilar")."""
    lists = _lists()
    found = []
    for m in _CAP_RUN.finditer(text):
        words = list(re.finditer(r"[^\s]+", m.group(1)))
        if _PLACE_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            continue
        after = re.match(r"\s*([A-Za-z]+)", text[m.end():])
        if after and after.group(1).casefold() in _PLACE_AFTER:
            continue
        names = [w for w in words if w.group() not in ("de", "la", "los", "del", "van", "von", "da")]
        if any(w.group().casefold() in _PLACE_AFTER for w in names):
            # "Grace Kim, City Hospital": keep the words before the first place word
            cut = next(i for i, w in enumerate(names) if w.group().casefold() in _PLACE_AFTER)
            names = names[:cut]
            if len(names) < 2:
                continue
        found += _names_in_run(text, m.start(1), names, lists)
    for m in _INITIAL_NAME.finditer(text):
        surname = m.group(1).split()[-1].split(".")[-1]
        if surname.casefold() not in _PLACE_AFTER and surname.casefold() not in _COMMON:
            found.append(m.span(1))
    return found


def _names_in_run(text: str, offset: int, words: list[re.Match[str]], lists: _Lists) -> list[tuple[int, int]]:
    """Names within a run of capitalised words ("Ask Siobhan O'Brien"): a given name and the list names after
    it, or a given name alone where nothing says it is a common word."""
    found = []
    i = 0
    while i < len(words):
        word = words[i].group()
        if word.casefold() in NOT_NAMES or not lists.is_given(word):
            i += 1
            continue
        j = i + 1
        while j < len(words) and words[j].group().casefold() not in NOT_NAMES \
                and (lists.is_surname(words[j].group()) or lists.is_given(words[j].group())):
            j += 1
        start, end = offset + words[i].start(), offset + words[j - 1].end()
        if j > i + 1:
            found.append((start, end))
        elif _is_given(word, lists) and (not _sentence_start(text, start) or _PERSON_AFTER.match(text, end)) \
                and (not lists.is_surname(word) or _lone_given(text, start) or _PERSON_AFTER.match(text, end)):
            found.append((start, end))
        i = j
    return found


# What follows a person's name at the start of a sentence: another name, or a verb of saying or doing.
_PERSON_AFTER = re.compile(r"\s+(?:(?:and|y|e|&)\s+[A-ZÁÉÍÓÚÑ]|(?:said|says|told|asked|called|wrote|came|went|lives|"
                           r"dijo|dice|llamó|vino|vive|fue)\b)")


def _sentence_start(text: str, start: int) -> bool:
    """A lone capitalised word opening a sentence is capitalised for that reason ("Nada de lo que...")."""
    return re.search(r"(?:^|[.!?¡¿:;\n]\s*|^\s*)$", text[max(0, start - 3):start]) is not None or start == 0


def _lone_given(text: str, start: int) -> bool:
    """A given name that is also a surname (Steve, Pablo, Rafael) counts alone after a naming verb or beside
    another name ("Ethan and Chloe")."""
    before = text[max(0, start - 25):start].casefold()
    return bool(re.search(r"(?:called|named|name is|llama|llamado|llamada|se llama|hijo|hija|kids?|son|daughter|"
                          r"and|y|,)\s*$", before))
