"""Rate-limit counters in a SQLite file (``sqlitefile:///path``): shared by every web process on the machine.

The embedded default. ``memory://`` counts per process, so with several gunicorn workers each one would allow the
whole limit. This storage implements the public ``limits.storage.Storage`` interface for the fixed-window
strategy (Flask-Limiter's default): one row per counter, incremented by a single atomic statement, in its own
file beside the database so that it never waits for the case database's writers. Several machines share limits
through Redis (``RATELIMIT_STORAGE_URI=redis://...``, the default when ``REDIS_URL`` is set).
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from urllib.parse import unquote, urlsplit

from limits.storage import Storage

SWEEP_SECONDS = 60.0
BUSY_TIMEOUT_MS = 5000

_SCHEMA = "CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)"
# A counter whose window is over starts again from this hit; otherwise it grows. One statement: atomic.
_INCR = ("INSERT INTO counter (key, value, expires) VALUES (?1, ?2, ?3 + ?4) ON CONFLICT (key) DO UPDATE SET "
         "value = CASE WHEN counter.expires <= ?3 THEN excluded.value ELSE counter.value + excluded.value END, "
         "expires = CASE WHEN counter.expires <= ?3 THEN excluded.expires ELSE counter.expires END "
         "RETURNING value")


class SQLiteFileStorage(Storage):
    """Fixed-window counters in a SQLite file; a connection per thread (and per process, after a fork)."""

    STORAGE_SCHEME = ["sqlitefile"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        path = unquote(urlsplit(uri or "").path)
        if not path:
            raise ValueError("sqlitefile:// needs a file path, e.g. sqlitefile:///var/lib/mailbox/ratelimits.db")
        self.path = path
        self._local = threading.local()
        self._next_sweep = 0.0
        self._connection().execute(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # counters may lose the last hits in a power cut, no more
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _sweep(self, conn: sqlite3.Connection, now: float) -> None:
        # Expired counters are ignored when read; removing them now and then keeps the file small.
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            conn.execute("DELETE FROM counter WHERE expires <= ?", (now,))

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        conn, now = self._connection(), time.time()
        self._sweep(conn, now)
        return int(conn.execute(_INCR, (key, amount, now, expiry)).fetchone()[0])

    def get(self, key: str) -> int:
        row = self._connection().execute("SELECT value FROM counter WHERE key = ? AND expires > ?",
                                          (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires FROM counter WHERE key = ? AND expires > ?",
                                          (key, time.time())).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))
