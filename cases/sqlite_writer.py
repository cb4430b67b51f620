"""A queue in front of SQLite's write lock, so waiting writers take turns at once instead of sleeping.

Every transaction of ours on SQLite is ``BEGIN IMMEDIATE`` (see ``cases.db``), so transactions of all threads and
processes of the machine take turns on the database's one write lock. SQLite's own busy handler makes a waiting
connection sleep and retry, with sleeps growing to 100 ms: under load a form post waits far longer than the
transaction ahead of it lasts. Here a writer first takes a lock that hands over at once: a ``threading`` lock
between the threads of a process, then an ``flock`` on a file next to the database between processes (released
by the kernel if a process dies). Both waits end after ``WAIT_SECONDS`` with SQLite's own "database is locked"
error, naming the turn that was not given up, so a stuck process cannot stall the others forever. SQLite's lock
stays the guard of correctness; this only orders the queue.

Checkpoints (copying the write-ahead log into the database file, then an fsync) run outside the turn. SQLite's
automatic checkpoint runs inside the COMMIT that fills the log, so every writer of every process waited behind
that one commit's copying and fsync, which makes a stream of form posts wait in line. Here the
automatic one only backs up (``BACKSTOP_PAGES``), and a commit that has ended its turn runs a passive checkpoint
when the process has not run one for ``CHECKPOINT_SECONDS``: other writers go on meanwhile.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from typing import Any

# As long as SQLite's busy timeout would wait before giving up (cases.db), with the same error.
WAIT_SECONDS = 30.0
# How often a process waiting for another process's turn tries the file lock again: a blocking flock cannot
# time out, and these waits are short next to a transaction.
_RETRY_FIRST, _RETRY_MOST = 0.00005, 0.002
CHECKPOINT_SECONDS = 1.0  # how often a process checkpoints after a commit, outside the turn
BACKSTOP_PAGES = 20000  # SQLite's own checkpoint, inside a commit, only if the log grew this long (~80 MB)


class WriterQueue:
    """The turn-taking of one database file among the threads of this process and the processes of the machine."""

    def __init__(self, lock_path: str | None) -> None:
        self.lock_path = lock_path
        self.thread_lock = threading.Lock()
        self.handle: int | None = None
        self.last_checkpoint = time.monotonic()
        # A forked child (gunicorn, Huey workers) must not share the parent's lock file description (an flock
        # belongs to it) nor a thread lock some parent thread held at the fork.
        ref = weakref.WeakMethod(self._after_fork)
        os.register_at_fork(after_in_child=lambda: (method := ref()) and method())

    def _after_fork(self) -> None:
        self.thread_lock = threading.Lock()
        self.handle = None

    def acquire(self, wait: float = WAIT_SECONDS) -> None:
        """Take the turn, or raise SQLite's "database is locked" after ``wait`` seconds."""
        deadline = time.monotonic() + wait
        if not self.thread_lock.acquire(timeout=wait):
            raise sqlite3.OperationalError(
                f"database is locked: another thread of this process kept the write turn for {wait:g} s")
        try:
            if self.lock_path is not None:
                if self.handle is None:
                    self.handle = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                self._lock_file(deadline, wait)
        except BaseException:
            self.thread_lock.release()
            raise

    def _lock_file(self, deadline: float, wait: float) -> None:
        pause = _RETRY_FIRST
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError(
                        f"database is locked: another process kept the write turn ({self.lock_path}) "
                        f"for {wait:g} s") from None
                time.sleep(pause)
                pause = min(pause * 2, _RETRY_MOST)

    def release(self) -> None:
        try:
            if self.handle is not None:
                fcntl.flock(self.handle, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()

    def checkpoint_due(self) -> bool:
        """Whether this process should checkpoint now (then it counts as done, so one thread does it)."""
        now = time.monotonic()
        if now - self.last_checkpoint < CHECKPOINT_SECONDS:
            return False
        self.last_checkpoint = now
        return True


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
        wrote = self._has_turn
        try:
            super().commit()
        finally:
            self.end_turn()
        if wrote and self.queue is not None and self.queue.checkpoint_due():
            try:
                self.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:  # a checkpoint is housekeeping: the next one catches up
                pass

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
