"""A queue in front of SQLite's write lock, so waiting writers take turns at once instead of sleeping.

Every transaction of ours on SQLite is ``BEGIN IMMEDIATE`` (see ``cases.db``), so transactions of all threads and
processes of the machine take turns on the database's one write lock. SQLite's own busy handler makes a waiting
connection sleep and retry, with sleeps growing to 100 ms: under load a form post waits far longer than the
transaction ahead of it lasts. Here a writer first takes a lock that hands over at once: a ``threading`` lock
between the threads of a process, then an ``flock`` on a file next to the database between processes (released
by the kernel if a process dies). SQLite's lock stays the guard of correctness; this only orders the queue.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from typing import Any

# As long as SQLite's busy timeout would wait before giving up (cases.db), with the same error.
WAIT_SECONDS = 30.0


class WriterQueue:
    """The turn-taking of one database file among the threads of this process and the processes of the machine."""

    def __init__(self, lock_path: str | None) -> None:
        self.lock_path = lock_path
        self.thread_lock = threading.Lock()
        self.handle: int | None = None
        # A forked child (gunicorn, Huey workers) must not share the parent's lock file description (an flock
        # belongs to it) nor a thread lock some parent thread held at the fork.
        ref = weakref.WeakMethod(self._after_fork)
        os.register_at_fork(after_in_child=lambda: (method := ref()) and method())

    def _after_fork(self) -> None:
        self.thread_lock = threading.Lock()
        self.handle = None

    def acquire(self) -> None:
        if not self.thread_lock.acquire(timeout=WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        try:
            if self.lock_path is not None:
                if self.handle is None:
                    self.handle = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self.handle, fcntl.LOCK_EX)
        except BaseException:
            self.thread_lock.release()
            raise

    def release(self) -> None:
        try:
            if self.handle is not None:
                fcntl.flock(self.handle, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()


class QueuedConnection(sqlite3.Connection):
    """A connection that holds its turn from ``take_turn()`` (called before ``BEGIN IMMEDIATE``) until the
    transaction ends by commit, rollback or close."""

    queue: WriterQueue | None = None  # set per database by writer_connection_factory

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._has_turn = False

    def take_turn(self) -> None:
        if self.queue is not None and not self._has_turn:
            self.queue.acquire()
            self._has_turn = True

    def end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            self.queue.release()  # type: ignore[union-attr]

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()


def writer_connection_factory(database: str | None) -> type[QueuedConnection]:
    """A ``sqlite3.connect(factory=...)`` class whose connections queue for ``database``'s write lock (a file
    path; ``None`` or ``:memory:`` queue within the process only)."""
    on_disk = database not in (None, "", ":memory:")
    queue = WriterQueue(f"{database}.writer-lock" if on_disk else None)
    return type("QueuedConnection", (QueuedConnection,), {"queue": queue})
