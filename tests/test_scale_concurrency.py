"""Several web processes and workers creating cases at once, on PostgreSQL + Redis + PostgreSQL search:
no two cases share a number, no event or index entry is lost, and the letter limit holds across processes."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from cases import intake
from cases.actors import SYSTEM
from cases.db import make_engine, upgrade
from cases.drafts import Channel, LetterDraft
from cases.models import Case, Event, OutboxItem
from cases.numbering import format_case_number
from tests.servers.app_processes import Citizen, app_env, start_gunicorn, start_worker, stop
from tests.servers.scale_apps import app_builder
from tests.servers.freeport import wait_until
from web.tasks.queue import kick
from web.search_wiring import check
from web.app_state import state

CITIZENS = 5
LETTERS_EACH = 4
WORKER_THREADS = 2
WORKER_LETTERS = 5
LIMIT = 5


@pytest.fixture()
def build(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Callable[..., Flask]]:
    """Apps on a copy of the migrated SQLite file, or on the ``DATABASE_URL`` given."""
    with app_builder(tmp_path, migrated_sqlite) as factory:
        yield factory


def test_web_processes_and_workers_create_cases_at_once(build, fresh_postgres_database, redis_url: str,
                                                        tmp_path: Path) -> None:
    url = fresh_postgres_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = {"DATABASE_URL": url, "SEARCH_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": "test-secret",
                "HUEY_NAME": f"conc-{uuid.uuid4().hex[:8]}", "SESSION_COOKIE_SECURE": False, "PROXY_COUNT": 1,
                "LETTER_RATE_LIMIT": f"{LIMIT} per minute"}
    # In this process: what a mail or scan worker does (cases straight from the domain), on the same queue.
    here = build(HUEY_IMMEDIATE=False, RATELIMIT_STORAGE_URI=redis_url, **settings)
    env = app_env(tmp_path / "instance", settings)
    log = tmp_path / "processes.log"
    web, base = start_gunicorn(env, log, workers=3)
    workers = [start_worker(env, log), start_worker(env, log)]
    try:
        accepted: list[str] = []
        refused: list[int] = []
        lock = threading.Lock()
        prefix = uuid.uuid4().int % 200

        def citizen(i: int, letters: int, address: str) -> None:
            person = Citizen(base, address)
            for n in range(letters):
                status, number = person.write_letter(f"Pothole {i}-{n}", f"A deep pothole at No. {n} Elm Street {i}.")
                with lock:
                    (accepted.append(number) if number else refused.append(status))

        def worker(i: int) -> None:
            for n in range(WORKER_LETTERS):
                with state(here).sessions() as session:
                    draft = LetterDraft(channel=Channel.PAPER, subject=f"Scanned letter {i}-{n}",
                                        body="Street lamp out on Jiefang Road.", sender_name="Li Wei")
                    result = intake.receive(session, state(here).policy, draft, actor=SYSTEM)
                    session.commit()
                    with lock:
                        accepted.append(result.case.number)
                with here.app_context():
                    kick()

        threads = [threading.Thread(target=citizen, args=(i, LETTERS_EACH, f"10.9.{prefix}.{i + 1}"))
                   for i in range(CITIZENS)]
        # One person over the limit: the web processes share one count in Redis, whichever serves the post.
        threads.append(threading.Thread(target=citizen, args=(99, LIMIT + 3, f"10.9.{prefix}.200")))
        threads += [threading.Thread(target=worker, args=(i,)) for i in range(WORKER_THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        expected = CITIZENS * LETTERS_EACH + LIMIT + WORKER_THREADS * WORKER_LETTERS
        assert refused == [429] * 3, log.read_text()[-3000:]
        assert len(accepted) == expected and len(set(accepted)) == expected
        with state(here).sessions() as session:
            numbers = list(session.scalars(select(Case.number)))
            first_events = Counter(session.scalars(select(Event.case_id).where(Event.action == "received")))
            cases = session.scalar(select(func.count()).select_from(Case))
        assert sorted(numbers) == sorted(accepted)
        year = numbers[0][:4]
        assert sorted(numbers) == [format_case_number(int(year), i) for i in range(1, expected + 1)]  # no collision, no gap
        assert len(first_events) == cases and set(first_events.values()) == {1}

        def pending() -> int:
            with state(here).sessions() as session:
                return session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.done_at.is_(None)))

        assert wait_until(lambda: pending() == 0, timeout=60, interval=0.2), log.read_text()[-3000:]
        assert check(here) == {"missing": [], "stale": [], "extra": []}
    finally:
        stop(web)
        for proc in workers:
            stop(proc)
