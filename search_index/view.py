"""A searcher plus the per-document value arrays that make facets and sorting cheap.

Whoosh's own faceting visits every matching document through Python column
readers. Instead, for each index segment we read once, from the postings of the
few keyword fields, a plain list ``docnum -> value``; segments never change after
they are written, so these lists are cached by segment id and a refreshed searcher
only reads the new segments. Counting facets over a result set is then
``Counter(map(values.__getitem__, docs))``, which runs in C.

Filter document sets (unit confinement, status, ...) come from the index postings
and are cached per searcher generation.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter, OrderedDict
from typing import Iterable

from search_index.engine import Evaluator, Postings

VALUE_FIELDS = ("status", "unit_id", "kind", "channel", "year")


class SegmentValues:
    """Value lists of one segment: ``values[field][local_docnum]``, plus creation time."""

    def __init__(self, reader) -> None:
        count = reader.doc_count_all()
        self.values: dict[str, list] = {}
        for name in VALUE_FIELDS:
            column: list = [None] * count
            for term in reader.field_terms(name):
                for docnum in reader.postings(name, term).all_ids():
                    column[docnum] = term
            self.values[name] = column
        self.created = _numeric_column(reader, "created_ts", count)


def _numeric_column(reader, name: str, count: int) -> list[int]:
    if not reader.has_column(name):
        return [0] * count
    creader = reader.column_reader(name, translate=False)
    raw_reader = getattr(creader, "_dbfile", None)
    fixed = getattr(creader, "_fixedlen", None)
    stored = getattr(creader, "_count", None)
    if raw_reader is not None and fixed == 8 and stored is not None:
        # Fast path: the column is a packed big-endian int64 array.
        data = array("q", raw_reader.get(creader._basepos, stored * 8))
        if sys.byteorder == "little":
            data.byteswap()
        values = data.tolist()
        return values + [creader._default] * (count - len(values))
    return [int(v) for v in creader]


class View:
    """One open searcher with its caches. Used only while the backend's lock is held."""

    FILTER_CACHE_SIZE = 128

    def __init__(self, searcher, segment_cache: dict[str, SegmentValues]) -> None:
        self.searcher = searcher
        self.values: dict[str, list] = {name: [] for name in VALUE_FIELDS}
        self.created: list[int] = []
        live = set()
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            if reader.doc_count_all() == 0:
                continue
            key = reader.segment().segment_id() if hasattr(reader, "segment") else None
            seg = segment_cache.get(key) if key else None
            if seg is None:
                seg = SegmentValues(reader)
                if key:
                    segment_cache[key] = seg
            live.add(key)
            for name in VALUE_FIELDS:
                self.values[name].extend(seg.values[name])
            self.created.extend(seg.created)
        for key in list(segment_cache):
            if key not in live:
                del segment_cache[key]
        self._filters: OrderedDict = OrderedDict()
        self._all: set[int] | None = None
        self.postings = Postings(searcher)
        self.evaluator = Evaluator(self.postings, self.all_docs)

    def all_docs(self) -> set[int]:
        """Every live (not deleted) document number."""
        if self._all is None:
            self._all = set(self.searcher.reader().all_doc_ids())
        return self._all

    def docs_for(self, field: str, values: Iterable[str]) -> set[int]:
        """Documents whose keyword ``field`` has any of ``values`` (cached)."""
        key = (field, tuple(sorted(set(values))))
        found = self._filters.get(key)
        if found is not None:
            self._filters.move_to_end(key)
            return found
        found = set()
        for value in key[1]:
            found.update(self.postings.get(field, value)[0])
        self._filters[key] = found
        if len(self._filters) > self.FILTER_CACHE_SIZE:
            self._filters.popitem(last=False)
        return found

    def facet_counts(self, docs: set[int], field: str) -> dict[str, int]:
        """``{value: count}`` over ``docs``, most frequent first."""
        counts = Counter(map(self.values[field].__getitem__, docs))
        counts.pop(None, None)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
