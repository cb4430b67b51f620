"""The yearly partitions of the event log and the letters on PostgreSQL (migration 0021): creating the coming
years ahead of time, and detaching a year to archive it without a long lock. SQLite has no partitions:
``ensure_years`` does nothing there, and the commands refuse to run.

Layout of each partitioned table ``T`` (time column ``C``): ``T_before`` holds everything before the first
year, ``T_y<YYYY>`` one year each (UTC), ``T_later`` everything after the last year. There is no DEFAULT
partition, because PostgreSQL refuses ``DETACH PARTITION ... CONCURRENTLY`` while one exists; ``T_before`` and
``T_later`` catch any timestamp instead, so an insert never misses a partition.
"""
from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

# The partitioned tables and the time column each is partitioned on.
PARTITIONED = {"event": "at", "letter": "received_at"}
# A partition of one of them (attached or detached and kept): never a table of the models.
PARTITION_NAME = re.compile(r"^(event|letter)_(y\d{4}|before|later)$")
# The models' unique index and constraint on letter that a partitioned table cannot have, and the plain index
# that stands in for the constraint; triggers keep them unique (migration 0021). The foreign key
# attachment.letter_id -> letter.id, kept by triggers too, is matched in ``schema_filter``.
TRIGGER_KEPT = {("letter", "ix_letter_dedup_key"), ("letter", "uq_letter_external_raw"),
                ("letter", "ix_letter_external_raw")}
# How long DDL that needs a strong lock waits for it before giving up (and trying again on the next run).
LOCK_TIMEOUT = "2s"
PROGRESS_BYTES = 64_000_000


@dataclass(frozen=True)
class Partition:
    """One partition of a partitioned table."""

    table: str
    name: str
    year: int | None  # None: the _before or _later catch-all
    rows: int  # the planner's estimate (pg_class.reltuples), -1 if never analysed
    detach_pending: bool


def partition_name(table: str, year: int) -> str:
    """The name of ``table``'s partition for ``year``."""
    return f"{table}_y{year:04d}"


def bound(year: int) -> str:
    """The SQL literal of the first moment of ``year`` (UTC), the bound between two yearly partitions."""
    return f"'{year:04d}-01-01 00:00:00+00'"


