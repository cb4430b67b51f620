"""Writing a whole stream of documents into the PostgreSQL search table at once (a rebuild).

Row-by-row upserts keep four GIN indexes up to date per letter, and building the vectors (jieba, stemming) is
Python work of about 2 ms a letter: a million letters took hours that way. Here the vectors are built in
worker processes, the rows are COPYed into a fresh table without indexes, the indexes are built once at the
end, and the fresh table replaces the live one in the same transaction. Searches keep reading the live table
until that commit; writers wait on its lock (up to ``writer_timeout``, then they retry later, as with
Whoosh's writer lock).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from itertools import islice
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

import psycopg
from psycopg import sql

from search_index.errors import IndexUnavailableError, SearchIndexError
from search_index.postgres_query import ROW_COLUMNS, table_row
from search_index.schema import to_fields

if TYPE_CHECKING:
    from search_index.postgres_backend import PostgresBackend

CHUNK = 200  # documents per task sent to a worker process
SERIAL_DOCS = 2000  # documents built in this process before worker processes are worth starting


def build_rows(docs: list[Mapping[str, Any]]) -> list[tuple]:
    """The table rows of ``docs`` (run in a worker process)."""
    return [table_row(to_fields(doc)) for doc in docs]


def _chunks(docs: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    it = iter(docs)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def _row_batches(docs: Iterable[Mapping[str, Any]], processes: int) -> Iterator[list[tuple]]:
    """Rows of ``docs`` in their order, built in ``processes`` worker processes once the stream proves long;
    at most two tasks per process are in flight, so memory stays flat whatever the stream's length."""
    chunks = _chunks(docs)
    seen = 0
    for chunk in chunks:
        yield build_rows(chunk)
        seen += len(chunk)
        if seen >= SERIAL_DOCS and processes > 1:
            break
    else:
        return
    # spawn, not fork: the parent holds open database connections a forked child must not share.
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(build_rows, (chunk,)))
            if len(pending) >= 2 * processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def bulk_load(backend: PostgresBackend, docs: Iterable[Mapping[str, Any]],
              on_progress: Callable[[int], None] | None = None, every: int = 500) -> int:
    """Insert or replace ``docs`` by id (last occurrence wins; documents already indexed and not in the
    stream stay), as :meth:`PostgresBackend.index_documents` would, in one transaction; returns how many
    documents were read. A malformed document raises :class:`DocumentError` and nothing is written."""
    if on_progress is not None and (not isinstance(every, int) or every < 1):
        raise SearchIndexError("every must be a positive integer")
    name = backend.options.table
    live, build = sql.Identifier(name), sql.Identifier(f"{name}_build")
    processes = backend.options.build_processes or os.cpu_count() or 1
    read = reported = 0
    with backend._transaction(write=True) as cur:
        # Writers wait from here; readers go on reading the live table until the swap.
        cur.execute(sql.SQL("LOCK TABLE {t} IN SHARE ROW EXCLUSIVE MODE").format(t=live))
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {b}").format(b=build))
        cur.execute(backend.table_statement(f"{name}_build"))
        # No key while copying: a repeated id is settled after the copy (its last occurrence wins).
        cur.execute(sql.SQL("ALTER TABLE {b} DROP CONSTRAINT {k}").format(
            b=build, k=sql.Identifier(f"{name}_build_pkey")))
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in ROW_COLUMNS)
        with cur.copy(sql.SQL("COPY {b} ({c}) FROM STDIN").format(b=build, c=columns)) as copy:
            for rows in _row_batches(docs, processes):
                for row in rows:
                    copy.write_row(row)
                    read += 1
                    if on_progress is not None and read - reported == every:
                        on_progress(every)
                        reported = read
        _finish(cur, backend, live, build)
    if on_progress is not None and read > reported:
        on_progress(read - reported)
    return read


def _finish(cur: psycopg.Cursor, backend: PostgresBackend, live: sql.Identifier, build: sql.Identifier) -> None:
    """Keep the last copy of each id, add the live rows the stream did not replace, build the indexes and
    put the built table in the live one's place under its name and index names."""
    name = backend.options.table
    # COPY appends in stream order to a fresh heap, so the highest ctid of an id is its last occurrence.
    cur.execute(sql.SQL("DELETE FROM {b} a USING {b} z WHERE a.id = z.id AND a.ctid < z.ctid").format(b=build))
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in ROW_COLUMNS)
    cur.execute(sql.SQL("INSERT INTO {b} ({c}) SELECT {c} FROM {t} t WHERE NOT EXISTS "
                        "(SELECT 1 FROM {b} b WHERE b.id = t.id)").format(b=build, t=live, c=columns))
    cur.execute(sql.SQL("ALTER TABLE {b} ADD CONSTRAINT {k} PRIMARY KEY (id)").format(
        b=build, k=sql.Identifier(f"{name}_build_pkey")))
    cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in backend.index_statements(f"{name}_build"):
        cur.execute(statement)
    try:
        cur.execute(sql.SQL("LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE").format(t=live))
    except psycopg.errors.LockNotAvailable as exc:
        raise IndexUnavailableError("searches held the search table too long to swap in the rebuilt one") from exc
    cur.execute(sql.SQL("DROP TABLE {t}").format(t=live))
    cur.execute(sql.SQL("ALTER TABLE {b} RENAME TO {t}").format(b=build, t=live))
    cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
                [name, f"{name}\\_build\\_%"])
    for (index,) in cur.fetchall():
        cur.execute(sql.SQL("ALTER INDEX {i} RENAME TO {n}").format(
            i=sql.Identifier(index), n=sql.Identifier(name + index[len(name) + len("_build"):])))
    cur.execute(sql.SQL("ANALYZE {t}").format(t=live))
