"""Rate limits hold across web processes with the embedded default (no Redis): real gunicorn processes."""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from tests.servers.app_processes import Citizen, app_env, start_gunicorn, stop

LIMIT = 4


def test_the_tracking_limit_holds_across_two_app_processes(tmp_path: Path, migrated_sqlite: Path) -> None:
    instance = tmp_path / "instance"
    settings = {"SECRET_KEY": "test-secret", "SESSION_COOKIE_SECURE": False, "TRACK_RATE_LIMIT": f"{LIMIT} per hour"}
    env = app_env(instance, settings)  # no REDIS_URL, no RATELIMIT_STORAGE_URI: the embedded default
    shutil.copy(migrated_sqlite, instance / "mailbox.db")
    log = tmp_path / "processes.log"
    first, first_url = start_gunicorn(env, log, workers=1)
    try:
        second, second_url = start_gunicorn(env, log, workers=1)
        try:
            statuses = [Citizen(url).request("/track")[0] for _ in range(LIMIT) for url in (first_url, second_url)]
        finally:
            stop(second)
    finally:
        stop(first)
    assert sorted(statuses) == [200] * LIMIT + [429] * LIMIT, (statuses, log.read_text()[-2000:])


def test_sqlite_file_counters_are_exact_under_threads_and_expire(tmp_path: Path) -> None:
    uri = f"sqlitefile://{tmp_path / 'limits.db'}"
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    fifty = parse("50 per minute")
    allowed: list[bool] = []

    def hammer() -> None:
        other = FixedWindowRateLimiter(storage_from_string(uri))  # another storage object: another connection
        allowed.extend(other.hit(fifty, "somebody") for _ in range(20))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 50 and not limiter.hit(fifty, "somebody")
    assert limiter.hit(fifty, "somebody else")
    stats = limiter.get_window_stats(fifty, "somebody")
    assert stats.remaining == 0 and stats.reset_time > time.time()
    storage = storage_from_string(uri)
    one_second = parse("1 per second")
    assert limiter.hit(one_second, "quick") and not limiter.hit(one_second, "quick")
    key = one_second.key_for("quick")
    with storage._connection() as conn:  # the window is over: the counter starts again
        conn.execute("UPDATE counter SET expires = ? WHERE key = ?", (time.time() - 1, key))
    assert storage.get(key) == 0 and limiter.hit(one_second, "quick")
    storage.clear(key)
    assert storage.get(key) == 0 and storage.check()
