"""Which tesseract languages to use for a page: scripts of the configured languages, and a stopword vote to
tell the Latin-script languages apart from a few recognised words."""

from __future__ import annotations

import re
import unicodedata

#: script of each tesseract language we know; anything else is treated as a script of its own.
LANGUAGE_SCRIPT = {
    "eng": "Latin", "spa": "Latin", "fra": "Latin", "deu": "Latin", "ita": "Latin", "por": "Latin",
    "nld": "Latin", "cat": "Latin", "vie": "Latin", "tgl": "Latin",
    "chi_sim": "Han", "chi_tra": "Han", "jpn": "Han",
    "kor": "Hangul", "rus": "Cyrillic", "ukr": "Cyrillic", "ara": "Arabic", "heb": "Hebrew",
}

#: tesseract OSD script names -> our script groups.
OSD_SCRIPT = {"HanS": "Han", "HanT": "Han", "Han": "Han", "Japanese": "Han", "Katakana": "Han", "Hiragana": "Han"}

# Frequent words that are rare in the other language; accents are dropped because the English model drops them.
_STOPWORDS = {
    "eng": set(
        "the and of to is in that for it you with on are was were this have had has be been at from not by we "
        "they our your their there which would could should will can about who what when all my his her its an "
        "if or as so than then these those please thank dear sincerely street".split()
    ),
    "spa": set(
        "el la los las de del que y en un una unos unas por para con su sus es son al lo le les se como mas "
        "pero porque este esta estos estas ese esa desde hace muy sin sobre tambien hay donde cuando nos ni "
        "ya fue era ha han usted senor senora gracias calle atentamente nuestro nuestra".split()
    ),
}

_WORD = re.compile(r"[^\W\d_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def script_of(lang: str) -> str:
    """Script group of a tesseract language code."""
    return LANGUAGE_SCRIPT.get(lang, lang)


def text_script(text: str) -> str | None:
    """``"Han"`` or ``"Latin"`` for recognised text, by which kind of letters dominate; ``None`` if no letters."""
    han = len(_HAN.findall(text))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    if han + latin < 3:
        return None
    return "Han" if han >= latin / 3 else "Latin"


def stopword_hits(text: str) -> int:
    """How many words of ``text`` are frequent words of any language we know (a sign of right-way-up text)."""
    every = set().union(*_STOPWORDS.values())
    return sum(1 for w in _WORD.findall(text) if _fold(w) in every)


def vote_latin(text: str, candidates: list[str]) -> str | None:
    """The candidate language whose stopwords occur most in ``text``; ``None`` when there is no clear winner."""
    words = [_fold(w) for w in _WORD.findall(text)]
    if any(c in text.lower() for c in "ñ¿¡áéíóú"):
        spanish_marks = 2
    else:
        spanish_marks = 0
    scores = {}
    for lang in candidates:
        stop = _STOPWORDS.get(lang)
        if stop is not None:
            scores[lang] = sum(1 for w in words if w in stop) + (spanish_marks if lang == "spa" else 0)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best_score >= 2 and best_score >= 2 * runner_up:
        return best
    if best_score >= 1 and runner_up == 0:
        return best
    return None


def languages_for(script: str | None, settings_languages: tuple[str, ...], preferred: str | None = None) -> str:
    """A tesseract ``-l`` value for a page of ``script``: only that script's configured languages, the
    ``preferred`` one first (tesseract treats the first language as the main one)."""
    group = [lang for lang in settings_languages if script and script_of(lang) == script]
    if not group:
        group = list(settings_languages)
    if preferred in group:
        return preferred  # a confident vote: the one language is fastest and not confused by the others
    return "+".join(group)


def guess_language(text: str, settings_languages: tuple[str, ...]) -> str | None:
    """Best single configured language for already-recognised text (used for PDF text layers)."""
    script = text_script(text)
    if script is None:
        return None
    group = [lang for lang in settings_languages if script_of(lang) == script]
    if script == "Latin":
        return vote_latin(text, group) or (group[0] if group else None)
    return group[0] if group else None


def reading_language(script: str | None, settings_languages: tuple[str, ...]) -> str | None:
    """The one language to read a page of ``script`` with before its language is known, or ``None`` when the
    language has to be found first.

    English needs no letter beyond plain ASCII, which every Latin-script model reads, so with English and one
    other Latin language configured the other one reads both (on the benchmark's English pages the Spanish model
    reads with the same error rate as the English one); the page's language is then named by ``vote_latin`` on
    the text read. With two or more other Latin languages, their accents differ and the language is voted on
    first."""
    group = [lang for lang in settings_languages if script and script_of(lang) == script]
    if len(group) == 1:
        return group[0]
    if script == "Latin" and group:
        others = [lang for lang in group if lang != "eng"]
        if len(others) == 1:
            return others[0]
    return None
