"""The PostgreSQL full-text implementation of :class:`~search_index.api.SearchBackend`.

For deployments that already run PostgreSQL and several machines: every web process and worker reads and
writes one table instead of a Whoosh folder on one disk.

* One row per case in ``search_cases_v<SCHEMA_VERSION>`` (name configurable): keyword columns for filters and
  facets, the stored body for snippets, and four ``tsvector`` columns (``tsv``: number + title + text,
  ``private_tsv``: the citizen's details, ``unit_tsv``: the unit's name, ``grams_tsv``: the character bigrams
  and trigram buckets of the Chinese in ``tsv``'s text, the fallback for words jieba cut otherwise) with GIN
  indexes.
* The vectors are built here from the *same analyzer as the Whoosh backend*
  (:meth:`~search_index.analysis.MixedTokenizer.units`: jieba for Chinese, folding, English+Spanish stemming,
  sub-words of long Chinese words at the same position) and written as ``tsvector`` literals, so PostgreSQL's
  own parser and dictionaries are never involved (they would split Chinese by the server's locale). The
  vectors are thus "simple" configuration vectors: lexemes are taken as they are.
* Queries are compiled by :func:`~search_index.query.parse_query`, exactly as for Whoosh, and the node tree
  is translated into one SQL ``WHERE`` clause: words become ``tsquery`` lexemes, phrases in the text field
  become word-pair lexemes (indexed like Whoosh does) and phrases in the short fields ``<->`` operators;
  unit confinement and filters are plain column conditions in the same clause, so counts and facets never
  include a case the caller may not see.
* The total and facets are one ``GROUP BY GROUPING SETS`` over the filtered set, read through the GIN
  indexes' bitmaps (no vector is read to count): exact up to a bound, beyond it scaled from a hash sample of
  the matches (:mod:`search_index.postgres_counts`). Relevance ranks a bounded set of the newest matches,
  found like the newest-first order through a window of the ``created`` index
  (:mod:`search_index.postgres_window`); snippets come from :func:`~search_index.highlight.snippet_html`
  (escaped text, ``<mark>`` only).

Building vectors and translating queries lives in :mod:`search_index.postgres_query`; this module owns the
table, the connections, writing and searching.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import psycopg
from psycopg import sql

from search_index.api import Hit, SearchPage, SearchRequest
from search_index.errors import N_, IndexUnavailableError, QueryError, SearchIndexError
from search_index.highlight import hit_snippet
from search_index.postgres_bulk import bulk_load
from search_index.postgres_counts import BUCKETS, Counts, count_matches, table_rows
from search_index.postgres_pool import Pool, libpq_url
from search_index.postgres_query import (KEYWORD_COLUMNS, ROW_COLUMNS, SqlPart, as_sql, created_conditions,
                                          scored_terms, table_row, translate)
from search_index.postgres_similar import key_terms
from search_index.postgres_window import EPOCH, windows, within
from search_index.query import parse_query, split_highlight_terms
from search_index.schema import FACET_FIELDS, SCHEMA_VERSION, to_fields

SNIPPET_SCAN = 50_000
# The sample column of the estimated counts: a hash of the id, computed by the server on every write.
BUCKET_COLUMN = sql.SQL("bucket integer GENERATED ALWAYS AS (hashtext(id) & {mask}) STORED").format(
    mask=sql.Literal(BUCKETS - 1))

HIT_COLUMNS = ("id", "number", "title", "kind", "category", "status", "channel", "unit_id", "unit_name",
               "urgency", "created", "updated")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")


@dataclass(frozen=True)
class PostgresOptions:
    """Tuning knobs: the table (several indexes may share a database), how long a write waits for a row or
    table lock before the call fails with :class:`IndexUnavailableError` (like Whoosh's writer lock), idle
    connections kept per process, snippet size, the number of key terms used by :meth:`similar`, how many
    of the newest matches are ranked by relevance (see :meth:`PostgresBackend.search`), and up to how many
    matches the total and facets are counted exactly (beyond, they are scaled from a sample of about
    ``sample_rows`` matches; see :mod:`search_index.postgres_counts`)."""

    table: str = f"search_cases_v{SCHEMA_VERSION}"
    writer_timeout: float = 30.0
    pool_size: int = 8
    connect_timeout: int = 10
    snippet_chars: int = 240
    similar_terms: int = 12
    rank_candidates: int = 1000
    exact_count_bound: int = 10_000
    sample_rows: int = 2000
    build_processes: int = 0


def prefer_bitmap_scans(cur: psycopg.Cursor) -> None:
    """Steer this transaction's plans to bitmap scans. The GIN indexes answer ``tsv @@ q`` alone, so a bitmap
    heap scan reads only the columns a statement names; a sequential scan (which the planner picks for a word
    in many letters) or an index scan filtering on ``@@`` would detoast every visited row's vector."""
    cur.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")


# -- the backend -------------------------------------------------------------------------------------------

class PostgresBackend:
    """Case search in a PostgreSQL table; ``url`` is a ``postgresql://`` or ``postgresql+psycopg://`` URL."""

    def __init__(self, url: str, options: PostgresOptions | None = None) -> None:
        self.options = options or PostgresOptions()
        if not _IDENTIFIER.match(self.options.table):
            raise IndexUnavailableError(f"invalid search table name {self.options.table!r}")
        self._pool = Pool(libpq_url(url), self.options.pool_size, self.options.connect_timeout)
        self._table = sql.Identifier(self.options.table)
        self._ensure_table()

    def _run(self):
        return self._pool.connection()

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[psycopg.Cursor]:
        try:
            with self._run() as conn, conn.cursor() as cur:
                if write:
                    cur.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(
                        sql.Literal(f"{max(1, int(self.options.writer_timeout * 1000))}ms")))
                yield cur
        except psycopg.errors.LockNotAvailable as exc:
            raise IndexUnavailableError("the search table is locked by another writer; try again later") from exc
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise IndexUnavailableError(f"the PostgreSQL search database is unavailable: {exc}") from exc

    def table_statement(self, name: str | None = None) -> sql.Composed:
        """The ``CREATE TABLE`` of the search table (or of table ``name``), without its indexes."""
        return sql.SQL("""CREATE TABLE IF NOT EXISTS {t} (
                id text PRIMARY KEY, version text NOT NULL, number text, kind text, category text, status text,
                channel text, unit_id text, unit_name text, urgency text, title text, year text,
                created timestamp, updated timestamp, body text NOT NULL DEFAULT '',
                tsv tsvector NOT NULL DEFAULT ''::tsvector, private_tsv tsvector NOT NULL DEFAULT ''::tsvector,
                unit_tsv tsvector NOT NULL DEFAULT ''::tsvector,
                grams_tsv tsvector NOT NULL DEFAULT ''::tsvector, {bucket})""").format(
            t=sql.Identifier(name or self.options.table), bucket=BUCKET_COLUMN)

    def index_statements(self, name: str | None = None) -> list[sql.Composed]:
        """The ``CREATE INDEX`` statements of the search table (or of table ``name``, its indexes named after
        it); a bulk load runs them after the rows are in."""
        name = name or self.options.table
        table = sql.Identifier(name)
        gin = [sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} USING gin ({c})").format(
            i=sql.Identifier(f"{name}_{column}"), t=table, c=sql.Identifier(column))
            for column in ("tsv", "private_tsv", "unit_tsv", "grams_tsv")]
        return gin + [
            sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (unit_id, created)").format(
                i=sql.Identifier(f"{name}_unit_created"), t=table),
            sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (created)").format(
                i=sql.Identifier(f"{name}_created"), t=table),
            sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (bucket)").format(
                i=sql.Identifier(f"{name}_bucket"), t=table),
        ] + [  # filters: their bitmaps AND with the text's, so rows another filter drops are never fetched
            sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} ({c})").format(
                i=sql.Identifier(f"{name}_{column}"), t=table, c=sql.Identifier(column))
            for column in ("status", "kind", "channel", "year")]

    def _ensure_table(self) -> None:
        """Create the table, or bring one written by an earlier version up to :meth:`table_statement`."""
        name = self.options.table
        current = sql.SQL("SELECT to_regclass(%s), (SELECT count(*) FROM pg_attribute WHERE attrelid = "
                          "to_regclass(%s) AND attname = 'bucket' AND NOT attisdropped)")
        with self._transaction() as cur:
            # No DDL when the table is there and current: CREATE INDEX would wait for (and block) a writer.
            cur.execute(current, [name, name])
            exists, has_bucket = cur.fetchone()
            if exists is not None and has_bucket:
                return
            # Processes opening the backend at once would race on CREATE ... IF NOT EXISTS.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"search_index:{name}"])
            cur.execute(current, [name, name])
            exists, has_bucket = cur.fetchone()
            if exists is None:
                cur.execute(self.table_statement())
            elif not has_bucket:  # a table of an earlier version: one rewrite, under its lock
                cur.execute(sql.SQL("ALTER TABLE {t} ADD COLUMN {c}").format(t=self._table, c=BUCKET_COLUMN))
            for statement in self.index_statements():
                cur.execute(statement)

    # -- writing ---------------------------------------------------------------------------------------

    def index_documents(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace documents by ``id`` in one transaction; a malformed document raises
        :class:`DocumentError` before anything is written. If an id repeats, the last occurrence wins."""
        rows: dict[str, tuple] = {}
        for doc in docs:
            fields = to_fields(doc)
            rows.pop(fields["id"], None)
            rows[fields["id"]] = table_row(fields)
        if not rows:
            return 0
        columns = [sql.Identifier(c) for c in ROW_COLUMNS]
        statement = sql.SQL("INSERT INTO {t} ({cols}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {set}").format(
            t=self._table, cols=sql.SQL(", ").join(columns),
            values=sql.SQL(", ").join(sql.SQL("%s::tsvector" if c.endswith("tsv") else "%s") for c in ROW_COLUMNS),
            set=sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=c) for c in columns[1:]))
        # Sorted ids: concurrent writers lock rows in one order, so they cannot deadlock.
        with self._transaction(write=True) as cur:
            cur.executemany(statement, [rows[k] for k in sorted(rows)])
        return len(rows)

    def bulk_index(self, docs: Iterable[Mapping[str, Any]], on_progress: Callable[[int], None] | None = None,
                   every: int = 500) -> int:
        """Index a whole stream of documents (a rebuild): the contract of :meth:`index_documents`, with the
        vectors built in worker processes and the rows COPYed into a fresh table that replaces this one at the
        commit (:mod:`search_index.postgres_bulk`). ``on_progress(n)`` is called after every ``every``
        documents read and once at the end with the remainder."""
        return bulk_load(self, docs, on_progress, every)

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by case id (unknown ids are ignored); returns how many ids were given."""
        ids = list(ids)
        if not all(isinstance(i, str) for i in ids):
            raise SearchIndexError("ids to delete must be strings")
        if ids:
            with self._transaction(write=True) as cur:
                cur.execute(sql.SQL("DELETE FROM {t} WHERE id = ANY(%s)").format(t=self._table), [ids])
        return len(ids)

    def clear(self) -> None:
        """Remove every document."""
        with self._transaction(write=True) as cur:
            cur.execute(sql.SQL("DELETE FROM {t}").format(t=self._table))

    def optimize(self) -> None:
        """Reclaim space and refresh the planner's statistics (VACUUM ANALYZE)."""
        try:
            with psycopg.connect(self._pool.conninfo, autocommit=True,
                                 connect_timeout=self.options.connect_timeout) as conn:
                conn.execute(sql.SQL("VACUUM ANALYZE {t}").format(t=self._table))
        except psycopg.Error as exc:
            raise IndexUnavailableError(f"could not optimise the search table: {exc}") from exc

    def close(self) -> None:
        """Close the idle connections."""
        self._pool.close()

    # -- reading ---------------------------------------------------------------------------------------

    def doc_count(self) -> int:
        """Number of indexed documents."""
        with self._transaction() as cur:
            cur.execute(sql.SQL("SELECT count(*) FROM {t}").format(t=self._table))
            return int(cur.fetchone()[0])

    def stored_versions(self) -> dict[str, str]:
        """``{case id: version}`` for every indexed document."""
        with self._transaction() as cur:
            cur.execute(sql.SQL("SELECT id, version FROM {t}").format(t=self._table))
            return {doc_id: version for doc_id, version in cur}

    def _where(self, parsed, request: SearchRequest) -> SqlPart:
        parts: list[SqlPart] = [] if parsed.match_all else [as_sql(translate(parsed.node))]
        if request.restrict_unit_ids is not None:
            if request.restrict_case_ids:
                parts.append(SqlPart(sql.SQL("(unit_id = ANY(%s) OR id = ANY(%s))"),
                                     [list(request.restrict_unit_ids), list(request.restrict_case_ids)]))
            else:
                parts.append(SqlPart(sql.SQL("unit_id = ANY(%s)"), [list(request.restrict_unit_ids)]))
        for name, field in FACET_FIELDS.items():
            values = request.filter_values(name)
            if values is not None:
                parts.append(SqlPart(sql.SQL("{} = ANY(%s)").format(sql.Identifier(KEYWORD_COLUMNS[field])), [values]))
        parts += created_conditions(request)
        if not parts:
            return SqlPart(sql.SQL("true"), [])
        return SqlPart(sql.SQL(" AND ").join(sql.SQL("({})").format(p.fragment) for p in parts),
                    [x for p in parts for x in p.params])

    def _rank(self, node: tuple) -> SqlPart:
        terms = scored_terms(node, {})
        if not terms:
            return SqlPart(sql.SQL("0::real"), [])
        # Normalisation 1 divides by 1 + log(length): a short letter about the thing beats a long one
        # mentioning it once, as with BM25 in the Whoosh backend.
        parts = [SqlPart(sql.SQL("ts_rank({}, %s::tsquery, 1)").format(sql.Identifier(column)), [" | ".join(lex)])
                 for column, lex in terms.items()]
        return SqlPart(sql.SQL(" + ").join(p.fragment for p in parts), [x for p in parts for x in p.params])

    def search(self, request: SearchRequest) -> SearchPage:
        """Run ``request``; unit confinement and filters are part of the one WHERE clause.

        Sorted by relevance, the ``rank_candidates`` newest matches come first, by score (then newest, then
        id); any further matches follow newest first. Ranking reads each ranked case's whole vector, so the
        bound keeps a word found in most letters as cheap as a rare one; below it the order is by score alone.
        Beyond ``exact_count_bound`` matches the total and facets are estimates (``SearchPage.estimated``)."""
        if not isinstance(request, SearchRequest):
            raise QueryError("search() takes a SearchRequest")
        request.validate()
        parsed = parse_query(request.query, request.include_private)
        sort = request.sort if not parsed.match_all or request.sort != "relevance" else "newest"
        where = self._where(parsed, request)
        rank = self._rank(parsed.node) if sort == "relevance" else SqlPart(sql.SQL("0::real"), [])
        offset = (request.page - 1) * request.per_page
        try:
            with self._transaction() as cur:
                if not parsed.match_all:
                    prefer_bitmap_scans(cur)
                rows_in_table = table_rows(cur, self._table, self.options.table)
                counts = count_matches(cur, self._table, rows_in_table, where, self.options.exact_count_bound,
                                       self.options.sample_rows)
                rows = []
                if counts.total > offset:
                    rows = self._page(cur, where, rank, sort, offset, request.per_page, counts, rows_in_table)
        except psycopg.errors.DataError as exc:  # a tsquery PostgreSQL refuses (should not happen)
            raise QueryError(N_("this query cannot be run: %(reason)s"), reason=exc.diag.message_primary) from exc
        total = counts.total
        if counts.estimated:
            # An estimate is never below what was seen: the page's last hit, when the matches end on it.
            total = max(total, offset + len(rows))
        latin, cjk = split_highlight_terms(parsed.highlight_terms)
        hits = [self._hit(row, frozenset(latin), frozenset(cjk)) for row in rows]
        return SearchPage(total=total, page=request.page, per_page=request.per_page, hits=hits,
                          facets=counts.facets if request.facets else {}, estimated=counts.estimated)

    def _ordered_ids(self, cur: psycopg.Cursor, where: SqlPart, oldest: bool, offset: int, limit: int,
                     counts: Counts, rows_in_table: int) -> list[str]:
        """Ids at ``offset`` in creation order (newest first unless ``oldest``; then by id), read from a window
        of the ``created`` index when the matches are too many to sort them all."""
        order = sql.SQL("coalesce(created, %s) {d}, id").format(d=sql.SQL("ASC" if oldest else "DESC"))
        matches = counts.total if counts.total > self.options.exact_count_bound else 0
        for window in windows(cur, self._table, oldest, offset + limit, matches, rows_in_table):
            part = within(where, window)
            cur.execute(sql.SQL("SELECT id FROM {t} WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s").format(
                t=self._table, where=part.fragment, order=order), [*part.params, EPOCH, limit, offset])
            ids = [row[0] for row in cur]
            if window is None or len(ids) == limit:
                return ids
        return []

    def _page(self, cur: psycopg.Cursor, where: SqlPart, rank: SqlPart, sort: str, offset: int, limit: int,
              counts: Counts, rows_in_table: int) -> list[tuple]:
        """The rows at ``offset`` of the order :meth:`search` documents: first their ids (reading only the
        heap columns the order needs), then body and score of those rows alone."""
        ids: list[str] = []
        if sort == "relevance":
            bound = self.options.rank_candidates
            if offset < bound:
                candidates = self._ordered_ids(cur, where, False, 0, bound, counts, rows_in_table)
                cur.execute(sql.SQL("SELECT id FROM {t} WHERE id = ANY(%s) "
                                    "ORDER BY {rank} DESC, coalesce(created, %s) DESC, id LIMIT %s OFFSET %s").format(
                    t=self._table, rank=rank.fragment),
                    [candidates, *rank.params, EPOCH, min(limit, bound - offset), offset])
                ids = [row[0] for row in cur]
            tail_offset, tail_limit = max(bound, offset), offset + limit - max(bound, offset)
        else:
            tail_offset, tail_limit = offset, limit
        if tail_limit > 0:
            ids += self._ordered_ids(cur, where, sort == "oldest", tail_offset, tail_limit, counts, rows_in_table)
        if not ids:
            return []
        cur.execute(sql.SQL("SELECT {cols}, left(body, %s), {rank} AS score FROM {t} WHERE id = ANY(%s)").format(
            cols=sql.SQL(", ").join(sql.Identifier(c) for c in HIT_COLUMNS), rank=rank.fragment, t=self._table),
            [SNIPPET_SCAN, *rank.params, ids])
        by_id = {row[0]: row for row in cur}
        return [by_id[i] for i in ids if i in by_id]

    def _hit(self, row: tuple, latin: frozenset, cjk: frozenset) -> Hit:
        values = dict(zip(HIT_COLUMNS, row))
        body, score = row[len(HIT_COLUMNS)], row[len(HIT_COLUMNS) + 1]
        return Hit(score=float(score or 0.0),
                   snippet=hit_snippet(body or "", values["title"], latin, cjk, self.options.snippet_chars),
                   **values)

    def similar(self, doc_id: str, restrict_unit_ids: Sequence[str] | None = None, limit: int = 5) -> list[Hit]:
        """Cases sharing the most telling words of ``doc_id``'s text, best first; [] if it is not indexed.

        Key terms: :func:`~search_index.postgres_similar.key_terms`."""
        if not isinstance(doc_id, str):
            raise QueryError("doc_id must be a string")
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise QueryError("limit must be between 1 and 100")
        if restrict_unit_ids is not None and not restrict_unit_ids:
            return []
        with self._transaction() as cur:
            prefer_bitmap_scans(cur)
            words = key_terms(cur, self._table, doc_id, self.options.similar_terms)
            if not words:
                return []
            query = " | ".join(words)
            restrict = sql.SQL("AND unit_id = ANY(%s)") if restrict_unit_ids is not None else sql.SQL("")
            params: list[Any] = [SNIPPET_SCAN, query, query, doc_id]
            if restrict_unit_ids is not None:
                params.append(list(restrict_unit_ids))
            params.append(limit)
            cur.execute(sql.SQL(
                "SELECT {cols}, left(body, %s), ts_rank(tsv, %s::tsquery, 1) AS score FROM {t} "
                "WHERE tsv @@ %s::tsquery AND id <> %s {restrict} ORDER BY score DESC, id LIMIT %s").format(
                cols=sql.SQL(", ").join(sql.Identifier(c) for c in HIT_COLUMNS), t=self._table, restrict=restrict),
                params)
            rows = cur.fetchall()
        return [self._hit(row, frozenset(), frozenset()) for row in rows]
