"""The total and facet counts of a PostgreSQL search, at a cost bounded by neither the table nor the matches.

Up to ``exact_bound`` matches the counts are exact: one ``GROUPING SETS`` over the matches, read with a
``LIMIT exact_bound + 1`` so a larger result stops there. Beyond it they are estimated from a uniform sample of
the matches: every row has a ``bucket`` (a hash of its id in ``0 .. BUCKETS-1``, with a btree index), so
``WHERE <the query> AND bucket < k`` lets PostgreSQL AND the full-text bitmap with the bucket range and fetch
the sample's rows alone; each count is scaled by ``BUCKETS / k``. ``k`` is chosen so the sample holds about
``sample_rows`` matches, from a first sample sized as if every row matched.

The sample is drawn from the same ``WHERE`` clause as the exact count (unit confinement and filters included),
so an estimate never counts a case the caller may not see.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import psycopg
from psycopg import sql

from search_index.postgres_query import SqlPart, facet_counts_sql, parse_facet_counts

# Buckets of the sample column: 2**16, so a sample can be as small as 1/65536 of the matches.
BUCKETS = 65536
# Fewer sampled matches than this and the sample is drawn again, larger (relative error about 1/sqrt(n)).
MIN_SAMPLE_SHARE = 4
# A first sample scaling to more than this many times the exact bound needs no exact count.
CLEARLY_BEYOND = 3


@dataclass
class Counts:
    """The total and ``{facet: {value: count}}`` of a search; ``estimated`` when both are scaled from a sample."""

    total: int
    facets: dict[str, dict[str, int]]
    estimated: bool = False


def table_rows(cur: psycopg.Cursor, table: sql.Identifier, name: str) -> int:
    """The table's size: the planner's estimate (kept by ANALYZE and autovacuum), or, before the table was
    ever analysed, its rows in 1/1024 of the buckets scaled up (an index-only count)."""
    cur.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [name])
    row = cur.fetchone()
    if row and row[0] is not None and row[0] > 0:
        return int(row[0])
    cur.execute(sql.SQL("SELECT count(*) FROM {t} WHERE bucket < %s").format(t=table), [BUCKETS // 1024])
    return int(cur.fetchone()[0]) * 1024


def count_matches(cur: psycopg.Cursor, table: sql.Identifier, rows: int, where: SqlPart, exact_bound: int,
                  sample_rows: int) -> Counts:
    """Exact counts when at most ``exact_bound`` rows match ``where``, else counts scaled from a sample of
    about ``sample_rows`` matches. ``rows`` is the table's size (:func:`table_rows`), to size the first sample.

    When the planner expects several times ``exact_bound`` matches, a first sample is taken before any exact
    count, and if it confirms them the exact pass (``exact_bound`` rows fetched for nothing) is skipped; when it
    expects fewer, the exact pass comes first and no bitmap is built for a sample."""
    # Each match falls in the sample with probability k / BUCKETS: a sample of sample_rows if every row matched.
    k = min(BUCKETS, max(1, math.ceil(BUCKETS * sample_rows / max(rows, 1))))
    large = rows > exact_bound and _planned_rows(cur, table, where) > exact_bound * CLEARLY_BEYOND
    first = _sample(cur, table, where, k) if large else None
    if first is None or first[1] * BUCKETS / k <= exact_bound * CLEARLY_BEYOND:
        cur.execute(facet_counts_sql(table, where.fragment, limit=exact_bound + 1), [*where.params, exact_bound + 1])
        facets, total = parse_facet_counts(cur.fetchall())
        if total <= exact_bound:
            return Counts(total, facets)
    # More than exact_bound rows match, so k never need exceed this:
    most = min(BUCKETS, math.ceil(BUCKETS * sample_rows / exact_bound))
    if first is None:  # the planner expected fewer matches
        k = min(most, max(1, math.ceil(BUCKETS * sample_rows / max(rows, exact_bound + 1))))
        first = _sample(cur, table, where, k)
    facets, found = first
    while found * MIN_SAMPLE_SHARE < sample_rows and k < most:
        k = min(most, max(2 * k, math.ceil(k * sample_rows / max(found, 1))))
        facets, found = _sample(cur, table, where, k)
    if k >= BUCKETS:
        return Counts(found, facets)
    scale = BUCKETS / k
    # Never below what the exact pass would have seen: more than exact_bound rows match.
    estimate = max(exact_bound + 1, round(found * scale))
    scaled = {name: {value: max(1, round(n * scale)) for value, n in counts.items()}
              for name, counts in facets.items()}
    return Counts(estimate, scaled, estimated=True)


def _planned_rows(cur: psycopg.Cursor, table: sql.Identifier, where: SqlPart) -> float:
    """The planner's estimate of the rows matching ``where`` (planned, not run)."""
    cur.execute(sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM {t} WHERE {w}").format(t=table, w=where.fragment),
                where.params)
    plan = cur.fetchone()[0]
    return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def _sample(cur: psycopg.Cursor, table: sql.Identifier, where: SqlPart, k: int) -> tuple[dict, int]:
    """Facet counts and total of the matches whose bucket is below ``k``."""
    sampled = SqlPart(sql.SQL("({}) AND bucket < %s").format(where.fragment), [*where.params, k])
    cur.execute(facet_counts_sql(table, sampled.fragment), sampled.params)
    return parse_facet_counts(cur.fetchall())
