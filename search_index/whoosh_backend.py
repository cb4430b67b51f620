"""The Whoosh implementation of :class:`~search_index.api.SearchBackend`.

One searcher is kept open per backend and refreshed (``searcher.refresh()``) when
the index on disk has a newer generation; a lock guards the searcher because a
refresh closes resources an in-flight search might still read. Writes go through
one writer per call (Whoosh's file lock serialises writers across processes); the
writer is :class:`~search_index.bulk_writer.BulkSegmentWriter`, which writes the
same segment files as Whoosh's own writer several times faster. For a rebuild,
:meth:`WhooshBackend.bulk_index` takes the whole database as one generator.
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from whoosh import query as wq
from whoosh import writing
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from search_index.analysis import is_shingle
from search_index.bulk_writer import BulkSegmentWriter, supports_bulk_writing
from search_index.api import Hit, SearchPage, SearchRequest
from search_index.errors import IndexUnavailableError, QueryError, SearchIndexError
from search_index.highlight import hit_snippet
from search_index.query import parse_query, split_highlight_terms
from search_index.schema import FACET_FIELDS, INDEX_NAME, build_schema, timestamp, to_datetime, to_fields
from search_index.view import View, SegmentValues


@dataclass(frozen=True)
class WhooshOptions:
    """Tuning knobs. ``limitmb``: memory for a writer's postings before they spill
    to temporary files; ``writer_timeout``: seconds to wait for another writer's lock;
    ``index_name``: the index in the folder (one folder may hold several, each with its own lock)."""

    index_name: str = INDEX_NAME
    limitmb: int = 256
    writer_timeout: float = 30.0
    snippet_chars: int = 240
    similar_terms: int = 12


class WhooshBackend:
    """Case search on a Whoosh index stored in the folder ``path`` (created if missing)."""

    def __init__(self, path: str, options: WhooshOptions | None = None) -> None:
        self.path = str(path)
        self.options = options or WhooshOptions()
        try:
            os.makedirs(self.path, exist_ok=True)
            storage = FileStorage(self.path)
            name = self.options.index_name
            if storage.index_exists(name):
                self._ix = storage.open_index(name)
            else:
                self._ix = storage.create_index(build_schema(), indexname=name)
        except OSError as exc:
            raise IndexUnavailableError(f"cannot open the search index folder {self.path!r}: {exc}") from exc
        self._lock = threading.RLock()
        self._view: View | None = None
        self._stale = False
        self._segments: dict[str, SegmentValues] = {}
        self._bulk_writer = supports_bulk_writing()

    # -- reading -------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[View]:
        with self._lock:
            view = self._view
            if view is None:
                view = View(self._ix.searcher(), self._segments)
            elif self._stale or not view.searcher.up_to_date():
                # Not searcher.refresh(): Whoosh reuses a segment's reader when only its deletions changed, so
                # deleted (and replaced) documents would stay visible. A new searcher reads the new deletions.
                old = view.searcher
                view = View(self._ix.searcher(), self._segments)
                old.close()
            self._view, self._stale = view, False
            yield view

    def search(self, request: SearchRequest) -> SearchPage:
        """Run ``request``; unit confinement and filters are applied inside the index query."""
        if not isinstance(request, SearchRequest):
            raise QueryError("search() takes a SearchRequest")
        request.validate()
        parsed = parse_query(request.query, request.include_private)
        sort = request.sort if not parsed.match_all or request.sort != "relevance" else "newest"
        limit = request.page * request.per_page
        with self._reading() as view:
            docs = self._matching_docs(view, parsed, request)
            facets = ({name: view.facet_counts(docs, field) for name, field in FACET_FIELDS.items()}
                      if request.facets else {})
            if not docs:
                ranked: list[tuple[int, float]] = []
            elif sort == "relevance":
                ranked = view.evaluator.top(parsed.node, docs, limit)
            else:
                created = view.created
                picker = heapq.nlargest if sort == "newest" else heapq.nsmallest
                ranked = [(d, 0.0) for d in picker(limit, docs, key=created.__getitem__)]
            page = ranked[(request.page - 1) * request.per_page :]
            stored = [(view.searcher.stored_fields(d), score) for d, score in page]
        latin, cjk = split_highlight_terms(parsed.highlight_terms)
        hits = [self._hit(fields, score, frozenset(latin), frozenset(cjk)) for fields, score in stored]
        return SearchPage(total=len(docs), page=request.page, per_page=request.per_page, hits=hits, facets=facets)

    def _matching_docs(self, view: View, parsed, request: SearchRequest) -> set[int]:
        restrictions: list[set[int]] = []
        if request.restrict_unit_ids is not None:
            allowed = view.docs_for("unit_id", request.restrict_unit_ids)
            if request.restrict_case_ids:
                allowed = allowed | view.docs_for("id", request.restrict_case_ids)
            restrictions.append(allowed)
        for name, field in FACET_FIELDS.items():
            values = request.filter_values(name)
            if values is not None:
                restrictions.append(view.docs_for(field, values))
        restrictions.sort(key=len)
        if restrictions and not restrictions[0]:
            return set()
        if parsed.match_all:
            docs = set(restrictions[0]) if restrictions else set(view.all_docs())
            docs &= view.all_docs()
            rest = restrictions[1:]
        else:
            docs = view.evaluator.docs(parsed.node)
            rest = restrictions
        for allowed in rest:
            docs &= allowed
        low, high = _date_bounds(request)
        if low is not None or high is not None:
            created = view.created
            low = low if low is not None else -(2**62)
            high = high if high is not None else 2**62
            docs = {d for d in docs if low <= created[d] <= high}
        return docs

    def _hit(self, fields: Mapping[str, Any], score: float, latin: frozenset, cjk: frozenset) -> Hit:
        return Hit(
            id=fields["id"],
            number=fields.get("number"),
            score=float(score),
            snippet=hit_snippet(fields.get("body", ""), fields.get("title"), latin, cjk, self.options.snippet_chars),
            title=fields.get("title"),
            kind=fields.get("kind"),
            category=fields.get("category"),
            status=fields.get("status"),
            channel=fields.get("channel"),
            unit_id=fields.get("unit_id"),
            unit_name=fields.get("unit_name"),
            urgency=fields.get("urgency"),
            created=_parse_stored_date(fields.get("created")),
            updated=_parse_stored_date(fields.get("updated")),
        )

    def similar(self, doc_id: str, restrict_unit_ids: Sequence[str] | None = None, limit: int = 5) -> list[Hit]:
        """Cases with the most similar text to ``doc_id`` (Whoosh more-like-this), best first.

        Returns an empty list when the case is not indexed."""
        if not isinstance(doc_id, str):
            raise QueryError("doc_id must be a string")
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise QueryError("limit must be between 1 and 100")
        with self._reading() as view:
            docnum = view.searcher.document_number(id=doc_id)
            if docnum is None:
                return []
            body = view.searcher.stored_fields(docnum).get("body") or ""
            if not body.strip():
                return []
            allowed = view.docs_for("unit_id", restrict_unit_ids) if restrict_unit_ids is not None else None
            if allowed is not None and not allowed:
                return []
            key_terms = view.searcher.key_terms_from_text("text", body, numterms=self.options.similar_terms * 3)
            words = [(w, weight) for w, weight in key_terms if not is_shingle(w)][: self.options.similar_terms]
            if not words:
                return []
            query = wq.Or([wq.Term("text", w, boost=weight) for w, weight in words])
            results = view.searcher.search(query, limit=limit, filter=allowed, mask={docnum})
            found = [(view.searcher.stored_fields(hit.docnum), hit.score) for hit in results]
        return [self._hit(fields, score, frozenset(), frozenset()) for fields, score in found]

    def doc_count(self) -> int:
        """Number of indexed (live) documents."""
        with self._reading() as view:
            return view.searcher.doc_count()

    def stored_versions(self) -> dict[str, str]:
        """``{case id: version}`` for every indexed document (read from columns, not stored text)."""
        with self._reading() as view:
            reader = view.searcher.reader()
            if reader.doc_count_all() == 0:
                return {}
            ids = reader.column_reader("id", translate=True) if reader.has_column("id") else None
            versions = reader.column_reader("version", translate=False)
            out = {}
            for docnum in reader.all_doc_ids():
                doc_id = ids[docnum] if ids is not None else reader.stored_fields(docnum)["id"]
                out[doc_id] = versions[docnum].decode("utf-8")
            return out

    # -- writing -------------------------------------------------------------------------

    def _writer(self):
        opts = self.options
        try:
            if self._bulk_writer:
                return BulkSegmentWriter(self._ix, limitmb=opts.limitmb, timeout=opts.writer_timeout)
            return self._ix.writer(limitmb=opts.limitmb, timeout=opts.writer_timeout)
        except LockError as exc:
            raise IndexUnavailableError("the search index is locked by another writer; try again later") from exc

    def index_documents(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace documents (by ``id``) with one writer and one commit.

        A malformed document raises :class:`DocumentError` and nothing of the call is
        written. If an id repeats within the call, the last occurrence wins."""
        return self._write(docs, None, 0)

    def bulk_index(
        self, docs: Iterable[Mapping[str, Any]], on_progress: Callable[[int], None] | None = None, every: int = 500
    ) -> int:
        """Index a whole stream of documents (a rebuild) with one writer and one commit.

        Same contract as :meth:`index_documents` (insert or replace by id, last
        occurrence wins, a malformed document raises :class:`DocumentError` and
        nothing is written), on an empty or an existing index. Give it a generator
        over the whole database rather than calling :meth:`index_documents` per
        batch: documents are consumed lazily, the writer's memory stays within
        ``WhooshOptions.limitmb`` (postings spill to temporary files), and one
        commit writes one segment instead of merging a new small segment into the
        old ones at every batch. ``on_progress(n)`` is called after every ``every``
        documents read and once at the end with the remainder. The writer lock is
        held for the whole call, so other writers (the outbox) wait up to
        ``writer_timeout`` and then retry later.
        """
        if on_progress is not None and (not isinstance(every, int) or every < 1):
            raise SearchIndexError("every must be a positive whole number")
        return self._write(docs, on_progress, every)

    def _write(self, docs: Iterable[Mapping[str, Any]], on_progress, every: int) -> int:
        iterator = iter(docs)
        first_doc = next(iterator, None)
        if first_doc is None:
            return 0
        pending: Iterable = chain((first_doc,), iterator)
        written = 0
        first = True
        while True:
            writer = self._writer()
            # Decided under the writer lock: with no segments there is nothing to replace.
            fresh = first and not getattr(writer, "segments", True)
            seen: set[str] = set()
            repeats: list[dict] = []
            read = 0
            try:
                add = writer.add_document if fresh else writer.update_document
                for doc in pending:
                    fields = doc if not first else to_fields(doc)
                    if on_progress is not None and first:
                        read += 1
                        if read == every:
                            on_progress(read)
                            read = 0
                    if fields["id"] in seen:
                        # Whoosh cannot replace a document added by the same writer.
                        repeats.append(fields)
                        continue
                    seen.add(fields["id"])
                    add(**fields)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            if on_progress is not None and read:
                on_progress(read)
            written += len(seen)
            self._stale = True
            if not repeats:
                return written
            # Later occurrences replace the ones just committed.
            pending, first = _last_wins(repeats), False

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by case id (unknown ids are ignored); returns how many ids were given."""
        ids = list(ids)
        if not all(isinstance(i, str) for i in ids):
            raise SearchIndexError("ids to delete must be strings")
        if not ids:
            return 0
        writer = self._writer()
        try:
            for doc_id in ids:
                writer.delete_by_term("id", doc_id)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        self._stale = True
        return len(ids)

    def clear(self) -> None:
        """Remove every document (one commit that drops all segments)."""
        writer = self._writer()
        writer.commit(mergetype=writing.CLEAR)
        self._stale = True

    def optimize(self) -> None:
        """Merge all segments into one."""
        writer = self._writer()
        writer.commit(optimize=True)
        self._stale = True

    def close(self) -> None:
        """Close the open searcher."""
        with self._lock:
            if self._view is not None:
                self._view.searcher.close()
                self._view = None
            self._segments.clear()


def _last_wins(repeats: list[dict]) -> list[dict]:
    latest: dict[str, dict] = {}
    for fields in repeats:
        latest[fields["id"]] = fields
    return list(latest.values())


def _bound(value, end: bool) -> int | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = to_datetime(value, "date")
        return timestamp(moment)
    start = dt.datetime(value.year, value.month, value.day)
    if end:
        return timestamp(start + dt.timedelta(days=1)) - 1
    return timestamp(start)


def _date_bounds(request: SearchRequest) -> tuple[int | None, int | None]:
    return _bound(request.date_from, False), _bound(request.date_to, True)


def _parse_stored_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
