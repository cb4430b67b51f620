"""The telling words of one case, for :meth:`~search_index.postgres_backend.PostgresBackend.similar`."""

from __future__ import annotations

import math

import psycopg
from psycopg import sql

from search_index.postgres_query import PAIR_MARK, quote_lexeme


def key_terms(cur: psycopg.Cursor, table: sql.Identifier, doc_id: str, wanted: int) -> list[str]:
    """Up to ``wanted`` quoted lexemes of ``doc_id``'s text, weighted by term frequency times rarity in the
    table (words in half the cases or more say nothing about a duplicate); [] if the case is not indexed."""
    cur.execute(sql.SQL(
        "SELECT lexeme, coalesce(array_length(positions, 1), 1) AS tf "
        "FROM {t}, unnest({t}.tsv) WHERE id = %s AND left(lexeme, 1) <> %s "
        "ORDER BY tf DESC, lexeme LIMIT %s").format(t=table), [doc_id, PAIR_MARK, wanted * 3])
    candidates = cur.fetchall()
    if not candidates:
        return []
    cur.execute(sql.SQL("SELECT count(*) FROM {t}").format(t=table))
    total = int(cur.fetchone()[0])
    queries = [quote_lexeme(lexeme) for lexeme, _tf in candidates]
    cur.execute(sql.SQL("SELECT q, (SELECT count(*) FROM {t} WHERE tsv @@ q::tsquery) "
                        "FROM unnest(%s::text[]) AS q").format(t=table), [queries])
    df = dict(cur.fetchall())
    weighted = []
    for (_lexeme, tf), q in zip(candidates, queries):
        docs = max(1, int(df.get(q, 1)))
        if total >= 4 and docs * 2 > total:
            continue
        weighted.append((tf * math.log((total + 1) / docs), q))
    weighted.sort(reverse=True)
    return [q for _w, q in weighted[:wanted]]
