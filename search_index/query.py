"""A small, safe query language compiled to Whoosh queries.

Grammar (everything else is plain text):

* ``word word``   – all words must match (AND); a Chinese word matches as the word jieba cuts or as its
  characters in a row (see :func:`_grams`);
* ``"a phrase"``  – the words in this order (straight, curly, full-width or corner quotes);
* ``a OR b``      – either (OR binds tighter than the implicit AND: ``x a OR b`` = x AND (a OR b));
* ``-word``, ``-"phrase"``, ``-field:value`` – exclude;
* ``unit:``, ``status:``, ``kind:``, ``channel:`` – field values (``field:"two words"`` too);
  ``name:`` / ``private:`` only when the caller may search private data.

There are no wildcards, ranges, boosts, fuzzy terms or arbitrary field names: ``*``
and ``?`` are dropped like other punctuation and an unknown ``name:`` prefix is
ordinary text. So a query can neither reach a field the caller may not search nor
expand into thousands of terms. Length and term count are capped; anything the
language cannot run raises :class:`QueryError` with the reason.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from whoosh import query as wq

from search_index.analysis import MixedTokenizer, analyze, is_cjk, shingle, word_grams
from search_index.errors import N_, QueryError

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
_ANALYZER = MixedTokenizer()

QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u300c\u300d\u300e\u300f\u301d\u301e"})
KEYWORD_PREFIXES = {"status": "status", "kind": "kind", "channel": "channel"}
PRIVATE_PREFIXES = ("name", "private")


@dataclass
class ParsedQuery:
    """A compiled query: an :mod:`search_index.engine` node, the words to highlight,
    and whether it matches everything (empty query)."""

    node: tuple
    highlight_terms: frozenset[str] = frozenset()
    match_all: bool = False


@dataclass
class _Item:
    kind: str  # "word" | "phrase" | "field"
    text: str
    negated: bool = False
    field: str | None = None


def _any(nodes: list[tuple]) -> tuple:
    return nodes[0] if len(nodes) == 1 else ("or", nodes)


def _all(nodes: list[tuple]) -> tuple:
    return nodes[0] if len(nodes) == 1 else ("and", nodes)


@dataclass
class _Compiler:
    include_private: bool
    terms: int = 0
    highlight: set[str] = field(default_factory=set)

    def _count(self, n: int) -> None:
        self.terms += n
        if self.terms > MAX_TERMS:
            raise QueryError(N_("the query has too many words (at most %(limit)s); shorten it"), limit=MAX_TERMS)

    def _text(self, text: str, phrase: bool, collect: bool, private_only: bool = False) -> tuple | None:
        terms = analyze(text, mode="query")
        if not terms:
            return None
        self._count(len(terms))
        if collect:
            self.highlight.update(terms)
        options = []
        if not private_only:
            if phrase and len(terms) > 1:
                # The text field indexes adjacent word pairs, so a phrase is an AND of pairs.
                exact = _all([("term", "text", shingle(a, b), True) for a, b in zip(terms, terms[1:])])
                fallback = _grams("".join(terms)) if all(is_cjk(t) for t in terms) else None
                options.append(_any([exact, fallback]) if fallback else exact)
            else:
                options.append(_all([_piece(group) for group in _pieces(text)]))
        if self.include_private or private_only:
            options.append(_positional("private", terms, phrase, scored=not private_only))
        return _any(options)

    def item(self, item: _Item) -> tuple | None:
        collect = not item.negated
        if item.kind == "word":
            return self._text(item.text, False, collect)
        if item.kind == "phrase":
            return self._text(item.text, True, collect)
        value = item.text.strip()
        if not value:
            return None
        if item.field in PRIVATE_PREFIXES:
            return self._text(value, True, False, private_only=True)
        self._count(1)
        if item.field == "unit":
            by_id = ("term", "unit_id", value, False)
            terms = analyze(value, mode="query")
            return _any([by_id, _positional("unit_text", terms, True, scored=False)]) if terms else by_id
        name = KEYWORD_PREFIXES[item.field]
        return _any([("term", name, v, False) for v in sorted({value, value.lower()})])


def _pieces(text: str) -> list[list[str]]:
    """The query's words, a one-character Chinese word kept with the Chinese word it touches
    (``张家湾`` cut ``张家/湾`` is one piece), every other word a piece of its own."""
    pieces: list[list[str]] = []
    end = -1
    single = False
    for term, start, stop, _subs in _ANALYZER.units(text, False):
        cjk = is_cjk(term)
        if cjk and pieces and start == end and (single or len(term) == 1):
            pieces[-1].append(term)
        else:
            pieces.append([term])
        single = cjk and len(term) == 1
        end = stop if cjk else -1
    return pieces


def _piece(words: list[str]) -> tuple:
    """One piece of the query in the text field; Chinese also matches through the CJK fallback field."""
    exact = _all([("term", "text", w, True) for w in words])
    fallback = _grams("".join(words)) if is_cjk(words[0]) else None
    return _any([exact, fallback]) if fallback else exact


def _grams(word: str) -> tuple | None:
    """A CJK word as all its character bigrams (scored) and trigram buckets (order only), or None when it
    is shorter than two characters. Jieba cuts a word by its context, so ``公交站`` typed alone is one word
    while a letter's ``公交站台`` is cut ``公交/站台``: the word term misses, its bigrams do not."""
    bigrams, trigrams = word_grams(word)
    if not bigrams:
        return None
    return _all([("term", "grams", b, True) for b in bigrams] + [("term", "grams", t, False) for t in trigrams])


