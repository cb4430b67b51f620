"""The bulk writer's postings pool: postings grouped per term in memory, spilled to sorted run files.

Used by :class:`~search_index.bulk_writer.BulkSegmentWriter`: documents append to compact per-term arrays
(document numbers only ever increase, so each term's list is already in order and nothing is sorted but the
distinct terms); past ``limitmb`` the arrays are written to a run file sorted by term, and the runs are merged
term by term (not posting by posting) when the segment is written.
"""

from __future__ import annotations

import heapq
import pickle
import uuid
from array import array
from itertools import groupby
from operator import itemgetter
from typing import Iterator

from whoosh.system import pack_uint

_PACKED_FREQ = [pack_uint(n) for n in range(256)]
# Rough memory per posting (document number, weight, value pointer) and per distinct term.
_POSTING_BYTES = 20
_TERM_BYTES = 400

# (ids, weights, values) of one term
_Entry = tuple[array, array, list]


class TermPool:
    """Postings grouped by (field, term), spilled to sorted run files past ``limitmb``.

    Accepts Whoosh's pool interface (``add`` of one posting tuple, used when old
    segments are merged in) and a per-document fast path (:meth:`add_field`).
    Postings of one term must arrive in increasing document order, which both
    paths guarantee.
    """

    def __init__(self, tempstore, limitmb: float) -> None:
        self.tempstore = tempstore
        self.limit = max(4096, int(limitmb * 1024 * 1024))
        self.fields: dict[str, dict[bytes, _Entry]] = {}
        # Fields fed by term counts: field -> term (str) -> [doc, freq, doc, freq, ...]. A flat list is the
        # cheapest thing to append to, and costs no more memory than arrays: one document's number is the
        # same int object in every list it is appended to, and small frequencies are interned by Python.
        self.counted: dict[str, dict[str, list[int]]] = {}
        self.boosts: dict[str, float] = {}
        self.size = 0
        self.runs: list[str] = []
        self.fieldnames: set[str] = set()

    def _terms(self, fieldname: str) -> dict[bytes, _Entry]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add(self, item: tuple) -> None:
        """Add one ``(fieldname, btext, docnum, weight, vbytes)`` posting."""
        fieldname, btext, docnum, weight, vbytes = item
        if docnum < 0:
            return  # Whoosh's spelling-word marker; this schema has no spelling fields
        terms = self._terms(fieldname)
        entry = terms.get(btext)
        if entry is None:
            entry = terms[btext] = (array("I"), array("f"), [])
            self.size += _TERM_BYTES
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes or b"")
        self.size += _POSTING_BYTES
        if self.size > self.limit:
            self.spill()

    def add_field(self, fieldname: str, docnum: int, items, boost: float, scorable: bool) -> int:
        """Add the ``(btext, freq, weight, vbytes)`` rows of one field of one document; returns its length."""
        terms = self._terms(fieldname)
        length = 0
        added = 0
        for btext, freq, weight, vbytes in items:
            entry = terms.get(btext)
            if entry is None:
                entry = terms[btext] = (array("I"), array("f"), [])
                self.size += _TERM_BYTES
            entry[0].append(docnum)
            entry[1].append(weight * boost)
            entry[2].append(vbytes or b"")
            length += freq
            added += 1
        self.size += added * _POSTING_BYTES
        return length if scorable else 0

    def add_postings(self, fieldname: str, btext: bytes, ids, weights, values) -> None:
        """Append a run of postings of one term (document numbers increasing, after any already held)."""
        terms = self._terms(fieldname)
        entry = terms.get(btext)
        if entry is None:
            entry = terms[btext] = (array("I"), array("f"), [])
            self.size += _TERM_BYTES
        entry[0].extend(ids)
        entry[1].extend(weights)
        entry[2].extend(v or b"" for v in values)
        self.size += len(ids) * _POSTING_BYTES
        if self.size > self.limit:
            self.spill()

    def add_counts(self, fieldname: str, docnum: int, counts: dict[str, int], boost: float) -> int:
        """Add one document's ``{term: frequency}`` for a frequency-format field; returns its length."""
        terms = self.counted.get(fieldname)
        if terms is None:
            terms = self.counted[fieldname] = {}
            self.boosts[fieldname] = boost
            self.fieldnames.add(fieldname)
        get = terms.get
        new = 0
        for term, n in counts.items():
            entry = get(term)
            if entry is None:
                terms[term] = [docnum, n]
                new += 1
            else:
                entry += (docnum, n)
        self.size += new * _TERM_BYTES + len(counts) * _POSTING_BYTES
        return sum(counts.values())

    def check_size(self) -> None:
        """Spill to a run file when the pool has grown past its memory limit."""
        if self.size > self.limit:
            self.spill()

    def spill(self) -> None:
        """Write the in-memory postings to a run file sorted by (field, term) and start afresh."""
        if not self.fields and not self.counted:
            return
        name = f"{uuid.uuid4().hex}.termrun"
        with self.tempstore.create_file(name).raw_file() as fh:
            # One pickle per entry (a shared Pickler with cleared memo would not match one Unpickler's memo).
            dump = pickle.dump
            protocol = pickle.HIGHEST_PROTOCOL
            for fieldname, btext, ids, weights, values in self._memory_entries():
                dump((fieldname, btext, ids.tobytes(), weights.tobytes(), values), fh, protocol)
        self.runs.append(name)
        self.fields = {}
        self.counted = {}
        self.size = 0

    def _field_entries(self, fieldname: str) -> dict[bytes, _Entry]:
        terms = self.fields.get(fieldname, {})
        counted = self.counted.get(fieldname)
        if not counted:
            return terms
        boost = self.boosts[fieldname]
        packed = _PACKED_FREQ
        out: dict[bytes, _Entry] = {}
        for term, flat in counted.items():
            btext = term.encode("utf-8")
            ids = array("I", flat[0::2])
            freqs = flat[1::2]
            weights = array("f", freqs) if boost == 1.0 else array("f", [n * boost for n in freqs])
            if max(freqs) < 256:
                values = list(map(packed.__getitem__, freqs))
            else:
                values = [packed[n] if n < 256 else pack_uint(n) for n in freqs]
            other = terms.get(btext)
            if other is not None:
                # Postings merged in from old segments follow the new documents.
                first, second = ((ids, weights, values), other)
                if other[0][0] < ids[0]:
                    first, second = second, first
                ids = first[0] + second[0]
                weights = first[1] + second[1]
                values = first[2] + second[2]
            out[btext] = (ids, weights, values)
        for btext, entry in terms.items():
            out.setdefault(btext, entry)
        return out

    def _memory_entries(self) -> Iterator[tuple]:
        for fieldname in sorted(set(self.fields) | set(self.counted)):
            terms = self._field_entries(fieldname)
            for btext in sorted(terms):
                ids, weights, values = terms[btext]
                yield fieldname, btext, ids, weights, values

    def _run_entries(self, name: str) -> Iterator[tuple]:
        with self.tempstore.open_file(name).raw_file() as fh:
            load = pickle.load
            while True:
                try:
                    fieldname, btext, raw_ids, raw_weights, values = load(fh)
                except EOFError:
                    return
                ids = array("I")
                ids.frombytes(raw_ids)
                weights = array("f")
                weights.frombytes(raw_weights)
                yield fieldname, btext, ids, weights, values

    def iter_terms(self) -> Iterator[tuple[str, bytes, array, array, list]]:
        """Every (field, term, ids, weights, values), sorted by field then term, runs concatenated in order."""
        if not self.runs:
            yield from self._memory_entries()
            return
        sources = [self._run_entries(name) for name in self.runs] + [self._memory_entries()]
        # heapq.merge keeps equal keys in source order, and sources are in document order.
        merged = heapq.merge(*sources, key=itemgetter(0, 1))
        for (fieldname, btext), group in groupby(merged, key=itemgetter(0, 1)):
            parts = list(group)
            if len(parts) == 1:
                yield parts[0]
                continue
            ids, weights, values = array("I"), array("f"), []
            for _f, _t, part_ids, part_weights, part_values in parts:
                ids.extend(part_ids)
                weights.extend(part_weights)
                values.extend(part_values)
            yield fieldname, btext, ids, weights, values

    def iter_postings(self) -> Iterator[tuple]:
        """Postings one at a time in Whoosh's pool order (for callers of the generic interface)."""
        for fieldname, btext, ids, weights, values in self.iter_terms():
            for docnum, weight, vbytes in zip(ids, weights, values):
                yield fieldname, btext, docnum, weight, vbytes

    def cleanup(self) -> None:
        """Remove run files."""
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []
        self.fields = {}
        self.counted = {}