def schema_filter(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's ``include_object`` for comparing the models with a schema of ``dialect``: on PostgreSQL, leave
    out the partitions themselves and the unique keys and foreign key that triggers keep on the partitioned
    tables (``TRIGGER_KEPT``); elsewhere compare everything."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if dialect != "postgresql":
            return True
        if type_ == "table":
            return not (reflected and name is not None and PARTITION_NAME.match(name))
        table = getattr(getattr(obj, "table", None), "name", None)
        if type_ == "foreign_key_constraint":
            return not (table == "attachment" and any(e.target_fullname == "letter.id" for e in obj.elements))
        return (table, name) not in TRIGGER_KEPT

    return include_object


def is_partitioned(conn: Connection, table: str) -> bool:
    """Whether ``table`` is a partitioned table here (never on SQLite)."""
    if conn.dialect.name != "postgresql":
        return False
    return conn.execute(text("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(:t)"),
                        {"t": table}).scalar() is True


def partitions(conn: Connection, table: str) -> list[Partition]:
    """``table``'s attached partitions, catch-alls first, then by year."""
    rows = conn.execute(text(
        "SELECT c.relname, c.reltuples::bigint, i.inhdetachpending FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t) ORDER BY c.relname"),
        {"t": table}).all()
    found = []
    for name, estimate, pending in rows:
        suffix = name[len(table) + 1:]
        year = int(suffix[1:]) if suffix.startswith("y") else None
        found.append(Partition(table, name, year, int(estimate), bool(pending)))
    return sorted(found, key=lambda p: (p.year is not None, p.year or 0))


def years(conn: Connection, table: str) -> list[int]:
    """The years that have their own attached partition of ``table``."""
    return [p.year for p in partitions(conn, table) if p.year is not None]


def ensure_years(engine: Engine, through: int) -> dict[str, list[int]]:
    """Give each partitioned table a partition for every year up to ``through``, split off its ``_later``
    catch-all (moving any rows of those years out of it). One short transaction per table; the split detaches
    ``_later`` (a brief ACCESS EXCLUSIVE lock on the table) and gives up after ``LOCK_TIMEOUT`` rather than keep
    others waiting, raising ``sqlalchemy.exc.OperationalError`` (a later run tries again). Returns the years
    created per table; nothing on SQLite."""
    created: dict[str, list[int]] = {}
    for table, column in PARTITIONED.items():
        with engine.begin() as conn:
            if not is_partitioned(conn, table):
                continue
            conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            # One split at a time (this lock conflicts with itself and with a concurrent detach, not with inserts).
            conn.execute(text(f"LOCK TABLE {table} IN SHARE UPDATE EXCLUSIVE MODE"))
            have = years(conn, table)
            last = max(have) if have else datetime.now(timezone.utc).year - 1
            new = list(range(last + 1, through + 1))
            if not new:
                continue
            later = f"{table}_later"
            conn.execute(text(f"ALTER TABLE {table} DETACH PARTITION {later}"))
            for year in new:
                conn.execute(text(f"CREATE TABLE {partition_name(table, year)} PARTITION OF {table} "
                                  f"FOR VALUES FROM ({bound(year)}) TO ({bound(year + 1)})"))
            moved = f"{column} < {bound(through + 1)}"
            conn.execute(text(f"INSERT INTO {table} SELECT * FROM {later} WHERE {moved}"))
            conn.execute(text(f"DELETE FROM {later} WHERE {moved}"))
            conn.execute(text(f"ALTER TABLE {table} ATTACH PARTITION {later} "
                              f"FOR VALUES FROM ({bound(through + 1)}) TO (MAXVALUE)"))
            created[table] = new
    return created


@dataclass(frozen=True)
class Archived:
    """What ``archive_year`` did with one table's year."""

    table: str
    partition: str
    rows: int
    kept: bool
    dump: Path | None


def archive_year(engine: Engine, table: str, year: int, *, keep: bool, dump: Path | None,
                 say: Callable[[str], None] = lambda message: None) -> Archived | None:
    """Detach ``table``'s partition for ``year`` with ``DETACH PARTITION ... CONCURRENTLY`` (inserts and reads of
    the other years go on meanwhile), then write it to ``dump`` (gzipped CSV with a header) if given, and drop it
    unless ``keep``. A detach that was interrupted is finished (``FINALIZE``). Returns None when the table has no
    such partition, attached or detached. ``say`` receives a line per step."""
    name = partition_name(table, year)
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}).scalar()
        attached = {p.name: p for p in partitions(conn, table)}.get(name)
        conn.rollback()
    if not exists:
        return None
    if attached is not None:
        how = "FINALIZE" if attached.detach_pending else "CONCURRENTLY"
        say(f"{table}: detaching {name} ({how}); the other years stay open")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"ALTER TABLE {table} DETACH PARTITION {name} {how}"))
    with engine.connect() as conn:
        rows = int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar() or 0)
        conn.rollback()
    say(f"{table}: {name} detached, {rows} row(s)")
    if dump is not None:
        _dump(engine, name, dump, rows, say)
    if not keep:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE {name}"))
        say(f"{table}: {name} dropped")
    return Archived(table, name, rows, keep, dump)


def _dump(engine: Engine, name: str, path: Path, rows: int, say: Callable[[str], None]) -> None:
    """Write table ``name`` to ``path`` as gzipped CSV with a header row (PostgreSQL's COPY format, read back with
    ``COPY ... FROM ... WITH (FORMAT csv, HEADER)``), reporting progress every ``PROGRESS_BYTES`` of CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        written = reported = 0
        with gzip.open(path, "wb") as out, cursor.copy(f"COPY {name} TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for chunk in copy:
                out.write(chunk)
                written += len(chunk)
                if written - reported >= PROGRESS_BYTES:
                    reported = written
                    say(f"{name}: {written // 1_000_000} MB of CSV written")
        raw.commit()
    finally:
        raw.close()
    say(f"{name}: {rows} row(s) written to {path}")