def _positional(field_name: str, terms: list[str], phrase: bool, scored: bool) -> tuple:
    if phrase and len(terms) > 1:
        return ("native", wq.Phrase(field_name, terms))
    return _all([("term", field_name, t, scored) for t in terms])


def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).translate(QUOTES)
    # Control and format characters act as spaces so they cannot glue tokens together.
    return "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)


def _lex(text: str, include_private: bool) -> tuple[list[list[_Item]], list[_Item]]:
    """Split into OR-groups of positive items, and the excluded items."""
    allowed = set(KEYWORD_PREFIXES) | {"unit"}
    if include_private:
        allowed |= set(PRIVATE_PREFIXES)
    groups: list[list[_Item]] = []
    excluded: list[_Item] = []
    pending_or = False
    i, n = 0, len(text)
    while i < n:
        if text[i] == " ":
            i += 1
            continue
        negated = False
        if text[i] == "-" and i + 1 < n and text[i + 1] not in " -":
            negated = True
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            item = _Item("phrase", text[i + 1 : end], negated)
            i = end + 1
        else:
            end = i
            while end < n and text[end] not in ' "':
                end += 1
            word = text[i:end]
            i = end
            if word == "OR" and not negated:
                pending_or = bool(groups)
                continue
            name, colon, value = word.partition(":")
            if colon and name.lower() in allowed:
                if not value and i < n and text[i] == '"':
                    close = text.find('"', i + 1)
                    close = n if close < 0 else close
                    value = text[i + 1 : close]
                    i = close + 1
                item = _Item("field", value, negated, name.lower())
            else:
                item = _Item("word", word, negated)
        if item.negated:
            if pending_or:
                raise QueryError(N_("'OR' cannot be followed by an excluded (-) term; remove the OR or the minus"))
            excluded.append(item)
        elif pending_or:
            groups[-1].append(item)
        else:
            groups.append([item])
        pending_or = False
    return groups, excluded


def parse_query(raw: str, include_private: bool = False) -> ParsedQuery:
    """Compile a query string typed by a person; raise :class:`QueryError` if it cannot run."""
    if not isinstance(raw, str):
        raise QueryError("the query must be text")
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError(N_("the query is too long (%(length)s characters; at most %(limit)s)"), length=len(raw),
                         limit=MAX_QUERY_CHARS)
    text = _normalise(raw)
    if not text.strip():
        return ParsedQuery(("all",), frozenset(), match_all=True)
    groups, excluded = _lex(text, include_private)
    compiler = _Compiler(include_private)
    positives = []
    for group in groups:
        parts = [q for q in (compiler.item(it) for it in group) if q is not None]
        if parts:
            positives.append(_any(parts))
    negatives = [q for q in (compiler.item(it) for it in excluded) if q is not None]
    if not positives and not negatives:
        raise QueryError(N_("nothing to search for: type some words (wildcards such as * and ? are not supported)"))
    node = _all(positives) if positives else ("all",)
    if negatives:
        node = ("not", node, _any(negatives))
    return ParsedQuery(node, frozenset(compiler.highlight), match_all=False)


def split_highlight_terms(terms: frozenset[str]) -> tuple[set[str], set[str]]:
    """Split highlight terms into (Latin index terms, CJK words)."""
    latin, cjk = set(), set()
    for term in terms:
        (cjk if is_cjk(term) else latin).add(term)
    return latin, cjk


# Words that say nothing about what a letter is about, yet match most letters: left out of suggestion queries
# (as the analyzer writes them: folded and stemmed).
SUGGESTION_STOP_WORDS = frozenset(analyze(
    "the and for you your are was were has have had how what which when where who why with this that there "
    "can could would should does did not but from into about please thank thanks need want know tell ask "
    "los las del por para con una uno como que qué cuando donde dónde quiero puedo necesito hay muy más "
    "怎么 什么 需要 可以 我们 你们 他们 一下 请问 问问 想问 知道 这个 那个 哪里 怎样 如何 是否 因为 所以 但是 还是 已经 现在",
    mode="query")) | {"or"}


def any_words_query(text: str, limit: int = 12) -> str:
    """A query matching documents with any of the words of ``text`` (for suggestions while someone types):
    its distinct words of more than one character, stop words left out, the first ``limit`` of them, joined
    by ``OR``."""
    seen: list[str] = []
    for term in analyze(_normalise(text or "")[:MAX_QUERY_CHARS], mode="query"):
        if len(term) > 2 - is_cjk(term[:1]) and term not in seen and term.lower() not in SUGGESTION_STOP_WORDS:
            seen.append(term)
        if len(seen) >= min(limit, MAX_TERMS):
            break
    return " OR ".join(seen)
