"""Text analysis for mixed Chinese / English / Spanish letters.

One tokenizer does the whole chain in a single pass (Whoosh filter chains cost a
generator hop per token per filter, which dominates indexing time):

* Chinese runs are segmented into words with jieba (dictionary only, no HMM, so a
  string is cut the same way in a letter and in a query). At index time the
  dictionary sub-words of a long word are emitted at the same position
  (``垃圾清运`` also yields ``垃圾`` and ``清运``) so a query for a shorter word finds it.
* Every CJK run is also indexed as overlapping character bigrams (and hashed
  trigrams) in a separate field, :class:`CjkGramTokenizer`: a typed word that
  jieba cuts differently in the letter (``公交站`` inside ``公交站台``, cut
  ``公交/站台``) is found through its bigrams, the trigrams keeping them in order.
* Other words are folded: NFKC (full-width letters and digits become ASCII),
  lowercase, accents stripped.
* Alphabetic Latin words are stemmed with the English Porter2 stemmer and then,
  when the stem still ends like a Spanish word (vowel, ``-cion``, ``-sion``), the
  Spanish Snowball stemmer from ``whoosh.lang``. Letters mix languages inside one
  text, so no per-document language is assumed; the chain is applied identically
  to letters and queries, which is what makes matching consistent. The Spanish
  Snowball stemmer only knows accented suffixes (``-ación``), so the common
  ``-cion``/``-sion`` endings are re-accented before it runs, which makes
  ``reparacion``, ``reparación`` and ``reparaciones`` share one stem.

The schema pickles this class into the index, so its import path and attributes
are part of the index format (see ``schema.SCHEMA_VERSION``).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
import zlib
from typing import Iterator

from whoosh.analysis import Token, Tokenizer
from whoosh.lang import stemmer_for_language

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
# A CJK run, or a run of word characters that are not CJK and not "_".
TOKEN_RE = re.compile(rf"[{CJK_CLASS}]+|[^\W_{CJK_CLASS}]+")
CJK_RE = re.compile(rf"[{CJK_CLASS}]")

_english_stem = stemmer_for_language("en")
_spanish_stem = stemmer_for_language("es")

# Term cache: letters reuse a small vocabulary, so caching the fold+stem result
# per surface form turns most tokens into one dict lookup.
_TERM_CACHE: dict[str, str] = {}
_TERM_CACHE_MAX = 200_000


def fold(word: str) -> str:
    """NFKC-normalise, lowercase and strip accents from one word."""
    word = unicodedata.normalize("NFKC", word).lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The Spanish stemmer runs only on English stems that still end like Spanish words
# (vowel, -cion, -sion): run on everything it would also strip English -er/-ar
# ("water" -> "wat", "corner" -> "corn").
_SPANISH_ENDINGS = ("a", "e", "i", "o", "u", "cion", "sion")


def _reaccent(word: str) -> str:
    if word.endswith("cion"):
        return word[:-4] + "ción"
    if word.endswith("sion"):
        return word[:-4] + "sión"
    return word


def index_term(word: str) -> str:
    """The index term for one non-CJK surface word (fold, then stem if alphabetic)."""
    term = _TERM_CACHE.get(word)
    if term is not None:
        return term
    term = fold(word)
    if term.isascii() and term.isalpha() and len(term) > 2:
        term = _english_stem(term)
        if term.endswith(_SPANISH_ENDINGS):
            term = fold(_spanish_stem(_reaccent(term)))
    if len(_TERM_CACHE) >= _TERM_CACHE_MAX:
        _TERM_CACHE.clear()
    _TERM_CACHE[word] = term
    return term


def is_cjk(text: str) -> bool:
    """True when ``text`` contains a CJK ideograph."""
    return CJK_RE.search(text) is not None


class _Jieba:
    """Lazily initialised, process-wide jieba tokenizer (quiet, loaded once)."""

    _lock = threading.Lock()
    _tokenizer = None
    _subword_cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def get(cls):
        if cls._tokenizer is None:
            with cls._lock:
                if cls._tokenizer is None:
                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.dt  # shared with any other jieba user in the process
                    tokenizer.initialize()
                    cls._tokenizer = tokenizer
        return cls._tokenizer

    @classmethod
    def subwords(cls, word: str) -> tuple[str, ...]:
        """Dictionary words of length 2 and 3 inside ``word`` (jieba's search mode)."""
        cached = cls._subword_cache.get(word)
        if cached is not None:
            return cached
        freq = cls.get().FREQ
        found = []
        for n in (2, 3):
            if len(word) > n:
                for i in range(len(word) - n + 1):
                    piece = word[i : i + n]
                    if freq.get(piece):
                        found.append(piece)
        result = tuple(found)
        if len(cls._subword_cache) > 100_000:
            cls._subword_cache.clear()
        cls._subword_cache[word] = result
        return result


def cut_chinese(run: str) -> Iterator[tuple[str, int, int]]:
    """Segment a CJK run into (word, start, end) with jieba's dictionary mode."""
    return _Jieba.get().tokenize(run, HMM=False)


def cut_words(run: str) -> Iterator[str]:
    """Segment a CJK run into words (jieba's dictionary mode, no offsets)."""
    return _Jieba.get().cut(run, HMM=False)


def chinese_subwords(word: str) -> tuple[str, ...]:
    """Shorter dictionary words contained in a long Chinese word."""
    return _Jieba.subwords(word)


SHINGLE_PREFIX = "\x1f"
# Pair terms are hashed into this many buckets. Unhashed, every distinct word pair
# becomes its own posting list and writing millions of tiny lists dominates
# indexing time. A phrase query also requires every word of the phrase, so a
# bucket collision can only admit a document that has all the words and some
# other pair hashing alike: about (pairs per letter / buckets), roughly 1 in 400.
SHINGLE_BUCKETS = 1 << 16


_BUCKET_TERMS = tuple(f"{SHINGLE_PREFIX}{code:04x}" for code in range(SHINGLE_BUCKETS))
_BUCKET_MASK = SHINGLE_BUCKETS - 1


def shingle(first: str, second: str) -> str:
    """The index term for two adjacent words (phrases are matched on these pairs)."""
    return _BUCKET_TERMS[zlib.crc32((first + " " + second).encode("utf-8")) & _BUCKET_MASK]


def is_shingle(term: str) -> bool:
    """True for pair terms (never shown or used as key terms)."""
    return term.startswith(SHINGLE_PREFIX)


class MixedTokenizer(Tokenizer):
    """Whoosh tokenizer+filters in one: jieba for Chinese, fold+stem for the rest.

    With ``shingles=True``, indexing also emits a term for every pair of adjacent
    words (every combination of the words and sub-words at two neighbouring
    positions), so phrase queries become lookups of pair terms instead of
    position checks in every candidate document.
    """

    def __init__(self, shingles: bool = False) -> None:
        self.shingles = shingles

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.shingles == self.shingles

    def __hash__(self):
        return hash((self.__class__.__name__, self.shingles))

    def index_term_list(self, value: str) -> list[str]:
        """Every term this analyzer indexes for ``value``, with repeats (see :func:`index_terms`)."""
        return index_terms(value, self.shingles)

    def units(self, value: str, expand: bool) -> Iterator[tuple[str, int, int, tuple[str, ...]]]:
        """(term, start, end, sub-words) for each word position of ``value``."""
        for match in TOKEN_RE.finditer(value):
            text = match.group(0)
            if text[0] >= "\u3400" and is_cjk(text[0]):
                base = match.start()
                for word, s, e in cut_chinese(text):
                    subs = chinese_subwords(word) if expand and len(word) > 2 else ()
                    yield word, base + s, base + e, subs
            else:
                yield index_term(text), match.start(), match.end(), ()

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        t.stopped = False
        if not tokenize:
            t.original = value
            t.text = index_term(value) if not is_cjk(value) else value
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        indexing = mode != "query"
        shingles = self.shingles and indexing
        pos = start_pos
        previous: tuple[str, ...] = ()
        prev_start = 0
        for term, s, e, subs in self.units(value, indexing):
            if keeporiginal:
                t.original = value[s:e]
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + s
                t.endchar = start_char + e
            t.text = term
            yield t
            # Sub-words share the parent's position so positional phrases still line up.
            for sub in subs:
                t.text = sub
                yield t
            if shingles:
                # Only a sub-word at the start of this word can follow the previous word
                # in a phrase, and only one at the end of it can precede the next word.
                current = (term, *(w for w in subs if term.startswith(w))) if subs else (term,)
                if previous:
                    if chars:
                        t.startchar = start_char + prev_start
                    for a in previous:
                        for b in current:
                            t.text = shingle(a, b)
                            yield t
                previous = (term, *(w for w in subs if term.endswith(w))) if subs else (term,)
                prev_start = s
            pos += 1


def index_terms(value: str, pairs: bool) -> list[str]:
    """Every term :class:`MixedTokenizer` emits for ``value`` at index time, as plain strings.

    The same terms (with repeats) as iterating the tokenizer in index mode, without
    building a Token per term: the bulk-indexing path counts these directly.
    """
    out: list[str] = []
    append = out.append
    cache = _TERM_CACHE
    crc32 = zlib.crc32
    buckets = _BUCKET_TERMS
    mask = _BUCKET_MASK
    previous: tuple[str, ...] = ()  # words at the previous position that can start a pair
    last: str | None = None  # the previous word when it had no sub-words (the common case)
    for text in TOKEN_RE.findall(value):
        if text[0] >= "\u3400" and is_cjk(text[0]):
            for word in cut_words(text):
                append(word)
                subs = chinese_subwords(word) if len(word) > 2 else ()
                if subs:
                    out.extend(subs)
                if not pairs:
                    continue
                if subs:
                    current = (word, *(w for w in subs if word.startswith(w)))
                    if last is not None:
                        for b in current:
                            append(buckets[crc32((last + " " + b).encode()) & mask])
                    else:
                        for a in previous:
                            for b in current:
                                append(buckets[crc32((a + " " + b).encode()) & mask])
                    previous = (word, *(w for w in subs if word.endswith(w)))
                    last = None
                else:
                    if last is not None:
                        append(buckets[crc32((last + " " + word).encode()) & mask])
                    else:
                        for a in previous:
                            append(buckets[crc32((a + " " + word).encode()) & mask])
                    last = word
        else:
            term = cache.get(text)
            if term is None:
                term = index_term(text)
            append(term)
            if pairs:
                if last is not None:
                    append(buckets[crc32((last + " " + term).encode()) & mask])
                else:
                    for a in previous:
                        append(buckets[crc32((a + " " + term).encode()) & mask])
                last = term
    return out


def cjk_runs(value: str) -> Iterator[str]:
    """The runs of CJK ideographs in ``value`` (any other character ends a run)."""
    for match in TOKEN_RE.finditer(value):
        text = match.group(0)
        if text[0] >= "\u3400" and is_cjk(text[0]):
            yield text


def gram_terms(value: str) -> list[str]:
    """The terms of the CJK fallback field for ``value``: every character bigram of each CJK run, and a
    hashed bucket term for every trigram (``公交站台`` -> 公交 交站 站台 #公交站 #交站台).

    A word of three or more characters is then matched as all its bigrams and all its trigram buckets,
    which holds only where its characters stand together and in order (a bucket collision needs every
    bigram as well); a two-character word is its own bigram."""
    out: list[str] = []
    append = out.append
    crc32 = zlib.crc32
    buckets = _BUCKET_TERMS
    mask = _BUCKET_MASK
    for run in cjk_runs(value):
        n = len(run)
        for i in range(n - 1):
            append(run[i : i + 2])
        for i in range(n - 2):
            append(buckets[crc32(run[i : i + 3].encode()) & mask])
    return out


def word_grams(word: str) -> tuple[list[str], list[str]]:
    """(bigrams, trigram bucket terms) a CJK ``word`` of two or more characters must all have in the
    fallback field; both empty for a shorter word."""
    terms = gram_terms(word)
    split = max(0, len(word) - 1)
    return terms[:split], terms[split:]


class CjkGramTokenizer(Tokenizer):
    """The CJK fallback field's analyzer: :func:`gram_terms` as Whoosh tokens (no positions)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def index_term_list(self, value: str) -> list[str]:
        """Every term this analyzer indexes for ``value``, with repeats."""
        return gram_terms(value)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        t.stopped = False
        for pos, term in enumerate(gram_terms(value) if tokenize else [value]):
            t.text = term
            if positions:
                t.pos = start_pos + pos
            yield t


def analyze(text: str, mode: str = "query", shingles: bool = False) -> list[str]:
    """The terms our analyzer produces for ``text`` (query mode: no sub-words, no pairs)."""
    return [t.text for t in MixedTokenizer(shingles)(text, mode=mode)]
