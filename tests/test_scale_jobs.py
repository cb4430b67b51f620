"""Many workers: periodic tasks once per period, each outbox item handled by one drain, a worker killed
mid-way whose work is done once by the next, and rate limits shared by app instances through Redis."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
import redis
from flask import Flask
from huey import crontab
from sqlalchemy import func, select

from cases import outbox
from cases.db import make_engine, upgrade
from cases.models import Case, OutboxItem
from search_index.postgres_backend import libpq_url
from tests.servers.app_processes import app_env, kill_group, start_worker, stop
from tests.servers.scale_apps import app_builder
from tests.servers.freeport import wait_until
from tests.test_web_flow import letter_form, submit_letter
from web.tasks.queue import drain, register_outbox_handler
from web.search_wiring import backend, check
from web.app_state import state


@pytest.fixture()
def build(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Callable[..., Flask]]:
    """Apps on a copy of the migrated SQLite file, or on the ``DATABASE_URL`` given."""
    with app_builder(tmp_path, migrated_sqlite) as factory:
        yield factory


def migrated_postgres(fresh_postgres_database: Callable[[], str]) -> str:
    url = fresh_postgres_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.mark.parametrize("storage", ["redis", "sqlite"])
def test_periodic_tasks_run_once_per_period_however_many_consumers(build, request, tmp_path: Path,
                                                                   storage: str) -> None:
    name = f"scale-{uuid.uuid4().hex[:8]}"
    queue = ({"REDIS_URL": request.getfixturevalue("redis_url")} if storage == "redis"
             else {"HUEY_SQLITE_PATH": str(tmp_path / "jobs.db")})
    apps = [build(HUEY_IMMEDIATE=False, HUEY_NAME=name, **queue) for _ in range(2)]
    runs: list[str] = []
    for app in apps:  # two consumers (two machines) with the same tasks on one queue
        @state(app).huey.periodic_task(crontab(minute="*"), name="count_runs")
        def count_runs() -> None:
            runs.append("run")

    def tick(moment: datetime) -> list[str]:
        """What every consumer's scheduler does at ``moment``; then workers run the queue empty."""
        offered = []
        for app in apps:
            for task in state(app).huey.read_periodic(moment):
                offered.append(task.name)
                state(app).huey.enqueue(task)
        huey = state(apps[1]).huey
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
        return offered

    first = tick(datetime(2026, 3, 4, 3, 7))
    assert runs == ["run"] and first.count("count_runs") == 1
    assert first.count("drain_all_outboxes") == 1  # the app's own periodic tasks too
    assert tick(datetime(2026, 3, 4, 3, 7)) == [] and runs == ["run"]  # a late scheduler in the same minute
    tick(datetime(2026, 3, 4, 3, 8))
    assert runs == ["run", "run"]


def test_concurrent_drains_hand_each_item_to_one_of_them(build, fresh_postgres_database) -> None:
    url = migrated_postgres(fresh_postgres_database)
    apps = [build(DATABASE_URL=url) for _ in range(2)]
    handled: list[list[int]] = [[], []]
    both_inside = threading.Barrier(2, timeout=20)

    for index, app in enumerate(apps):
        def handler(app: Flask, session, items, index: int = index) -> list[int]:
            if not handled[index]:
                both_inside.wait()  # both drains hold a batch at the same moment
            handled[index].extend(int(item.key) for item in items)
            return [item.id for item in items]

        register_outbox_handler(app, "scale_test", handler)
    with state(apps[0]).sessions() as session:
        for key in range(40):
            outbox.enqueue(session, "scale_test", str(key))
        session.commit()
    threads = [threading.Thread(target=drain, args=(app, "scale_test", 10)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert handled[0] and handled[1]
    assert sorted(handled[0] + handled[1]) == list(range(40))  # each once, none missed
    with state(apps[0]).sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.done_at.is_(None))) == 0


