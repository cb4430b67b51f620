"""The search contract on both backends: the Whoosh backend's behavioural tests (``test_search_backend``) and
query fuzzing (``test_search_query``) run again with their fixtures parametrised over Whoosh and PostgreSQL,
plus what only a shared database backend has to show (several processes' writers, open by URL, outages)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from search_index import IndexUnavailableError, SearchRequest, WhooshBackend, open_backend
from search_index.postgres_backend import PostgresBackend, PostgresOptions, libpq_url, tsvector_literal
from tests.test_search_backend import (  # noqa: F401 - collected here again, on both backends
    DOCS,
    expected,
    make_doc,
    test_bad_documents_are_refused_and_nothing_is_written,
    test_bad_requests_raise_query_error,
    test_case_ids_widen_the_unit_restriction_never_replace_it,
    test_empty_query_lists_newest_first_within_units,
    test_field_queries,
    test_filters_and_dates,
    test_is_a_search_backend,
    test_suggestions_skip_the_facets_and_find_any_of_the_typed_words,
    test_languages_phrases_and_exclusion,
    test_one_excerpt_per_hit_without_the_title_or_repeated_paragraphs,
    test_private_data_needs_the_flag_and_is_never_shown,
    test_relevance_ranks_the_better_match_first,
    test_similar_cases,
    test_threads_search_while_a_writer_commits,
    test_snippets_are_safe_html_with_marks,
    test_totals_and_facets_cover_the_whole_result_not_the_page,
    test_unit_confinement_is_applied_before_counting,
    test_upsert_versions_delete_and_clear,
)
from tests.test_search_query import test_search_with_fuzzed_queries_never_raises_anything_else  # noqa: F401

BACKENDS = ["whoosh", "postgres"]


def open_test_backend(kind: str, request: pytest.FixtureRequest, tmp_factory: pytest.TempPathFactory,
                      **options) -> PostgresBackend | WhooshBackend:
    """A new, empty backend: a Whoosh folder, or a table of its own in the module's PostgreSQL database."""
    if kind == "whoosh":
        return WhooshBackend(str(tmp_factory.mktemp("index")))
    url = request.getfixturevalue("module_postgres_url")
    return PostgresBackend(url, PostgresOptions(table=f"search_{uuid.uuid4().hex[:12]}", **options))


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    b = open_test_backend(request.param, request, tmp_path_factory)
    assert b.index_documents(DOCS) == len(DOCS)
    yield b
    b.close()


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    b = open_test_backend(request.param, request, tmp_path_factory)
    yield b
    b.close()


@pytest.fixture(scope="module", params=BACKENDS)
def small_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    b = open_test_backend(request.param, request, tmp_path_factory)
    b.index_documents([
        {"id": "1", "version": "1", "status": "open", "unit_id": "u1", "text": "abc xyz 垃圾", "private": "abc"},
        {"id": "2", "version": "1", "status": "closed", "unit_id": "u2", "text": "xyz or and", "private": "xyz"},
    ])
    yield b
    b.close()


@pytest.fixture()
def pg_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    b = open_test_backend("postgres", request, tmp_path_factory, writer_timeout=0.2)
    yield b
    b.close()


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


def test_writers_in_other_processes_are_seen_at_once(pg_backend) -> None:
    other = PostgresBackend(libpq_url(pg_backend._pool.conninfo), PostgresOptions(table=pg_backend.options.table))
    try:
        other.index_documents([make_doc(1)])
        assert pg_backend.search(SearchRequest()).total == 1
        other.index_documents([make_doc(2), make_doc(3)])
        assert pg_backend.stored_versions() == {"case-1": "1", "case-2": "1", "case-3": "1"}
    finally:
        other.close()


def test_a_locked_table_is_an_outage_not_a_hang(pg_backend) -> None:
    pg_backend.index_documents([make_doc(1)])
    with psycopg.connect(pg_backend._pool.conninfo) as blocker:
        blocker.execute(f"LOCK TABLE {pg_backend.options.table} IN EXCLUSIVE MODE")
        with pytest.raises(IndexUnavailableError, match="locked"):
            pg_backend.index_documents([make_doc(2)])
        assert pg_backend.search(SearchRequest(query="calle")).total == 1  # readers are not blocked
    pg_backend.index_documents([make_doc(2)])
    assert set(pg_backend.stored_versions()) == {"case-1", "case-2"}


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
