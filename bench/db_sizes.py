"""Sizes of a PostgreSQL database's tables and indexes (``pg_total_relation_size``), for ``docs/scaling.md``.

Printed per table: rows (the planner's estimate after ``ANALYZE``), the table itself (with its TOAST), each
index, the total, and bytes per case, largest first.
"""
from __future__ import annotations

from sqlalchemy import Engine, text

MB = 1024 * 1024


def sizes(engine: Engine) -> list[tuple[str, int, int, int, list[tuple[str, int]]]]:
    """(table, rows, table bytes, total bytes, [(index, bytes)]) for every table of the public schema, largest
    first."""
    with engine.connect() as connection:
        tables = connection.execute(text(
            "SELECT c.relname, greatest(c.reltuples, 0)::bigint, pg_table_size(c.oid), pg_total_relation_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 4 DESC")).all()
        indexes = connection.execute(text(
            "SELECT t.relname, i.relname, pg_relation_size(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' ORDER BY 3 DESC")).all()
    return [(name, rows, table, total, [(index, size) for owner, index, size in indexes if owner == name])
            for name, rows, table, total in tables]


def print_sizes(engine: Engine, cases: int) -> None:
    """Print the tables holding at least 1 MB, with their indexes, and the database's total per case."""
    found = sizes(engine)
    grand = sum(total for _name, _rows, _table, total, _indexes in found)
    print(f"{'table / index':44s} {'rows':>10s} {'MB':>9s} {'bytes/case':>10s}")
    for name, rows, table, total, indexes in found:
        if total < MB:
            continue
        print(f"{name:44s} {rows:10d} {total / MB:9.1f} {total / max(cases, 1):10.0f}")
        print(f"{'  (table and TOAST)':44s} {'':10s} {table / MB:9.1f} {table / max(cases, 1):10.0f}")
        for index, size in indexes:
            print(f"  {index:42s} {'':10s} {size / MB:9.1f} {size / max(cases, 1):10.0f}")
    print(f"{'all tables':44s} {'':10s} {grand / MB:9.1f} {grand / max(cases, 1):10.0f}", flush=True)
