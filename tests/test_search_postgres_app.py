"""The archive flows of ``test_search_app`` again with ``SEARCH_URL`` pointing at PostgreSQL full-text search
(the case database is SQLite here; PostgreSQL for both is what ``test_scale_*`` run)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask

from search_index.postgres_backend import PostgresBackend, libpq_url
from tests.conftest import login
from tests.servers.scale_apps import app_builder
from tests.test_search_app import (  # noqa: F401 - collected here again, on the PostgreSQL backend
    pending_index_items,
    test_bad_queries_get_a_message_beside_the_field,
    test_check_finds_and_repairs_a_damaged_index,
    test_facets_narrow_with_one_click,
    test_letters_are_found_in_every_language_and_units_stay_confined,
    test_similar_cases_offer_a_merge,
)
from tests.test_web_flow import submit_letter
from web.search_wiring import backend
from web.app_state import state


@pytest.fixture()
def build(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Callable[..., Flask]]:
    with app_builder(tmp_path, migrated_sqlite) as factory:
        yield factory


@pytest.fixture()
def app(build: Callable[..., Flask], fresh_postgres_database: Callable[[], str]) -> Flask:
    return build(SEARCH_URL=fresh_postgres_database())


def test_the_app_searches_postgresql(app: Flask) -> None:
    assert isinstance(backend(app), PostgresBackend)


def test_index_outage_leaves_work_pending_until_the_worker_runs_again(build, fresh_postgres_database) -> None:
    from cases import demo
    from web.auth import hasher
    from web.tasks.queue import drain

    app = build(SEARCH_URL=fresh_postgres_database(), SEARCH_WRITER_TIMEOUT=0.2)
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    drain(app, "index_case")
    index = backend(app)
    # A real outage: another session holds the search table locked while a letter arrives.
    with psycopg.connect(libpq_url(app.config["SEARCH_URL"])) as blocker:
        blocker.execute(f"LOCK TABLE {index.options.table} IN EXCLUSIVE MODE")
        number, _ = submit_letter(app.test_client(), subject="Flooded underpass",
                                  body="The underpass floods when it rains.")
        assert pending_index_items(app) == 1
    drain(app, "index_case")
    assert pending_index_items(app) == 0
    clerk = app.test_client()
    login(clerk, "clerk")
    assert number in clerk.get("/search/?q=underpass").get_data(as_text=True)
