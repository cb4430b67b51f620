"""Query evaluation on Whoosh postings with set algebra and bulk BM25.

Whoosh evaluates queries one document at a time through Python matcher objects
(about 10 µs per matching document for scoring alone), and its block-max skipping
does not help when facets and exact totals need every match anyway. Here each
term's posting list is read once, block by block, into plain lists; AND/OR/NOT
become set operations (in C), and BM25 (Whoosh's BM25F formula and statistics) is
computed in one comprehension per term over the documents that matched.

Query nodes are tiny tuples built by :mod:`search_index.query`:

* ``("term", field, text, scored)``
* ``("and", [nodes])``, ``("or", [nodes])``, ``("not", node, node)``
* ``("all",)`` – every live document
* ``("native", whoosh_query)`` – evaluated by Whoosh (phrases in the short
  positional fields ``private`` and ``unit_text``)
"""

from __future__ import annotations

import heapq
import math
from collections import OrderedDict
from operator import itemgetter
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

K1 = 1.2
B = 0.75
_LENGTHS = [byte_to_length(i) for i in range(256)]


def _leaf_arrays(matcher) -> tuple[list[int], list[float]]:
    """(doc ids, term frequencies) of one segment's posting list."""
    ids: list[int] = []
    tfs: list[float] = []
    if isinstance(matcher, W3LeafMatcher):
        # Read whole blocks instead of stepping one posting at a time.
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            tfs.extend(matcher._weights)
            if matcher._lastblock:
                break
            matcher._next_block()
        return ids, tfs
    while matcher.is_active():
        ids.append(matcher.id())
        tfs.append(matcher.weight())
        matcher.next()
    return ids, tfs


class Postings:
    """Per-searcher access to posting lists and field lengths, with an LRU of lists."""

    CACHE_SIZE = 256

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self._cache: OrderedDict = OrderedDict()
        self._lengths: dict[str, list[int]] = {}
        self.doc_count_all = searcher.doc_count_all()

    def get(self, field: str, text: str) -> tuple[list[int], list[float]]:
        """Global doc numbers and frequencies of ``text`` in ``field`` (deleted docs removed)."""
        key = (field, text)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        all_ids: list[int] = []
        all_tfs: list[float] = []
        for reader, offset in self.leaves:
            try:
                matcher = reader._terms.matcher(field, reader._text_to_bytes(field, text), reader.schema[field].format)
            except (TermNotFound, KeyError, AttributeError):
                try:
                    matcher = reader.postings(field, text)
                except (TermNotFound, KeyError):
                    continue
            ids, tfs = _leaf_arrays(matcher)
            if reader.has_deletions():
                deleted = reader.deleted_docs_set if hasattr(reader, "deleted_docs_set") else set(reader.deleted_docs())
                keep = [i for i, d in enumerate(ids) if d not in deleted]
                ids = [ids[i] for i in keep]
                tfs = [tfs[i] for i in keep]
            if offset:
                ids = [d + offset for d in ids]
            all_ids.extend(ids)
            all_tfs.extend(tfs)
        result = (all_ids, all_tfs)
        self._cache[key] = result
        if len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def length_bytes(self, field: str) -> list[int]:
        """Per-document encoded field length (one byte each, Whoosh's own encoding)."""
        found = self._lengths.get(field)
        if found is None:
            found = []
            for reader, _offset in self.leaves:
                found.extend(_segment_lengths(reader, field))
            self._lengths[field] = found
        return found


def _segment_lengths(reader, field: str) -> list[int]:
    count = reader.doc_count_all()
    try:
        # Fast path: the lengths column is one byte per document; read it in one go.
        perdoc = reader._perdoc
        column = _lenfield(field)
        if not perdoc.has_column(column):
            return [0] * count
        creader = perdoc.column_reader(column, LENGTHS_COLUMN)
        raw = creader._dbfile.get(creader._basepos, creader._count)
        return list(raw) + [0] * (count - len(raw))
    except AttributeError:
        return [length_to_byte(reader.doc_field_length(d, field, 0) or 0) for d in range(count)]


