"""Snippets as safe HTML: escaped text with our own ``<mark>`` tags around matches.

Whoosh's highlighter re-analyses each hit's whole text (jieba included), which is
the slowest part of a results page. Here the stored body is scanned with regular
expressions instead, which run in C:

* Latin terms: a regex of the stems' prefixes finds candidate words in an
  accent-folded copy of the text (folding is one character to one character, so
  offsets stay valid); each candidate is confirmed with the analyzer's own
  fold+stem function, so exactly the words that matched are marked.
* Chinese terms are literal words, found by substring search.

Only the first ``max_scan`` characters are scanned; the best window is the one
with the most distinct terms.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from search_index.analysis import CJK_CLASS, index_term


def _build_fold_table() -> dict[int, str]:
    table = {}
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    return table


_FOLD = _build_fold_table()


# A run of word characters that are not CJK and not "_": the analyzer's Latin token (analysis.TOKEN_RE).
_LATIN_RUN = re.compile(rf"[^\W_{CJK_CLASS}]+")


@lru_cache(maxsize=512)
def _latin_pattern(terms: frozenset[str]) -> re.Pattern | None:
    prefixes = set()
    for term in terms:
        # Stemmers may change the last letter (happy -> happi), so match one less.
        prefixes.add(term[:-1] if len(term) > 3 else term)
    if not prefixes:
        return None
    # Only the prefixes: word boundaries are checked with the precompiled _LATIN_RUN, because a character class
    # of the CJK ranges in every query's own pattern would cost milliseconds to compile.
    return re.compile("|".join(sorted((re.escape(p) for p in prefixes), key=len, reverse=True)), re.IGNORECASE)


def find_spans(text: str, latin: frozenset[str], cjk: frozenset[str], max_hits: int = 200) -> list[tuple[int, int]]:
    """Character spans of ``text`` that match the query terms, sorted and merged."""
    spans: list[tuple[int, int]] = []
    pattern = _latin_pattern(latin)
    if pattern is not None:
        folded = text if text.isascii() else text.translate(_FOLD)
        word_at = _LATIN_RUN.match
        for match in pattern.finditer(folded):
            start = match.start()
            if start and word_at(folded, start - 1):
                continue  # inside a word, not at its start
            end = word_at(folded, start).end()
            if index_term(text[start:end]) in latin:
                spans.append((start, end))
                if len(spans) >= max_hits:
                    break
    for word in cjk:
        start = text.find(word)
        count = 0
        while start >= 0 and count < max_hits:
            spans.append((start, start + len(word)))
            start = text.find(word, start + len(word))
            count += 1
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _best_window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    best, best_score, j = (0, min(len(text), size)), (-1, -1), 0
    for i, (start, _) in enumerate(spans):
        if j < i:
            j = i
        while j + 1 < len(spans) and spans[j + 1][1] - start <= size:
            j += 1
        window = spans[i : j + 1]
        score = (len({text[s:e].lower() for s, e in window}), len(window))
        if score > best_score:
            best_score = score
            lead = max(0, (size - (spans[j][1] - start)) // 3)
            best = (max(0, start - lead), start - lead + size)
    start, end = best
    end = min(len(text), max(end, start + 1))
    return start, end


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    # Move the cut points to whitespace when one is near, so words are not split.
    if start > 0:
        space = text.find(" ", start, min(len(text), start + 20))
        if space >= 0:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", max(start, end - 20), end)
        if space > start:
            end = space
    return start, end


def snippet_html(text: str, latin: frozenset[str], cjk: frozenset[str], size: int = 240, max_scan: int = 50_000) -> str:
    """A window of ``text`` around the best matches, HTML-escaped, matches in ``<mark>``."""
    if not text:
        return ""
    scan = text[:max_scan]
    spans = find_spans(scan, latin, cjk) if (latin or cjk) else []
    if spans:
        start, end = _best_window(scan, spans, size)
    else:
        start, end = 0, min(len(scan), size)
    start, end = _snap(scan, start, end)
    # Never cut through a mark.
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    parts = ["\u2026" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        parts.append(html.escape(scan[cursor:s]))
        parts.append("<mark>" + html.escape(scan[s:e]) + "</mark>")
        cursor = e
    parts.append(html.escape(scan[cursor:end]))
    if end < len(text):
        parts.append("\u2026")
    return _collapse_ws("".join(parts))


_WS = re.compile(r"\s+")


def _collapse_ws(value: str) -> str:
    return _WS.sub(" ", value).strip()


def hit_snippet(body: str, title: str | None, latin: frozenset[str], cjk: frozenset[str], size: int = 240) -> str:
    """The one excerpt shown under a hit: :func:`snippet_html` of the stored body without its leading title
    (a result shows the title as its heading already), or of the title when that is all there is."""
    if title and body.startswith(title):
        rest = body[len(title):].lstrip()
        body = rest or body
    return snippet_html(body, latin, cjk, size=size)
