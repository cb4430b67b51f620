"""Engines, sessions and the schema (kept by Alembic migrations from the first table on)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from cases.sqlite_writer import BACKSTOP_PAGES, writer_connection_factory

MIGRATIONS = Path(__file__).with_name("migrations")
# Execution option of a transaction that only reads: on SQLite it begins deferred and takes no write turn
# (``read_only(session)``); a write in it would fail rather than wait its turn.
READ_ONLY = "mailbox_read_only"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout so web and worker share it."""
    if url.startswith("sqlite"):
        factory = writer_connection_factory(make_url(url).database)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False, "factory": factory})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # Checkpoints run after commits, outside the writers' queue (cases.sqlite_writer).
            cur.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
            cur.close()
            # Let SQLAlchemy's begin() issue BEGIN IMMEDIATE so writers queue instead of failing on upgrade.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")  # a reader: no write turn to wait for, and none held
                return
            # Queue for the write lock first (cases.sqlite_writer): waiting writers then go in turn at once.
            dbapi_conn = conn.connection.dbapi_connection
            dbapi_conn.take_turn()
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                dbapi_conn.end_turn()
                raise

        return engine
    return create_engine(url, pool_pre_ping=True)


def read_only(session: Session) -> None:
    """Begin ``session``'s next transaction as a reader: on SQLite it then holds no write turn, so a slow read
    (a niced worker reading hundreds of cases, a thread that loses the CPU mid-read) keeps no writer waiting.
    The reader must end (commit) before the session writes. Does nothing if a transaction is already open."""
    if not session.in_transaction():
        session.connection(execution_options={READ_ONLY: True})


def plan_serially(session: Session) -> None:
    """On PostgreSQL, plan the rest of this transaction without parallel workers: for the dashboard's reads (a
    period's rollup rows, the newest letters of a period), all bounded to tens of thousands of rows, starting a
    worker process costs more CPU than the share of the work it takes over, and on a busy server the query then
    waits for its workers to get a core (measured in ``docs/scaling.md``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def migrate(engine: Engine, command_name: str, *args: Any, **kwargs: Any) -> None:
    """Run one of Alembic's commands (``upgrade``, ``downgrade``, ``current``, ``history``, ``revision``...) on
    ``engine`` with this project's migrations."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(stdout=sys.stdout)  # the caller's output at the time of the call (a CLI runner replaces it)
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, command_name)(cfg, *args, **kwargs)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    migrate(engine, "upgrade", "head")