class Evaluator:
    """Evaluates query nodes to document sets and scores them."""

    def __init__(self, postings: Postings, all_docs) -> None:
        self.postings = postings
        self.all_docs = all_docs

    def docs(self, node: tuple) -> set[int]:
        """The set of live documents matching ``node``."""
        kind = node[0]
        if kind == "term":
            return set(self.postings.get(node[1], node[2])[0])
        if kind == "and":
            parts = sorted((self.docs(child) for child in node[1]), key=len)
            result = set(parts[0])
            for part in parts[1:]:
                if not result:
                    break
                result &= part
            return result
        if kind == "or":
            result: set[int] = set()
            for child in node[1]:
                result |= self.docs(child)
            return result
        if kind == "not":
            return self.docs(node[1]) - self.docs(node[2])
        if kind == "all":
            return set(self.all_docs())
        if kind == "native":
            return set(self.postings.searcher.docs_for_query(node[1]))
        raise ValueError(f"unknown query node {kind!r}")

    def top(self, node: tuple, docs: set[int], limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (doc, BM25 score) pairs among ``docs``, best first, equal scores by doc number.

        Scores are Whoosh's: a document gets the BM25F weight of every scored term
        in a clause it matches (an AND clause counts only when all its parts match,
        a repeated term counts each time), filters and exclusions add nothing."""
        scores: dict[int, float] = {}
        self._score(node, docs, scores)
        if len(scores) < len(docs):
            # Documents matched only through non-scoring clauses (field filters).
            for d in docs:
                scores.setdefault(d, 0.0)
        if len(scores) > limit > 0:
            # The best by score alone (a C key), then exact order on those: a Python key function called for
            # every matching document costs more than the scoring itself on a common word. Documents tied
            # with the last one taken are all sorted, so equal scores still go by document number.
            top = heapq.nlargest(limit, scores.items(), key=itemgetter(1))
            floor = top[-1][1]
            if list(scores.values()).count(floor) > sum(1 for item in top if item[1] == floor):
                top = [item for item in scores.items() if item[1] >= floor]
            return sorted(top, key=_best_first)[:limit]
        return sorted(scores.items(), key=_best_first)[:limit]

    def _score(self, node: tuple, docs: set[int], scores: dict[int, float]) -> None:
        """Add the contributions of ``node`` for ``docs`` (all of which match ``node``) into ``scores``."""
        kind = node[0]
        if kind == "term":
            if node[3]:
                self._add_term(node[1], node[2], docs, scores)
        elif kind == "and":
            for child in node[1]:
                self._score(child, docs, scores)
        elif kind == "or":
            for child in node[1]:
                # A term child scores only where it occurs; other children need their own match set.
                self._score(child, docs if child[0] == "term" else docs & self.docs(child), scores)
        elif kind == "not":
            self._score(node[1], docs, scores)

    def _add_term(self, field: str, text: str, docs: set[int], scores: dict[int, float]) -> None:
        ids, tfs = self.postings.get(field, text)
        if not ids or not docs:
            return
        searcher = self.postings.searcher
        n_all = self.postings.doc_count_all or 1
        # Whoosh's idf counts deleted documents that still hold the term until segments merge.
        idf = math.log(n_all / (searcher.doc_frequency(field, text) + 1)) + 1
        avg = searcher.avg_field_length(field) or 1.0
        norm = [K1 * ((1 - B) + B * length / avg) for length in _LENGTHS]
        lengths = self.postings.length_bytes(field)
        k1p = idf * (K1 + 1)
        get = scores.get
        scores.update(
            {d: get(d, 0.0) + k1p * tf / (tf + norm[lengths[d]]) for d, tf in zip(ids, tfs) if d in docs}
        )


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def describe(node: Any) -> str:
    """A compact text form of a node (for debugging and tests)."""
    kind = node[0]
    if kind == "term":
        return f"{node[1]}:{node[2]}"
    if kind in ("and", "or"):
        return "(" + f" {kind.upper()} ".join(describe(c) for c in node[1]) + ")"
    if kind == "not":
        return f"({describe(node[1])} NOT {describe(node[2])})"
    if kind == "native":
        return repr(node[1])
    return "ALL"
