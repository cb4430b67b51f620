"""The archive inside the app: outbox-fed indexing, scoped search pages, rebuild and check, similar cases; each
test on both search backends (Whoosh, and PostgreSQL full-text search through ``SEARCH_URL``)."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from cases.models import OutboxItem
from search_index import WhooshBackend
from search_index.postgres_backend import PostgresBackend, libpq_url
from tests.conftest import category_id, login
from tests.helpers.search_backends import BACKENDS
from tests.helpers.web_forms import submit_letter, unit_id
from web.search_wiring import backend, check
from web.app_state import state


@pytest.fixture(params=BACKENDS)
def search_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """The app's search backend: Whoosh in the instance folder (the default), or PostgreSQL full-text search in a
    database of its own on the throwaway server."""
    if request.param == "whoosh":
        return {}
    return {"SEARCH_URL": request.getfixturevalue("fresh_postgres_database")()}


@pytest.fixture()
def app(app_factory: Callable[..., Flask], search_settings: dict[str, str]) -> Flask:
    return app_factory(**search_settings)


@contextmanager
def index_writer_held(app: Flask) -> Iterator[None]:
    """A real outage of the index: another process holds Whoosh's writer lock, or another session holds the
    search table locked."""
    index = backend(app)
    if isinstance(index, PostgresBackend):
        with psycopg.connect(libpq_url(app.config["SEARCH_URL"])) as blocker:
            blocker.execute(f"LOCK TABLE {index.options.table} IN EXCLUSIVE MODE")
            yield
        return
    from whoosh.index import open_dir

    from search_index.schema import INDEX_NAME

    writer = open_dir(app.config["SEARCH_URL"], indexname=INDEX_NAME).writer()
    try:
        yield
    finally:
        writer.cancel()


def dispatch(app: Flask, number: str, unit: str) -> None:
    clerk = app.test_client()
    login(clerk, "clerk")
    clerk.post(f"/cases/{number}/register", data={"kind": "report", "category": 0})
    clerk.post(f"/cases/{number}/dispatch", data={"unit": unit_id(app, unit), "category": category_id(app)})


def pending_index_items(app: Flask) -> int:
    with state(app).sessions() as s:
        return s.scalar(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.topic == "index_case", OutboxItem.done_at.is_(None)))


def test_letters_are_found_in_every_language_and_units_stay_confined(app: Flask, client: FlaskClient,
                                                                     demo_data: object) -> None:
    road, _ = submit_letter(client, subject="道路施工噪音", body="夜间道路施工噪音太大，影响居民休息。")
    bus, _ = submit_letter(client, subject="Autobuses retrasados", body="Los autobuses de la línea 5 llegan tarde.")
    dispatch(app, road, "Housing and Urban-Rural Development Bureau")
    dispatch(app, bus, "Transport Bureau")
    assert pending_index_items(app) == 0  # the worker (inline in tests) drained the outbox after each commit

    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get("/search/?q=噪音").get_data(as_text=True)
    assert road in page and bus not in page and "<mark>" in page
    assert bus in clerk.get("/search/?q=autobus").get_data(as_text=True)  # stemmed and accent-folded
    assert road in clerk.get("/search/?q=Ana+Ruiz").get_data(as_text=True)  # staff search personal data

    transport = app.test_client()
    login(transport, "transport")
    own = transport.get("/search/?q=autobuses OR 噪音").get_data(as_text=True)
    assert bus in own and road not in own
    assert road not in transport.get("/search/?q=Ana+Ruiz").get_data(as_text=True)


def test_bad_queries_get_a_message_beside_the_field(app: Flask, client: FlaskClient, demo_data: object) -> None:
    login(client, "clerk")
    for query in ('"unclosed', "a" * 1001, "(((", "status:", "*" * 50):
        response = client.get("/search/", query_string={"q": query})
        assert response.status_code in (200, 400), query
        html = response.get_data(as_text=True)
        if response.status_code == 400:
            assert 'id="q-error"' in html


def test_facets_narrow_with_one_click(app: Flask, client: FlaskClient, demo_data: object) -> None:
    login(client, "clerk")
    page = client.get("/search/?q=&sort=newest&status=received").get_data(as_text=True)
    assert "2026-" in page
    link = re.search(r'href="(/search/\?[^"]*kind=[^"]*)"', page)
    assert link
    narrowed = client.get(link.group(1).replace("&amp;", "&"))
    assert narrowed.status_code == 200


def test_check_finds_and_repairs_a_damaged_index(app: Flask, demo_data: object) -> None:
    report = check(app)
    assert report == {"missing": [], "stale": [], "extra": []}
    backend(app).delete(["1", "2"])
    damaged = check(app, repair=True)
    assert damaged["missing"] == ["1", "2"]
    assert check(app) == {"missing": [], "stale": [], "extra": []}
    runner = app.test_cli_runner()
    rebuilt = runner.invoke(args=["index", "rebuild"])
    assert rebuilt.exit_code == 0 and "indexed 4 case(s)" in rebuilt.output
    result = json.loads(runner.invoke(args=["index", "check", "--json"]).output)
    assert result["missing"] == [] and result["stale"] == []
    searched = runner.invoke(args=["search", "street light", "--json"])
    assert searched.exit_code == 0, (searched.output, searched.exception)
    found = json.loads(searched.output)
    assert found["total"] >= 1 and found["hits"][0]["number"] == "2026-0000001"


def test_the_app_searches_the_configured_backend(app: Flask, search_settings: dict[str, str]) -> None:
    assert isinstance(backend(app), PostgresBackend if search_settings else WhooshBackend)


def test_index_outage_leaves_work_pending_until_the_worker_runs_again(app_factory: Callable[..., Flask],
                                                                      search_settings: dict[str, str]) -> None:
    from cases import demo
    from web.auth import hasher
    from web.tasks.queue import drain

    app = app_factory(SEARCH_WRITER_TIMEOUT=0.2, **search_settings)
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    drain(app, "index_case")
    with index_writer_held(app):
        number, _ = submit_letter(app.test_client(), subject="Flooded underpass",
                                  body="The underpass floods when it rains.")
        assert pending_index_items(app) == 1
    drain(app, "index_case")
    assert pending_index_items(app) == 0
    clerk = app.test_client()
    login(clerk, "clerk")
    assert number in clerk.get("/search/?q=underpass").get_data(as_text=True)


def test_similar_cases_offer_a_merge(app: Flask, client: FlaskClient, demo_data: object) -> None:
    first, _ = submit_letter(client, subject="Broken street light on Jiefang Road",
                             body="The street light in front of No. 12 Jiefang Road is dark at night.")
    login(client, "clerk")
    page = client.get(f"/cases/{first}").get_data(as_text=True)
    assert "Similar cases" in page and "2026-0000001" in page
    merge = client.post(f"/cases/{first}/merge", data={"main_number": "2026-0000001", "confirm": "y"})
    assert merge.status_code == 302
    assert "merged" in client.get(f"/cases/{first}").get_data(as_text=True)


def test_the_index_drain_indexes_while_a_writer_holds_the_database(app_factory: Callable[..., Flask],
                                                                   search_settings: dict[str, str]) -> None:
    """On SQLite every writer waits for one turn; the index drain claims and reads as a reader, so a writer in
    the middle of its transaction keeps the index from being written no longer (only the done marks wait)."""
    import threading

    from sqlalchemy import update

    from cases import outbox
    from cases.actors import Actor
    from tests.servers.freeport import wait_until
    from web.tasks.queue import drain
    from web.search_wiring import request_for

    app = app_factory(HUEY_IMMEDIATE=False, **search_settings)
    submit_letter(app.test_client(), subject="Streetlight out", body="The streetlight on Elm Street is dark.")
    assert pending_index_items(app) == 1
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with state(app).sessions() as s:
            s.execute(update(OutboxItem).where(OutboxItem.id == -1).values(attempts=0))  # a write transaction
            holding.set()
            release.wait(30)
            s.commit()

    def found() -> bool:
        return backend(app).search(request_for(Actor(None, "admin"), query="streetlight")).total == 1

    done: list[int] = []
    threads = [threading.Thread(target=writer), threading.Thread(target=lambda: done.append(drain(app, outbox.INDEX_CASE)))]
    threads[0].start()
    assert holding.wait(10)
    threads[1].start()
    try:
        assert wait_until(found, timeout=20)  # indexed while the writer still holds its turn
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert done == [1] and pending_index_items(app) == 0


def test_index_check_warns_when_the_whoosh_index_outgrows_its_size(app: Flask, demo_data: object,
                                                                    search_settings: dict[str, str]) -> None:
    runner = app.test_cli_runner()
    count = backend(app).doc_count()
    assert count > 1
    if search_settings:  # PostgreSQL search has no such limit: however small the setting, no warning
        app.config["SEARCH_WHOOSH_MAX_CASES"] = 1
        assert json.loads(runner.invoke(args=["index", "check", "--json"]).stdout)["warnings"] == []
        return
    app.config["SEARCH_WHOOSH_MAX_CASES"] = count
    quiet = runner.invoke(args=["index", "check", "--json"])
    assert quiet.exit_code == 0 and json.loads(quiet.stdout)["warnings"] == []
    assert "warning" not in quiet.stderr

    app.config["SEARCH_WHOOSH_MAX_CASES"] = count - 1
    warned = runner.invoke(args=["index", "check", "--json"])
    assert warned.exit_code == 0
    [warning] = json.loads(warned.stdout)["warnings"]
    assert f"holds {count} cases" in warning and "PostgreSQL" in warning
    plain = runner.invoke(args=["index", "check"])
    assert plain.stdout.startswith("missing: 0") and "SEARCH_WHOOSH_MAX_CASES" in plain.stderr

    app.config["SEARCH_WHOOSH_MAX_CASES"] = 0  # never warn
    assert json.loads(runner.invoke(args=["index", "check", "--json"]).stdout)["warnings"] == []
