"""SQLite writers queue for the write lock (cases.sqlite_writer): they go in turn, and a turn always ends."""
from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from cases.db import make_engine


def _table(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    engine.dispose()


def _write_rows(url: str, who: str, count: int, threads: int) -> None:
    engine = make_engine(url)

    def one_thread(n: int) -> None:
        for i in range(count):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t (who) VALUES (:who)"), {"who": f"{who}-{n}-{i}"})

    workers = [threading.Thread(target=one_thread, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    engine.dispose()


def test_threads_of_several_processes_write_in_turn_without_losing_a_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    _table(url)
    context = multiprocessing.get_context("fork")
    procs = [context.Process(target=_write_rows, args=(url, f"p{p}", 40, 4)) for p in range(3)]
    for proc in procs:
        proc.start()
    _write_rows(url, "parent", 40, 2)
    for proc in procs:
        proc.join(timeout=120)
        assert proc.exitcode == 0
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("SELECT who FROM t"))]
    engine.dispose()
    expected = {f"p{p}-{n}-{i}" for p in range(3) for n in range(4) for i in range(40)}
    expected |= {f"parent-{n}-{i}" for n in range(2) for i in range(40)}
    assert sorted(rows) == sorted(expected)


def test_a_failed_or_abandoned_transaction_gives_its_turn_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    _table(url)
    engine = make_engine(url)
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (who) VALUES ('rolled back')"))
            raise RuntimeError("the view failed")
    # A connection closed in the middle of its transaction (a killed request) ends its turn too.
    conn = engine.connect()
    conn.begin()
    conn.execute(text("INSERT INTO t (who) VALUES ('abandoned')"))
    conn.invalidate()
    conn.close()
    # Another thread gets its turn (were a turn still held, it would wait and fail with "database is locked").
    done: list[str] = []

    def other() -> None:
        with engine.begin() as c:
            c.execute(text("INSERT INTO t (who) VALUES ('next')"))
        done.append("next")

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(timeout=60)
    assert done == ["next"]
    with engine.connect() as c:
        assert [r[0] for r in c.execute(text("SELECT who FROM t"))] == ["next"]
    engine.dispose()


def _in_database_file(path: Path) -> list[str]:
    """The rows of ``t`` in the database file itself, ignoring the write-ahead log: what checkpoints copied."""
    import sqlite3

    conn = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT who FROM t ORDER BY id")]
    finally:
        conn.close()


def test_checkpoints_run_after_the_commit_outside_the_turn(tmp_path: Path) -> None:
    """SQLite's own checkpoint ran inside the COMMIT that filled the log, every writer of every process queued
    behind its copying and fsync; now the log is copied after the commit ends its turn, once per interval."""
    from cases.sqlite_writer import BACKSTOP_PAGES

    path = tmp_path / "ckpt.db"
    url = f"sqlite:///{path}"
    _table(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            dbapi = conn.connection.dbapi_connection
            assert dbapi.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == BACKSTOP_PAGES
            queue = type(dbapi).queue
            turn_held_at_checkpoint = []
            dbapi.set_trace_callback(lambda sql: sql.startswith("PRAGMA wal_checkpoint") and
                                     turn_held_at_checkpoint.append(queue.thread_lock.locked()))
            queue.checkpoint_due()  # a checkpoint just ran: the next commit is not due one
            with conn.begin():
                conn.execute(text("INSERT INTO t (who) VALUES ('first')"))
            assert turn_held_at_checkpoint == [] and "first" not in _in_database_file(path)
            queue.last_checkpoint -= 60  # the interval has passed
            with conn.begin():
                conn.execute(text("INSERT INTO t (who) VALUES ('second')"))
            assert turn_held_at_checkpoint == [False]  # ran, with the turn already handed on
            assert _in_database_file(path) == ["first", "second"]
    finally:
        engine.dispose()


def test_a_read_only_transaction_neither_waits_for_nor_holds_the_write_turn(tmp_path: Path) -> None:
    """The index drain reads its cases as a reader: a niced worker holding the write turn while it read kept every
    letter form waiting whenever the web processes had the CPU."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from cases.db import make_session_factory, read_only

    url = f"sqlite:///{tmp_path / 'ro.db'}"
    _table(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (who) VALUES ('before')"))
        writer_has_turn, reader_done = threading.Event(), threading.Event()

        def writer() -> None:
            with engine.begin() as conn:  # holds the turn until the reader has read
                conn.execute(text("INSERT INTO t (who) VALUES ('uncommitted')"))
                writer_has_turn.set()
                assert reader_done.wait(10)

        thread = threading.Thread(target=writer)
        thread.start()
        assert writer_has_turn.wait(10)
        with Session(engine) as session:
            read_only(session)
            assert list(session.scalars(select(text("who")).select_from(text("t")))) == ["before"]
            assert not session.connection().connection.dbapi_connection._has_turn
            session.commit()
        reader_done.set()
        thread.join(10)
        # The session's next transaction is a writer again, in turn.
        with sessions() as session:
            read_only(session)
            session.commit()
            session.execute(text("INSERT INTO t (who) VALUES ('after')"))
            assert session.connection().connection.dbapi_connection._has_turn
            session.commit()
        with engine.connect() as conn:
            assert [r[0] for r in conn.execute(text("SELECT who FROM t ORDER BY id"))] == [
                "before", "uncommitted", "after"]
    finally:
        engine.dispose()


def test_a_turn_held_by_a_stuck_process_fails_with_a_clear_error(tmp_path: Path) -> None:
    """A process that holds the write turn and never gives it up (stopped, hung) makes the others fail after the
    wait with SQLite's "database is locked", naming the turn, instead of waiting forever."""
    import sqlite3
    import subprocess
    import sys

    from cases.sqlite_writer import WriterQueue

    lock_path = tmp_path / "db.writer-lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()"), str(lock_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        queue = WriterQueue(str(lock_path))
        with pytest.raises(sqlite3.OperationalError, match="another process kept the write turn"):
            queue.acquire(wait=0.3)
        assert queue.thread_lock.acquire(blocking=False)  # the failed wait gave the thread's turn back
        queue.thread_lock.release()
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    queue.acquire(wait=5)  # the holder is gone: the turn is free again
    queue.release()
