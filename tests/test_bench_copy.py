"""The benchmarks' fast PostgreSQL load (``bench/copy_load.py``) writes the rows SQLAlchemy's insert writes, and
leaves every index and key as the migrations made them."""
from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from psycopg import sql as psql
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bench.copy_load import copy_rows, indexes_after
from bench.dashboard_data import TABLES, batches, setup
from cases.db import make_engine
from cases.models import Case, Citizen, Letter
from tests.servers.postgres import PostgresServer, drop_database, unique_database_name

pytestmark = pytest.mark.postgres


@pytest.fixture()
def migrated(postgres_server: PostgresServer, postgres_template: str,
             request: pytest.FixtureRequest) -> Iterator[Callable[[], Engine]]:
    """Factory of engines on fresh copies of the migrated template, dropped after the test."""
    made: list[tuple[str, Engine]] = []

    def make() -> Engine:
        name = unique_database_name(request.node.name)
        with psycopg.connect(postgres_server.conninfo(), autocommit=True) as conn:
            conn.execute(psql.SQL("CREATE DATABASE {} TEMPLATE {}").format(psql.Identifier(name),
                                                                           psql.Identifier(postgres_template)))
        engine = make_engine(postgres_server.url(name))
        made.append((name, engine))
        return engine

    yield make
    for name, engine in made:
        engine.dispose()
        drop_database(postgres_server, name)


def _sample(session: Session) -> dict:
    """Units, categories and staff, and the rows of 300 generated cases (with their parts, publications and
    access log rows) plus citizens."""
    office = setup(session)
    session.commit()
    now = datetime(2026, 5, 4, 8, 30, tzinfo=timezone.utc)
    rows = next(batches(300, random.Random(3), office, now))
    rows[Citizen] = [{"id": n, "name": "Ana Ruiz", "phone": f"1380000{n:04d}", "address": "Elm 5"}
                     for n in range(1, 301)]
    for case in rows[Case]:
        case["citizen_id"] = case["id"]
    for n, letter in enumerate(rows[Letter]):
        letter.update(notes=["scanned", "页 2"] if n % 2 else [], sender_email=f"a{n}@example.org" if n % 3 else "")
    return rows


def _definitions(engine: Engine) -> set[tuple[str, ...]]:
    with engine.connect() as connection:
        indexes = connection.execute(text("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"))
        keys = connection.execute(text("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                                       "FROM pg_constraint WHERE connamespace = 'public'::regnamespace"))
        return {tuple(row) for row in indexes} | {tuple(row) for row in keys}


def _contents(engine: Engine, table) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]


def test_copy_writes_what_insert_writes(migrated: Callable[[], Engine]) -> None:
    by_insert, by_copy = migrated(), migrated()
    before = _definitions(by_copy)
    started = datetime.now(timezone.utc)
    tables = [Citizen.__table__, *(model.__table__ for model in TABLES)]
    for engine, load in ((by_insert, "insert"), (by_copy, "copy")):
        with Session(engine) as session:
            rows = _sample(session)
            connection = session.connection()
            if load == "insert":
                for table in tables:
                    connection.execute(insert(table), rows[_model(table)])
            else:
                with indexes_after(connection, tables):
                    for table in tables:
                        assert copy_rows(connection, table, rows[_model(table)]) == len(rows[_model(table)])
            session.commit()
    finished = datetime.now(timezone.utc)
    assert _definitions(by_copy) == before  # every index, unique and foreign key made again as it was
    for table in tables:
        inserted, copied = _contents(by_insert, table), _contents(by_copy, table)
        assert len(copied) == len(inserted) > 0, table.name
        # Creation times default to "now" at the write; every other value is the same.
        names = [column.name for column in table.columns]
        for a, b in zip(inserted, copied):
            for name, x, y in zip(names, a, b):
                if name in ("created_at", "updated_at") and x != y:
                    assert started - timedelta(seconds=1) <= y <= finished, (table.name, name)
                else:
                    assert x == y, (table.name, name, x, y)


def _model(table):  # type: ignore[no-untyped-def]
    return next(model for model in (Citizen, *TABLES) if model.__table__ is table)


def test_a_dangling_key_fails_the_load(migrated: Callable[[], Engine]) -> None:
    engine = migrated()
    with Session(engine) as session:
        connection = session.connection()
        # A partitioned letter table keeps its keys during the load, so the driver's own error comes first.
        with pytest.raises((IntegrityError, psycopg.IntegrityError)):
            with indexes_after(connection, [Letter.__table__]):
                copy_rows(connection, Letter.__table__, [{"case_id": 12345, "channel": "web", "subject": "x"}])
        session.rollback()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM letter")).scalar() == 0


def test_a_partitioned_table_keeps_its_indexes(migrated: Callable[[], Engine]) -> None:
    """An index on a partitioned table is made per partition: the load leaves it, and its keys, as they were."""
    engine = migrated()
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE slices (id int, at timestamptz NOT NULL, case_id int REFERENCES "
                                "case_file (id), PRIMARY KEY (id, at)) PARTITION BY RANGE (at)"))
        connection.execute(text("CREATE TABLE slices_2026 PARTITION OF slices FOR VALUES FROM ('2026-01-01') "
                                "TO ('2027-01-01')"))
        connection.execute(text("CREATE INDEX ix_slices_case_at ON slices (case_id, at)"))
    before = _definitions(engine)
    slices = Table("slices", MetaData(), Column("id", Integer, primary_key=True), Column("at", DateTime(True)),
                   Column("case_id", Integer))
    with Session(engine) as session:
        connection = session.connection()
        with indexes_after(connection, [slices, Letter.__table__]):
            copy_rows(connection, slices, [{"id": 1, "at": datetime(2026, 3, 1, tzinfo=timezone.utc),
                                            "case_id": None}])
        session.commit()
    assert _definitions(engine) == before
