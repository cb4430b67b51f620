"""What only PostgreSQL full-text search has to show (several processes' writers, open by URL, outages, vectors
built by our analyzer), and the two backends' answers compared query by query. The contract both backends keep is
``test_search_backend``, each test parametrised over both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from search_index import IndexUnavailableError, SearchRequest, WhooshBackend, open_backend
from search_index.postgres_backend import PostgresBackend, PostgresOptions, libpq_url, prefer_bitmap_scans
from search_index.postgres_query import SqlPart, facet_counts_sql, tsvector_literal
from tests.helpers.search_backends import BACKENDS, DOCS, make_doc, open_test_backend


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    b = open_test_backend(request.param, request, tmp_path_factory)
    assert b.index_documents(DOCS) == len(DOCS)
    yield b
    b.close()


@pytest.fixture()
def pg_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    b = open_test_backend("postgres", request, tmp_path_factory, writer_timeout=0.2)
    yield b
    b.close()


@pytest.mark.postgres  # both params: each compares with the other backend
def test_the_same_answers_from_both_backends(backend, tmp_path_factory, request) -> None:
    """Beyond each test's own expectations: totals and facets agree query by query."""
    other_kind = "postgres" if isinstance(backend, WhooshBackend) else "whoosh"
    other = open_test_backend(other_kind, request, tmp_path_factory)
    other.index_documents(DOCS)
    try:
        for query in ["street", "垃圾 OR leak", '"main street"', "thank -street", "status:closed reply",
                      'unit:"roads office"', "calle", "zhangsan3", "", "reparaciones"]:
            for private in (False, True):
                req = SearchRequest(query=query, include_private=private, restrict_unit_ids=["u0", "u1"])
                mine, theirs = backend.search(req), other.search(req)
                assert (mine.total, mine.facets) == (theirs.total, theirs.facets), query
                assert {h.id for h in mine.hits} == {h.id for h in theirs.hits} or mine.total > req.per_page
    finally:
        other.close()


@pytest.mark.postgres
def test_writers_in_other_processes_are_seen_at_once(pg_backend) -> None:
    other = PostgresBackend(libpq_url(pg_backend._pool.conninfo), PostgresOptions(table=pg_backend.options.table))
    try:
        other.index_documents([make_doc(1)])
        assert pg_backend.search(SearchRequest()).total == 1
        other.index_documents([make_doc(2), make_doc(3)])
        assert pg_backend.stored_versions() == {"case-1": "1", "case-2": "1", "case-3": "1"}
    finally:
        other.close()


@pytest.mark.postgres
def test_a_locked_table_is_an_outage_not_a_hang(pg_backend) -> None:
    pg_backend.index_documents([make_doc(1)])
    with psycopg.connect(pg_backend._pool.conninfo) as blocker:
        blocker.execute(f"LOCK TABLE {pg_backend.options.table} IN EXCLUSIVE MODE")
        with pytest.raises(IndexUnavailableError, match="locked"):
            pg_backend.index_documents([make_doc(2)])
        assert pg_backend.search(SearchRequest(query="calle")).total == 1  # readers are not blocked
    pg_backend.index_documents([make_doc(2)])
    assert set(pg_backend.stored_versions()) == {"case-1", "case-2"}


@pytest.mark.postgres
def test_open_backend_by_url(module_postgres_url: str, postgres_server) -> None:
    for url in (module_postgres_url, module_postgres_url.replace("postgresql+psycopg://", "postgresql://")):
        b = open_backend(url)
        assert isinstance(b, PostgresBackend) and b.search(SearchRequest()).total >= 0
        b.close()
    with pytest.raises(IndexUnavailableError, match="cannot connect"):
        open_backend(f"postgresql://nobody@127.0.0.1:{postgres_server.port}/no_such_database")


def test_vectors_are_built_by_our_analyzer_not_the_server_locale() -> None:
    vector = tsvector_literal("垃圾清运 Streets it's")
    assert "'垃圾清运':1" in vector and "'垃圾':1" in vector and "'street':2" in vector and "'it':3" in vector
    assert tsvector_literal("") == ""
    long_text = " ".join(["word"] * 20000)
    assert len(tsvector_literal(long_text).split(",")) == 256  # PostgreSQL's limit of positions per lexeme


