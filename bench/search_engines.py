"""The engines ``bench/search.py`` times: our Whoosh backend, our PostgreSQL backend, and bare Whoosh as a
baseline. Each builds its index from a stream of letters (with a tqdm progress bar), answers the benchmark's
query shapes, and says its size and the CPU seconds a query cost (the server's too, for PostgreSQL).
"""

from __future__ import annotations

import os
import time
from typing import Iterable

from tqdm import tqdm

from bench.search_letters import dir_size_mb
from search_index import SearchRequest, WhooshBackend, WhooshOptions
from search_index.analysis import analyze
from tests.cjk_recall import PAIRS, documents, recall_precision

# Letters between two progress updates of the PostgreSQL build.
PG_BATCH = 2000


def progress(docs: Iterable[dict], label: str, total: int) -> Iterable[dict]:
    """``docs`` with a progress bar on stderr."""
    return tqdm(docs, desc=f"{label} index", unit="doc", total=total, mininterval=2, smoothing=0.05)


def search_request(shape: str, q: str, units: list[str], status: str) -> SearchRequest:
    """The request of one benchmark query: the same for both backends."""
    if shape == "filtered":
        return SearchRequest(query=q, restrict_unit_ids=units, filters={"status": status})
    return SearchRequest(query=q)


class WhooshEngine:
    """Our Whoosh backend: one process, one writer, one commit (``bulk_index``, as a rebuild does)."""

    label = "whoosh"
    estimates = 0  # queries whose total and facets were estimates

    def __init__(self, path: str) -> None:
        self.path = path
        self.backend = WhooshBackend(path, WhooshOptions())

    def index(self, docs: Iterable[dict], total: int) -> None:
        self.backend.bulk_index(progress(docs, self.label, total))

    def open(self) -> None:
        self.backend.doc_count()

    def run(self, shape: str, q: str, units: list[str], status: str) -> int:
        page = self.backend.search(search_request(shape, q, units, status))
        self.estimates += page.estimated
        return page.total

    def cpu_s(self) -> float:
        return time.process_time()

    def size_mb(self) -> float:
        return dir_size_mb(self.path)

    def close(self) -> None:
        self.backend.close()


class PostgresEngine:
    """Our PostgreSQL backend, built as ``flask index rebuild`` builds it (``bulk_index``: vectors built in one
    process per CPU, rows COPYed, indexes built after), then VACUUM ANALYZE."""

    label = "postgres"
    estimates = 0  # queries whose total and facets were estimates (beyond the exact-count bound)

    def __init__(self, url: str, empty: bool = True) -> None:
        from search_index.postgres_backend import PostgresBackend

        self.backend = PostgresBackend(url)
        if empty:
            self.backend.clear()

    def index(self, docs: Iterable[dict], total: int) -> None:
        with tqdm(desc=f"{self.label} index", unit="doc", total=total, mininterval=2, smoothing=0.05) as bar:
            self.backend.bulk_index(docs, on_progress=bar.update, every=PG_BATCH)
        self.backend.optimize()

    def open(self) -> None:
        self.backend.doc_count()
        with self.backend._run() as conn:
            self._server_pid = conn.info.backend_pid

    def run(self, shape: str, q: str, units: list[str], status: str) -> int:
        page = self.backend.search(search_request(shape, q, units, status))
        self.estimates += page.estimated
        return page.total

    def cpu_s(self) -> float:
        """This process's CPU plus the server process serving our (pooled, reused) connection, when it runs
        on this machine."""
        own = time.process_time()
        try:
            with open(f"/proc/{self._server_pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            return own + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return own

    def size_mb(self) -> float:
        with self.backend._transaction() as cur:
            cur.execute("SELECT pg_total_relation_size(%s)", [self.backend.options.table])
            return cur.fetchone()[0] / 1e6

    def close(self) -> None:
        self.backend.close()


class Baseline:
    """Bare Whoosh (StandardAnalyzer schema, one writer): does the least each shape needs."""

    label = "baseline"

    def __init__(self, path: str) -> None:
        from whoosh import fields, index

        self.path = path
        self.ix = index.create_in(path, fields.Schema(
            id=fields.ID(stored=True, unique=True), number=fields.STORED(), status=fields.ID(stored=True),
            unit_id=fields.ID(stored=True), kind=fields.ID(stored=True), channel=fields.ID(stored=True),
            year=fields.ID(stored=True), body=fields.TEXT(stored=True), private=fields.TEXT()))

    def index(self, docs: Iterable[dict], total: int) -> None:
        writer = self.ix.writer(limitmb=256)
        for doc in progress(docs, self.label, total):
            writer.add_document(
                id=doc["id"], number=doc["number"], status=doc["status"], unit_id=doc["unit_id"],
                kind=doc["kind"], channel=doc["channel"], year=str(doc["created"].year),
                body=doc["title"] + "\n" + "\n\n".join(doc["text"]), private=" ".join(doc["private"]))
        writer.commit()

    def open(self) -> None:
        from whoosh.qparser import QueryParser

        self.searcher = self.ix.searcher()
        self.parser = QueryParser("body", self.ix.schema)

    def run(self, shape: str, q: str, units: list[str], status: str) -> int:
        from whoosh import query as wq
        from whoosh import sorting

        parsed = self.parser.parse(q)
        if shape == "filtered":
            flt = wq.And([wq.Or([wq.Term("unit_id", u) for u in units]), wq.Term("status", status)])
            results = self.searcher.search(parsed, filter=flt, limit=20)
        elif shape == "faceted+hl":
            facets = {name: sorting.FieldFacet(name) for name in ("status", "unit_id", "kind", "channel", "year")}
            results = self.searcher.search(parsed, limit=20, groupedby=facets)
            for name in facets:
                results.groups(name)
            for hit in results:
                hit.highlights("body")
        else:
            results = self.searcher.search(parsed, limit=20)
        return len(results)

    def cpu_s(self) -> float:
        return time.process_time()

    def size_mb(self) -> float:
        return dir_size_mb(self.path)

    def close(self) -> None:
        self.searcher.close()


def cjk_recall(backend) -> dict[str, tuple[float, float]]:
    """{"before"|"after": (recall, precision)} of the Chinese recall list on ``backend`` (an empty index of
    its own): "before" is the typed word's own terms in the text field alone (what the index matched without
    the CJK fallback field), "after" the full query."""
    backend.index_documents(documents())
    before: dict[str, set[str]] = {}
    after: dict[str, set[str]] = {}
    for word, _text in PAIRS:
        before[word] = _word_terms_only(backend, analyze(word))
        after[word] = {hit.id for hit in backend.search(SearchRequest(query=word, per_page=100)).hits}
    return {"before": recall_precision(before), "after": recall_precision(after)}


def _word_terms_only(backend, terms: list[str]) -> set[str]:
    node = ("and", [("term", "text", term, True) for term in terms])
    if isinstance(backend, WhooshBackend):
        with backend._reading() as view:
            return {view.searcher.stored_fields(d)["id"] for d in view.evaluator.docs(node)}
    from psycopg import sql

    from search_index.postgres_query import as_sql, translate

    where = as_sql(translate(node))
    with backend._transaction() as cur:
        cur.execute(sql.SQL("SELECT id FROM {t} WHERE {w}").format(
            t=sql.Identifier(backend.options.table), w=where.fragment), where.params)
        return {row[0] for row in cur}
