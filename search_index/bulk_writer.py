"""A Whoosh segment writer that builds posting lists per term instead of sorting postings.

Whoosh's :class:`~whoosh.writing.SegmentWriter` puts every posting (one per term
per document) into an external-sort pool as a tuple, sorts them all, and then
writes them one call at a time, looking each document's field length up in the
length column on disk. With a few hundred postings per letter that bookkeeping,
not the analysis, is most of the indexing time.

:class:`BulkSegmentWriter` keeps the same segment format (the codec, the files
and the on-disk layout are Whoosh's own ``W3`` ones, readable by plain Whoosh)
and changes only how the postings get there:

* documents append to compact per-term arrays (:class:`~search_index.term_pool.TermPool`;
  document numbers only ever increase, so each term's list is already in order:
  nothing is sorted but the distinct terms);
* when the arrays outgrow ``limitmb`` they are spilled to a run file sorted by
  term, and the runs are merged term by term (not posting by posting) at commit;
* each term's postings are handed to Whoosh's postings writer a block at a time,
  with field lengths read once per field as one byte string;
* segments merged in at commit (Whoosh's merge policy) are read a block at a
  time instead of through a matcher call per posting.

A test checks that the segment files come out byte for byte the same as with
Whoosh's own writer (with spills, merges and deletions).

It relies on ``whoosh.codec.whoosh3`` internals (the pinned 2.7.5 release);
:func:`supports_bulk_writing` says whether an index can use it, and the backend
falls back to Whoosh's own writer otherwise.
"""

from __future__ import annotations

from array import array
from itertools import groupby
from operator import itemgetter
from typing import Any

from whoosh import writing
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter, _lenfield
from whoosh.system import pack_int
from whoosh.util.numeric import byte_to_length

from search_index.term_pool import TermPool

_LENGTH_OF_BYTE = [0] + [byte_to_length(i) for i in range(1, 256)]


def supports_bulk_writing() -> bool:
    """True when Whoosh writes ``W3`` segments by default (the format this writer targets)."""
    return type(default_codec()) is W3Codec and all(
        hasattr(W3PostingsWriter, name) for name in ("_write_block", "_new_block", "start_postings")
    )


def _field_lengths(perdoc, fieldname: str, doccount: int) -> list[int] | None:
    """Per-document lengths of ``fieldname`` as Whoosh's writer would look them up, or None."""
    if perdoc is None:
        return None
    column = _lenfield(fieldname)
    if not perdoc.has_column(column):
        return None
    reader = perdoc.column_reader(column, LENGTHS_COLUMN)
    try:
        raw = reader._dbfile.get(reader._basepos, reader._count)
    except AttributeError:
        raw = bytes(reader[d] for d in range(doccount))
    table = _LENGTH_OF_BYTE
    lengths = [table[b] for b in raw]
    lengths.extend([0] * (doccount + 1 - len(lengths)))
    return lengths