@pytest.mark.postgres
def test_relevance_ranks_the_newest_matches_and_pages_the_rest_newest_first(request, tmp_path_factory) -> None:
    # Letters 0..5, newest last; the oldest mention the pothole most, the newest once in a long letter.
    long_tail = " ".join(f"filler{n}" for n in range(60))
    docs = [make_doc(i, created=dt.datetime(2024, 1, 1 + i), text=[" ".join(["pothole"] * (6 - i)) + " "
                                                                     + (long_tail if i >= 3 else "")])
            for i in range(6)]
    newest_first = [f"case-{i}" for i in reversed(range(6))]

    def order(b, per_page: int) -> tuple[list[str], list[int]]:
        ids, totals = [], []
        for page in range(1, 7):
            found = b.search(SearchRequest(query="pothole", per_page=per_page, page=page))
            totals.append(found.total)
            ids += [h.id for h in found.hits]
        return ids, totals

    unbounded = open_test_backend("postgres", request, tmp_path_factory)
    bounded = open_test_backend("postgres", request, tmp_path_factory, rank_candidates=3)
    try:
        for b in (unbounded, bounded):
            b.index_documents(docs)
        by_score, _ = order(unbounded, 6)
        assert set(by_score[:3]) == {"case-0", "case-1", "case-2"}  # the short letters outrank the newer long ones
        ranked = sorted(newest_first[:3], key=by_score.index)
        for per_page in (1, 2, 4, 6):
            ids, totals = order(bounded, per_page)
            assert ids == ranked + newest_first[3:]
            assert set(totals) == {6}
        assert bounded.search(SearchRequest(query="pothole", sort="oldest", per_page=6)).hits[0].id == "case-0"
    finally:
        unbounded.close()
        bounded.close()


@pytest.mark.postgres
def test_counts_read_the_gin_bitmap_not_every_vector(pg_backend) -> None:
    pg_backend.index_documents(DOCS)
    pg_backend.optimize()
    where = SqlPart(sql.SQL("tsv @@ %s::tsquery OR grams_tsv @@ %s::tsquery"), ["'street'", "'垃圾'"])
    with pg_backend._transaction() as cur:
        prefer_bitmap_scans(cur)
        cur.execute(sql.SQL("EXPLAIN ") + facet_counts_sql(pg_backend._table, where.fragment), where.params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "Bitmap Index Scan" in plan and "Seq Scan" not in plan, plan
    found = pg_backend.search(SearchRequest(query="street"))
    assert found.total == len([d for d in DOCS if "Street" in d["text"][0]]) > 0


def _table_rows(backend: PostgresBackend) -> dict[str, tuple]:
    with backend._transaction() as cur:
        cur.execute(sql.SQL("SELECT * FROM {t} ORDER BY id").format(t=sql.Identifier(backend.options.table)))
        return {row[0]: row for row in cur}


def _index_names(backend: PostgresBackend) -> set[str]:
    with backend._transaction() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [backend.options.table])
        return {name for (name,) in cur}


@pytest.mark.postgres
def test_bulk_index_in_worker_processes_writes_what_index_documents_writes(request, tmp_path_factory,
                                                                          monkeypatch) -> None:
    """Past the first documents the vectors are built in worker processes; the table ends up with the same rows
    and the same indexes under the same names as one written with ``index_documents``, run after run."""
    from search_index import postgres_bulk

    monkeypatch.setattr(postgres_bulk, "SERIAL_DOCS", 6)
    monkeypatch.setattr(postgres_bulk, "CHUNK", 4)
    docs = [make_doc(i) for i in range(40)]
    plain = open_test_backend("postgres", request, tmp_path_factory)
    bulk = open_test_backend("postgres", request, tmp_path_factory, build_processes=2)
    try:
        plain.index_documents(docs)
        progress: list[int] = []
        assert bulk.bulk_index(iter(docs), on_progress=progress.append, every=8) == len(docs)
        assert sum(progress) == len(docs)
        assert bulk.bulk_index(iter(docs)) == len(docs)  # a second rebuild finds the names free again
        assert _table_rows(bulk) == _table_rows(plain)
        rename = len(bulk.options.table), len(plain.options.table)
        assert {n[rename[0]:] for n in _index_names(bulk)} == {n[rename[1]:] for n in _index_names(plain)}
        for q in ("垃圾", "street", '"thank you"', "zhangsan7"):
            request_ = SearchRequest(query=q, include_private=True)
            assert ([h.id for h in bulk.search(request_).hits] == [h.id for h in plain.search(request_).hits])
    finally:
        plain.close()
        bulk.close()


@pytest.mark.postgres
def test_searches_read_the_old_table_while_a_rebuild_runs_and_writers_wait(pg_backend) -> None:
    pg_backend.index_documents(DOCS[:5])
    seen: list[int] = []
    writer_refused: list[bool] = []
    other = PostgresBackend(pg_backend._pool.conninfo, PostgresOptions(table=pg_backend.options.table,
                                                                        writer_timeout=0.2))

    def stream() -> Iterator[dict]:
        yield from DOCS
        seen.append(other.search(SearchRequest()).total)
        try:
            other.index_documents([make_doc(90)])
        except IndexUnavailableError:
            writer_refused.append(True)

    try:
        assert pg_backend.bulk_index(stream()) == len(DOCS)
        assert seen == [5] and writer_refused == [True]
        assert other.search(SearchRequest()).total == len(DOCS)
    finally:
        other.close()
