"""PostgreSQL search past its exact-count bound: the total and facets are estimates from a hash sample of the
matches (flagged, within a stated tolerance of the true count, never counting another unit's case), only the
sample's rows are read, and the documented order is kept exactly through windows of the ``created`` index."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql

from search_index import SearchRequest, WhooshBackend
from search_index.postgres_backend import PostgresBackend, PostgresOptions, prefer_bitmap_scans
from search_index.postgres_query import ROW_COLUMNS, table_row
from search_index.postgres_window import EPOCH
from search_index.schema import to_fields
from tests.conftest import login
from tests.helpers.search_backends import make_doc, open_test_backend, recorded_statements
from web.app_state import state
from web.search_wiring import backend

pytestmark = pytest.mark.postgres

CORPUS = 3000
BOUND = 50
SAMPLE = 1000
# A sample of about SAMPLE matches: relative standard error about 1/sqrt(1000) = 3 %; four of them allowed.
TOLERANCE = 0.13


def corpus_doc(i: int) -> dict:
    """Every other letter is about a pothole, every third about noise, every 100th about a bench; some have no
    creation time (they sort as if created at the epoch); creation times spread over three years with ties."""
    words = ["pothole" if i % 2 == 0 else "", "noise" if i % 3 == 0 else "", "bench" if i % 100 == 7 else ""]
    created = None if i % 97 == 5 else dt.datetime(2023, 1, 1) + dt.timedelta(hours=(i * 7919) % 26000)
    return make_doc(i, created=created, text=[" ".join(w for w in words if w) or "nothing", "thanks"])


DOCS = [corpus_doc(i) for i in range(CORPUS)]


def matching(word: str, unit: str | None = None) -> list[dict]:
    return [d for d in DOCS if word in d["text"][0] and (unit is None or d["unit_id"] == unit)]


@pytest.fixture(scope="module")
def bounded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresBackend]:
    b = open_test_backend("postgres", request, tmp_path_factory, exact_count_bound=BOUND, sample_rows=SAMPLE,
                          rank_candidates=30)
    b.index_documents(DOCS)
    b.optimize()  # the planner's statistics, as after a rebuild
    yield b
    b.close()


@pytest.fixture(scope="module")
def exact(bounded: PostgresBackend) -> Iterator[PostgresBackend]:
    """The same table, counted and ordered without any bound."""
    b = PostgresBackend(bounded._pool.conninfo, replace(bounded.options, exact_count_bound=10 ** 9))
    yield b
    b.close()


@pytest.fixture(scope="module")
def small_sample(bounded: PostgresBackend) -> Iterator[PostgresBackend]:
    """The same table, estimating from samples of about 150 matches (for results of a few hundred)."""
    b = PostgresBackend(bounded._pool.conninfo, replace(bounded.options, sample_rows=150))
    yield b
    b.close()


def close_to(estimate: int, truth: int, tolerance: float = TOLERANCE) -> bool:
    return abs(estimate - truth) <= tolerance * truth


def test_counts_beyond_the_bound_are_flagged_estimates_close_to_the_truth(bounded: PostgresBackend) -> None:
    for word in ("pothole", "noise"):
        page = bounded.search(SearchRequest(query=word))
        truth = matching(word)
        assert page.estimated and len(truth) > BOUND
        assert close_to(page.total, len(truth)), (word, page.total, len(truth))
        for facet, key in (("status", "status"), ("unit", "unit_id"), ("channel", "channel")):
            true_counts = Counter(d[key] for d in truth)
            assert set(page.facets[facet]) == set(true_counts)
            for value, n in true_counts.items():
                assert abs(page.facets[facet][value] - n) <= 2 * TOLERANCE * n, (word, facet, value)
    rare = bounded.search(SearchRequest(query="bench"))
    assert not rare.estimated and rare.total == len(matching("bench")) <= BOUND


def test_whoosh_never_estimates(tmp_path_factory: pytest.TempPathFactory) -> None:
    whoosh = WhooshBackend(str(tmp_path_factory.mktemp("index")))
    try:
        whoosh.index_documents(DOCS[:200])
        page = whoosh.search(SearchRequest(query="pothole"))
        assert page.total == len([d for d in DOCS[:200] if "pothole" in d["text"][0]])
        assert page.estimated is False
    finally:
        whoosh.close()


def test_an_estimate_counts_only_the_units_own_cases(small_sample: PostgresBackend) -> None:
    # A sample of about 150: relative standard error about 8 %; four of them allowed.
    tolerance = 0.33
    other = matching("pothole", "u1")[0]["id"]
    for cases in ((), (other,)):
        page = small_sample.search(SearchRequest(query="pothole", restrict_unit_ids=["u0"], restrict_case_ids=cases,
                                            per_page=100))
        own = matching("pothole", "u0")
        assert page.estimated and close_to(page.total, len(own) + len(cases), tolerance)
        assert set(page.facets["unit"]) <= {"u0", *(["u1"] if cases else [])}
        assert {h.unit_id for h in page.hits if h.id not in cases} == {"u0"}
    closed = small_sample.search(SearchRequest(query="pothole", restrict_unit_ids=["u2"], filters={"status": "closed"}))
    truth = [d for d in matching("pothole", "u2") if d["status"] == "closed"]
    assert closed.estimated and close_to(closed.total, len(truth), tolerance)
    assert set(closed.facets["unit"]) == {"u2"} and set(closed.facets["status"]) == {"closed"}


def _plans(backend: PostgresBackend, statements: list[tuple[str, list]]) -> list[tuple[str, dict]]:
    plans = []
    with backend._transaction() as cur:
        prefer_bitmap_scans(cur)
        for text, params in statements:
            if text.lstrip().upper().startswith("SELECT") and "pg_class" not in text:
                cur.execute(sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + sql.SQL(text), params)
                plan = cur.fetchone()[0]
                plans.append((text, (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]))
    return plans


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _heap_rows(plan: dict, table: str) -> int:
    """Rows of the search table the plan read from the heap (kept or filtered out)."""
    return sum(n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0) for n in _nodes(plan)
               if n["Node Type"] in ("Bitmap Heap Scan", "Seq Scan", "Index Scan") and n.get("Relation Name") == table)


def test_beyond_the_bound_only_a_sample_and_a_window_of_matches_are_read(small_sample: PostgresBackend) -> None:
    bounded = small_sample
    truth = len(matching("pothole"))
    for sort in ("newest", "relevance", "oldest"):
        with recorded_statements(bounded) as statements:
            page = bounded.search(SearchRequest(query="pothole", sort=sort))
        assert page.estimated
        plans = _plans(bounded, statements)
        for text, plan in plans:
            if "id = ANY" in text:  # the page's own rows, by primary key
                continue
            # The bounded exact pass stops after BOUND + 1 rows; the others read a sample or a window.
            assert _heap_rows(plan, bounded.options.table) < truth / 2, (text, plan, truth)
        sampled = [plan for text, plan in plans if "bucket <" in text]
        assert sampled and any(n["Node Type"] == "BitmapAnd" for plan in sampled for n in _nodes(plan)), sampled
        windowed = [text for text, _plan in plans if "created >=" in text or "created <=" in text]
        assert windowed, [text for text, _plan in plans]


def _expected_order(docs: list[dict], oldest: bool) -> list[str]:
    key = sorted(docs, key=lambda d: d["id"])
    key.sort(key=lambda d: d["created"] or EPOCH, reverse=not oldest)
    return [d["id"] for d in key]


def test_the_order_stays_exact_beyond_the_bound(bounded: PostgresBackend, exact: PostgresBackend) -> None:
    truth = matching("pothole")
    for sort, oldest in (("newest", False), ("oldest", True)):
        expected = _expected_order(truth, oldest)
        for page in (1, 3, 40):
            found = bounded.search(SearchRequest(query="pothole", sort=sort, page=page, per_page=25))
            assert [h.id for h in found.hits] == expected[(page - 1) * 25:page * 25], (sort, page)
    # Relevance: the 30 newest matches by score, then the rest newest first; as the unbounded count orders them.
    for page in (1, 2, 5):
        request = SearchRequest(query="pothole noise", page=page, per_page=20)
        assert [h.id for h in bounded.search(request).hits] == [h.id for h in exact.search(request).hits]
    newest = _expected_order(truth, False)
    ranked = [h.id for h in bounded.search(SearchRequest(query="pothole", per_page=40)).hits]
    assert set(ranked[:30]) == set(newest[:30]) and ranked[30:] == newest[30:40]


def test_an_older_table_gains_the_sample_column_when_opened(request: pytest.FixtureRequest,
                                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    """A search table written before the sample column existed is altered in place on first use."""
    fresh = open_test_backend("postgres", request, tmp_path_factory)
    table = fresh.options.table
    with psycopg.connect(fresh._pool.conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table)))
        conn.execute(sql.SQL("""CREATE TABLE {t} (
                id text PRIMARY KEY, version text NOT NULL, number text, kind text, category text, status text,
                channel text, unit_id text, unit_name text, urgency text, title text, year text,
                created timestamp, updated timestamp, body text NOT NULL DEFAULT '',
                tsv tsvector NOT NULL DEFAULT ''::tsvector, private_tsv tsvector NOT NULL DEFAULT ''::tsvector,
                unit_tsv tsvector NOT NULL DEFAULT ''::tsvector,
                grams_tsv tsvector NOT NULL DEFAULT ''::tsvector)""").format(t=sql.Identifier(table)))
        with conn.cursor() as cur:  # the rows the earlier version wrote: the same columns, without the sample's
            cur.executemany(sql.SQL("INSERT INTO {t} ({c}) VALUES ({v})").format(
                t=sql.Identifier(table), c=sql.SQL(", ").join(map(sql.Identifier, ROW_COLUMNS)),
                v=sql.SQL(", ").join(sql.Placeholder() for _ in ROW_COLUMNS)),
                [table_row(to_fields(d)) for d in DOCS[:400]])
    fresh.close()
    writer = PostgresBackend(fresh._pool.conninfo, PostgresOptions(table=table, exact_count_bound=BOUND,
                                                                   sample_rows=100))
    try:
        with psycopg.connect(fresh._pool.conninfo) as conn:
            columns = {r[0] for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND NOT attisdropped", [table])}
            indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])}
        assert "bucket" in columns and {f"{table}_bucket", f"{table}_status"} <= indexes
        page = writer.search(SearchRequest(query="pothole"))
        assert page.estimated and page.total > BOUND
    finally:
        writer.close()


@pytest.fixture()
def app(app_factory: Callable[..., Flask], fresh_postgres_database: Callable[[], str]) -> Flask:
    return app_factory(SEARCH_URL=fresh_postgres_database())


def test_the_search_page_says_when_counts_are_estimates(app: Flask, client: FlaskClient, demo_data: object) -> None:
    login(client, "clerk")
    exact_page = client.get("/search/?q=&sort=newest").get_data(as_text=True)
    assert re.search(r'id="result-count">\d+ result\(s\)<', exact_page) and "≈" not in exact_page
    assert json.loads(app.test_cli_runner().invoke(args=["search", "", "--json"]).output)["estimated"] is False
    # The same table read by a backend whose exact bound is one case: more than one case matches.
    index = backend(app)
    state(app).search = PostgresBackend(index._pool.conninfo, replace(index.options, exact_count_bound=1,
                                                                      sample_rows=1))
    try:
        for lang, about in (("en", "about "), ("zh", "约 "), ("es", "unos ")):
            page = client.get("/search/?q=&sort=newest", headers={"Accept-Language": lang}).get_data(as_text=True)
            assert re.search(rf'id="result-count">{about}\d+', page), page
            assert 'class="estimate-note"' in page and re.search(r'<span class="count">≈\d+</span>', page)
        runner = app.test_cli_runner()
        assert json.loads(runner.invoke(args=["search", "", "--json"]).output)["estimated"] is True
        assert re.search(r"^about \d+ result\(s\)$", runner.invoke(args=["search", ""]).output, re.M)
    finally:
        state(app).search.close()
        state(app).search = index