def test_a_worker_killed_mid_way_is_taken_over_and_its_work_done_once(build, fresh_postgres_database,
                                                                       redis_url: str, tmp_path: Path) -> None:
    url = migrated_postgres(fresh_postgres_database)
    settings = {"DATABASE_URL": url, "SEARCH_URL": url, "REDIS_URL": redis_url,
                "HUEY_NAME": f"kill-{uuid.uuid4().hex[:8]}", "SECRET_KEY": "test-secret"}
    web = build(HUEY_IMMEDIATE=False, **settings)
    index = backend(web)  # creates the search table
    env = app_env(tmp_path / "worker-instance", {**settings, "SEARCH_WRITER_TIMEOUT": 120})
    log = tmp_path / "worker.log"
    blocker = psycopg.connect(libpq_url(url))
    first = start_worker(env, log)
    second = third = None
    try:
        # The index is busy (another writer holds its table) when a letter arrives: the worker that takes the
        # job claims the outbox item and waits, mid-way, inside its index write.
        blocker.execute(f"LOCK TABLE {index.options.table} IN EXCLUSIVE MODE")
        number, _ = submit_letter(web.test_client())

        def waiting_writers() -> int:
            with psycopg.connect(libpq_url(url), autocommit=True) as conn:
                return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                    "AND query LIKE 'INSERT INTO%%'").fetchone()[0]

        assert wait_until(lambda: waiting_writers() == 1, timeout=60, interval=0.1), log.read_text()[-3000:]
        kill_group(first)
        blocker.rollback()  # the outage ends; the killed worker's half-done write must not land
        second, third = start_worker(env, log), start_worker(env, log)  # restarted, and one more

        def pending() -> int:
            with state(web).sessions() as session:
                return session.scalar(select(func.count()).select_from(OutboxItem).where(
                    OutboxItem.topic == outbox.INDEX_CASE, OutboxItem.done_at.is_(None)))

        assert wait_until(lambda: pending() == 0, timeout=60, interval=0.1), log.read_text()[-3000:]
        with state(web).sessions() as session:
            items = session.scalars(select(OutboxItem).where(OutboxItem.topic == outbox.INDEX_CASE)).all()
            case_id = session.scalar(select(Case.id).where(Case.number == number))
        assert len(items) == 1 and items[0].done_at is not None and items[0].key == str(case_id)
        assert check(web) == {"missing": [], "stale": [], "extra": []}
        with psycopg.connect(libpq_url(url)) as conn:
            rows = conn.execute(f"SELECT count(*), min(number) FROM {index.options.table}").fetchone()
        assert rows == (1, number)
    finally:
        blocker.close()
        for proc in (first, second, third):
            if proc is not None:
                stop(proc)
        index.close()


def test_app_instances_share_the_letter_rate_limit_through_redis(build, redis_url: str) -> None:
    shared = {"RATELIMIT_STORAGE_URI": redis_url, "LETTER_RATE_LIMIT": "3 per minute"}
    apps = [build(**shared) for _ in range(2)]
    # A citizen address of this test only, so counts left in the session's Redis by others do not matter.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    statuses = []
    for attempt in range(5):
        client = apps[attempt % 2].test_client()
        response = client.post("/write", data=letter_form(subject=f"Letter {attempt}"),
                               content_type="multipart/form-data", environ_base={"REMOTE_ADDR": address})
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert redis.Redis.from_url(redis_url).keys(f"*{address}*")  # the counter lives in Redis, not in a process


@pytest.mark.parametrize("storage", ["redis", "sqlite"])
def test_kicks_coalesce_into_one_queued_drain_until_it_starts(build, request, tmp_path: Path, storage: str) -> None:
    from web.tasks.queue import kick

    queue = ({"REDIS_URL": request.getfixturevalue("redis_url")} if storage == "redis"
             else {"HUEY_SQLITE_PATH": str(tmp_path / "jobs.db")})
    app = build(HUEY_IMMEDIATE=False, HUEY_NAME=f"kick-{uuid.uuid4().hex[:8]}", **queue)
    huey = state(app).huey
    with app.app_context():
        for _ in range(5):
            kick()  # five commits in a burst
        assert huey.pending_count() == 1
        huey.execute(huey.dequeue())  # the drain starts: the next commit needs a drain of its own
        kick()
        kick()
        assert huey.pending_count() == 1