class _TrackedFile:
    """A Whoosh file whose ``tell()`` is a running count of the bytes written through it.

    Whoosh asks the postings and term files for their position several times per
    term, and a buffered file answers with a system call each time. Any other
    method goes to the real file, and the position is read again afterwards.
    """

    def __init__(self, structfile) -> None:
        self._file = structfile
        self._pos = structfile.tell()

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._pos += len(data)

    def write_int(self, n: int) -> None:
        self.write(pack_int(n))

    def tell(self) -> int:
        return self._pos

    def __getattr__(self, name: str):
        attr = getattr(self._file, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            finally:
                self._pos = self._file.tell()

        return call


def write_terms(fieldwriter: W3FieldWriter, schema, perdoc, entries, doccount: int) -> None:
    """Write sorted (field, term, ids, weights, values) entries through Whoosh's W3 field writer."""
    postfile = fieldwriter._postfile
    termindex = fieldwriter._tindex
    termfile = termindex.dbfile
    fieldwriter._postfile = _TrackedFile(postfile)
    termindex.dbfile = _TrackedFile(termfile)
    try:
        _write_fields(fieldwriter, schema, perdoc, entries, doccount)
    finally:
        fieldwriter._postfile = postfile
        termindex.dbfile = termfile


def _write_fields(fieldwriter: W3FieldWriter, schema, perdoc, entries, doccount: int) -> None:
    for fieldname, group in groupby(entries, key=itemgetter(0)):
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        postwriter = fieldwriter._postwriter
        lengths = _field_lengths(perdoc, fieldname, doccount)
        for _f, btext, ids, weights, values in group:
            fieldwriter.start_term(btext)
            _write_postings(postwriter, ids, weights, values, lengths)
            fieldwriter.finish_term()
        fieldwriter.finish_field()


def _write_postings(pw: W3PostingsWriter, ids: array, weights: array, values: list, lengths) -> None:
    # Equivalent to calling pw.add_posting() for each posting: fill one block, let
    # Whoosh write it when the next one starts, leave the last to finish_postings().
    limit = pw._blocklimit
    count = len(ids)
    for start in range(0, count, limit):
        if start:
            pw._write_block()
        end = start + limit
        block_ids = ids[start:end]
        block_weights = weights[start:end]
        pw._ids = block_ids
        pw._weights = block_weights
        block_values = values[start:end]
        # Whoosh keeps only non-empty values (formats without values store none).
        pw._values = block_values if all(block_values) else [v for v in block_values if v]
        pw._maxweight = max(0, max(block_weights))
        if lengths is not None:
            found = list(filter(None, map(lengths.__getitem__, block_ids)))
            if found:
                pw._minlength = min(found)
                pw._maxlength = max(found)


def _read_blocks(matcher: W3LeafMatcher) -> tuple[list, list, list]:
    ids: list = []
    weights: list = []
    values: list = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        matcher._read_values()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        values.extend(matcher._values)
        if matcher._lastblock:
            break
        matcher._next_block()
    return ids, weights, values


class BulkSegmentWriter(writing.SegmentWriter):
    """A :class:`~whoosh.writing.SegmentWriter` with a :class:`TermPool` and block-wise posting writes."""

    def __init__(self, ix, limitmb: float = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=max(1, int(limitmb)), **kwargs)
        self.pool = TermPool(self._tempstorage, limitmb)
        schema = self.schema
        # The per-document fast path covers what this package's schema uses.
        self._fast = not any(field.vector or field.separate_spelling() for _n, field in schema.items())

    def add_document(self, **fields: Any) -> None:
        """Same contract as Whoosh's ``add_document`` (no per-field ``_boost``/``_stored_`` keys needed here)."""
        if not self._fast or any(name.startswith("_") for name in fields):
            super().add_document(**fields)
            self.pool.check_size()
            return
        self._check_state()
        schema = self.schema
        fieldnames = sorted(fields)
        self._check_fields(schema, fieldnames)
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        pool = self.pool
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    counter = getattr(field.format, "term_counts", None)
                    counts = counter(value, field.analyzer) if counter is not None else None
                    if counts is not None:
                        length = pool.add_counts(fieldname, docnum, counts, field.format.field_boost)
                        if not field.scorable:
                            length = 0
                    else:
                        length = pool.add_field(fieldname, docnum, field.index(value), 1.0, field.scorable)
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        pool.check_size()

    def add_postings_to_pool(self, reader, startdoc: int, docmap) -> None:
        """Copy a merged segment's postings into the pool a block at a time (Whoosh: one posting at a time)."""
        terms = getattr(reader, "_terms", None)
        if terms is None or not hasattr(reader, "deleted_docs_set"):
            super().add_postings_to_pool(reader, startdoc, docmap)
            return
        deleted = reader.deleted_docs_set
        schema = self.schema
        pool = self.pool
        for fieldname, btext in reader.all_terms():
            matcher = terms.matcher(fieldname, btext, schema[fieldname].format)
            if not isinstance(matcher, W3LeafMatcher):
                ids, weights, values = [], [], []
                while matcher.is_active():
                    ids.append(matcher.id())
                    weights.append(matcher.weight())
                    values.append(matcher.value())
                    matcher.next()
            else:
                ids, weights, values = _read_blocks(matcher)
            if deleted or docmap is not None:
                keep = [i for i, d in enumerate(ids) if d not in deleted]
                if len(keep) < len(ids):
                    ids = [ids[i] for i in keep]
                    weights = [weights[i] for i in keep]
                    values = [values[i] for i in keep]
            if not ids:
                continue
            ids = [docmap[d] for d in ids] if docmap is not None else [startdoc + d for d in ids]
            pool.add_postings(fieldname, btext, ids, weights, values)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        perdoc = self.per_document_reader() if self.codec.length_stats else None
        try:
            write_terms(self.fieldwriter, self.schema, perdoc, self.pool.iter_terms(), self.docnum)
        finally:
            self.fieldwriter.close()
            if perdoc is not None:
                perdoc.close()
