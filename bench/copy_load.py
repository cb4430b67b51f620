"""Loading generated rows into PostgreSQL fast: ``COPY`` instead of ``INSERT``, indexes built after the load.

The benchmarks fill a database with a million cases before they measure anything. Row by row (or a thousand rows
per ``INSERT``) PostgreSQL parses every statement, checks every foreign key with a query per row and inserts into
every index at a random place. Here the rows go through ``COPY ... FROM STDIN`` (psycopg's copy, one stream per
table), and the tables' secondary indexes, unique and foreign-key constraints are dropped first and made again
afterwards from their own definitions (``pg_get_indexdef``, ``pg_get_constraintdef``): one sorted build per
index, one join per foreign key, so a key that does not hold still fails the load.

Each value goes through its column's Python-side default and bind processing, as SQLAlchemy's ``insert`` would
send it (``tests/test_bench_copy.py`` holds the two equal), so the database has the shape the app writes.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Engine, Table

from cases.new_cases import column_defaults


@cache
def _columns(table: Table, dialect: Any, given: frozenset[str]) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """The ``COPY`` statement of ``table`` for rows holding the columns ``given`` (and those with a Python-side
    default), and (column key, bind processor) in its column order."""
    defaulted = set(column_defaults(table, given))
    columns = [c for c in table.columns if c.key in given or c.key in defaulted]
    quote = dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) FROM STDIN"
    return sql, tuple((c.key, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns)


def copy_rows(connection: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write ``rows`` (dicts of column values, the same keys in every row) into ``table`` with one ``COPY``;
    columns a row leaves out get their Python-side default (once per call, as a batch insert shares its creation
    time) or the database's (a serial id). Returns the number of rows."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    given = frozenset(first)
    defaults = column_defaults(table, given)
    sql, fillers = _columns(table, connection.dialect, given)
    written = 0
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(sql) as copy:
            for row in chain((first,), rows):
                copy.write_row([processor(row[key] if key in row else defaults[key]) if processor is not None
                                else (row[key] if key in row else defaults[key]) for key, processor in fillers])
                written += 1
    finally:
        cursor.close()
    return written


@contextmanager
def indexes_after(connection: Connection, tables: Iterable[Table]) -> Iterator[None]:
    """Drop the secondary indexes, unique constraints and foreign keys of ``tables`` (primary keys stay; a
    partitioned table keeps all of its), and make them again from their definitions when the block ends: one
    build per index instead of a million inserts into it, one join per foreign key instead of a lookup per row."""
    # A partitioned table keeps its indexes and keys: an index on it is made per partition (its definition reads
    # "ON ONLY" the parent), and keys that stand in for unique indexes across partitions look them up.
    names = list(connection.exec_driver_sql(
        "SELECT relname FROM pg_class WHERE relname = ANY(%(names)s) AND relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace", {"names": [table.name for table in tables]}).scalars())
    constraints = connection.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype IN ('f', 'u') AND conrelid = ANY(%(names)s::regclass[]) ORDER BY contype DESC, conname",
        {"names": names}).all()
    indexes = connection.exec_driver_sql(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%(names)s::regclass[]) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
        "ORDER BY 1", {"names": names}).all()
    quote = connection.dialect.identifier_preparer.quote
    # Table and index names come quoted as needed (``regclass::text``). Foreign keys go first (``contype DESC``):
    # a unique constraint another table's key points at cannot go before it.
    for table, name, _definition in constraints:
        connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        connection.exec_driver_sql(definition)
    for table, name, definition in reversed(constraints):  # unique constraints before the keys that need them
        connection.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def vacuum_analyze(engine: Engine, tables: list[str]) -> None:
    """``VACUUM (ANALYZE)`` the tables: outside a transaction, on a connection of its own."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute("VACUUM (ANALYZE) " + ", ".join(tables))
        raw.driver_connection.autocommit = False
    finally:
        raw.close()
