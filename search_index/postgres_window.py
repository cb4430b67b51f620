"""Windows of recent (or early) rows that hold the first matches of a search in creation order.

Finding the newest N of many matches by sorting them all fetches every match from the heap. Instead, from
the estimated share of the table that matches, a window ``created >= edge`` is taken that should hold about
twice N matches: the edge is read from the ``created`` btree by an index-only ``OFFSET`` (no heap), and
PostgreSQL ANDs the window's bitmap with the full-text bitmap, so only the window's matches are fetched and
sorted. A window that comes up short is widened eightfold; the last resort is no window at all, so the order
is always the exact one of the plain query.

The order is ``coalesce(created, epoch)`` then ``id``: a case without a creation time sorts as if created at
the epoch. Windows respect it: a newest-first window never reaches the epoch, and an oldest-first one holds the
cases without a time whenever its edge lies past the epoch.
"""

from __future__ import annotations

import math
from typing import Iterator

import psycopg
from psycopg import sql

from search_index.postgres_query import EPOCH, SqlPart

# A window should hold this many times the matches wanted, so the density's estimate may be off by as much.
MARGIN = 2.0
# Each window that came up short is followed by one this many times wider.
WIDEN = 8


def windows(cur: psycopg.Cursor, table: sql.Identifier, oldest: bool, wanted: int, matches: int,
            rows: int) -> Iterator[SqlPart | None]:
    """Conditions on ``created``, each wider than the last, ending with ``None`` (no window): the caller runs
    its query under each until one yields the ``wanted`` rows. ``matches`` is the (estimated) number of
    matching rows and ``rows`` the table's size; with no estimate of either there is no window."""
    if matches > 0 and rows > 0:
        span = math.ceil(wanted * rows / matches * MARGIN) + 64
        direction = sql.SQL("ASC" if oldest else "DESC")
        while span < rows:
            found = _edge(cur, sql.SQL("SELECT created FROM {t} WHERE created IS NOT NULL ORDER BY created {d} "
                                       "OFFSET %s LIMIT 1").format(t=table, d=direction), span)
            if found is None:
                break
            edge = found[0]
            if oldest:
                yield SqlPart(sql.SQL("(created <= %s OR created IS NULL)" if edge >= EPOCH else "created <= %s"),
                              [edge])
            elif edge > EPOCH:
                yield SqlPart(sql.SQL("created >= %s"), [edge])
            else:
                break
            span *= WIDEN
    yield None


def _edge(cur: psycopg.Cursor, statement: sql.Composed, span: int) -> tuple | None:
    """The row ``span`` entries into the ``created`` index, read by an index-only scan (which the search's
    preference for bitmap scans turns off, so it is turned on for this statement alone)."""
    cur.execute("SELECT current_setting('enable_indexscan'), set_config('enable_indexscan', 'on', true)")
    before = cur.fetchone()[0]
    cur.execute(statement, [span])
    found = cur.fetchone()
    cur.execute("SELECT set_config('enable_indexscan', %s, true)", [before])
    return found


def within(where: SqlPart, window: SqlPart | None) -> SqlPart:
    """``where`` narrowed to ``window`` (unchanged when there is none)."""
    if window is None:
        return where
    return SqlPart(sql.SQL("({}) AND {}").format(where.fragment, window.fragment), [*where.params, *window.params])
