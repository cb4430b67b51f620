"""Translating our parsed queries and analyzer output into PostgreSQL full text: ``tsvector`` literals built
from the Whoosh backend's own analyzer, and ``WHERE`` fragments from :func:`~search_index.query.parse_query`'s
node tree. Used by :mod:`search_index.postgres_backend`; no connections here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from psycopg import sql

from search_index.analysis import SHINGLE_PREFIX, MixedTokenizer, gram_terms, shingle
from search_index.api import SearchRequest
from search_index.errors import QueryError
from search_index.schema import FACET_FIELDS, to_datetime

# PostgreSQL limits of a tsvector: positions 1..16383, at most 256 positions per lexeme, lexemes < 2 KB.
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEME_BYTES = 2046
# Word-pair terms of the text field (see analysis.shingle) as printable lexemes; no analyzer term contains "~".
PAIR_MARK = "~"

# Where a case without a creation time sorts and counts.
EPOCH = dt.datetime(1970, 1, 1)

TSV_COLUMNS = {"text": "tsv", "private": "private_tsv", "unit_text": "unit_tsv", "grams": "grams_tsv"}
KEYWORD_COLUMNS = {"kind": "kind", "category": "category", "status": "status", "channel": "channel",
                   "unit_id": "unit_id", "urgency": "urgency", "year": "year"}


def quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def lexeme_of(term: str) -> str:
    return PAIR_MARK + term[len(SHINGLE_PREFIX):] if term.startswith(SHINGLE_PREFIX) else term


def tsvector_literal(text: str, pairs: bool = False) -> str:
    """The ``tsvector`` literal of ``text`` as our analyzer indexes it (with word pairs when ``pairs``)."""
    if not text:
        return ""
    positions: dict[str, list[int]] = {}
    pair_terms: set[str] = set()
    previous: tuple[str, ...] = ()
    for index, (term, _start, _end, subs) in enumerate(MixedTokenizer().units(text, True)):
        pos = min(index + 1, MAX_POSITION)
        current = (term, *subs)
        for word in current:
            found = positions.setdefault(word, [])
            if len(found) < MAX_POSITIONS_PER_LEXEME and (not found or found[-1] != pos):
                found.append(pos)
        if pairs:
            for a in previous:
                for b in current:
                    pair_terms.add(lexeme_of(shingle(a, b)))
            previous = current
    out = [f"{quote_lexeme(w)}:{','.join(map(str, p))}" for w, p in positions.items()
           if len(w.encode("utf-8")) <= MAX_LEXEME_BYTES]
    out += [quote_lexeme(p) for p in pair_terms]
    return " ".join(out)


def grams_literal(text: str) -> str:
    """The ``tsvector`` literal of the CJK fallback field (:func:`~search_index.analysis.gram_terms`)."""
    return " ".join(quote_lexeme(lexeme_of(term)) for term in set(gram_terms(text)))


# -- query translation -------------------------------------------------------------------------------------

@dataclass
class TsQuery:
    column: str
    text: str  # tsquery literal


@dataclass
class SqlPart:
    fragment: sql.Composable
    params: list[Any]


def as_sql(part: TsQuery | SqlPart) -> SqlPart:
    if isinstance(part, SqlPart):
        return part
    return SqlPart(sql.SQL("{} @@ %s::tsquery").format(sql.Identifier(part.column)), [part.text])


def combine(kind: str, parts: list[TsQuery | SqlPart]) -> TsQuery | SqlPart:
    """AND/OR of parts: lexeme queries on one column merge into one tsquery (one GIN probe)."""
    op, sql_op = ("&", " AND ") if kind == "and" else ("|", " OR ")
    by_column: dict[str, list[str]] = {}
    others: list[SqlPart] = []
    for part in parts:
        if isinstance(part, TsQuery):
            by_column.setdefault(part.column, []).append(f"({part.text})")
        else:
            others.append(part)
    merged: list[TsQuery | SqlPart] = [TsQuery(col, f" {op} ".join(texts)) for col, texts in by_column.items()]
    merged += others
    if len(merged) == 1:
        return merged[0]
    sqls = [as_sql(p) for p in merged]
    fragment = sql.SQL("(") + sql.SQL(sql_op).join(s.fragment for s in sqls) + sql.SQL(")")
    return SqlPart(fragment, [p for s in sqls for p in s.params])


def translate(node: tuple) -> TsQuery | SqlPart:
    kind = node[0]
    if kind == "term":
        field, text = node[1], node[2]
        if field in TSV_COLUMNS:
            return TsQuery(TSV_COLUMNS[field], quote_lexeme(lexeme_of(text)))
        if field in KEYWORD_COLUMNS:
            return SqlPart(sql.SQL("{} = %s").format(sql.Identifier(KEYWORD_COLUMNS[field])), [text])
        raise QueryError(f"cannot search the field {field!r}")
    if kind in ("and", "or"):
        return combine(kind, [translate(child) for child in node[1]])
    if kind == "not":
        keep, drop = as_sql(translate(node[1])), as_sql(translate(node[2]))
        return SqlPart(sql.SQL("({} AND NOT coalesce({}, false))").format(keep.fragment, drop.fragment),
                    keep.params + drop.params)
    if kind == "all":
        return SqlPart(sql.SQL("true"), [])
    if kind == "native":
        # Whoosh phrase queries in the short positional fields (private, unit_text).
        query = node[1]
        column = TSV_COLUMNS.get(getattr(query, "fieldname", ""))
        words = list(getattr(query, "words", []) or [])
        if column is None or not words:
            raise QueryError("this query cannot be run")
        return TsQuery(column, " <-> ".join(quote_lexeme(w) for w in words))
    raise QueryError(f"unknown query part {kind!r}")


def scored_terms(node: tuple, out: dict[str, list[str]], negated: bool = False) -> dict[str, list[str]]:
    kind = node[0]
    if kind == "term":
        column = TSV_COLUMNS.get(node[1])
        if node[3] and not negated and column is not None:
            lexeme = quote_lexeme(lexeme_of(node[2]))
            if lexeme not in out.setdefault(column, []):
                out[column].append(lexeme)
    elif kind in ("and", "or"):
        for child in node[1]:
            scored_terms(child, out, negated)
    elif kind == "not":
        scored_terms(node[1], out, negated)
    return out


def date_bounds(request: SearchRequest) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Inclusive creation-time bounds as naive UTC, to the second (the Whoosh backend's rule)."""
    def bound(value: Any, end: bool) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return to_datetime(value, "date").replace(microsecond=0)
        start = dt.datetime(value.year, value.month, value.day)
        return start + dt.timedelta(days=1, seconds=-1) if end else start

    return bound(request.date_from, False), bound(request.date_to, True)


def created_conditions(request: SearchRequest) -> list[SqlPart]:
    """The request's date bounds on the ``created`` column. A case without a creation time counts as created at
    the epoch; bounds on the bare column (not on ``coalesce``) can use its index."""
    low, high = date_bounds(request)
    parts = []
    if low is not None:
        parts.append(SqlPart(sql.SQL("(created >= %s OR created IS NULL)" if EPOCH >= low else "created >= %s"), [low]))
    if high is not None:
        parts.append(SqlPart(sql.SQL("(created <= %s OR created IS NULL)" if EPOCH <= high else "created <= %s"), [high]))
    return parts


# -- rows ----------------------------------------------------------------------------------------------------

# The columns of a row as :func:`table_row` builds it, in its order.
ROW_COLUMNS = ("id", "version", "number", "kind", "category", "status", "channel", "unit_id", "unit_name",
               "urgency", "title", "year", "created", "updated", "body", "tsv", "private_tsv", "unit_tsv",
               "grams_tsv")


def table_row(fields: Mapping[str, Any]) -> tuple:
    """The search table's row (:data:`ROW_COLUMNS`) of one document's fields
    (:func:`~search_index.schema.to_fields`)."""
    def date(key: str) -> dt.datetime | None:
        value = fields.get(key)
        return dt.datetime.fromisoformat(value) if value else None

    return (fields["id"], fields["version"].decode("utf-8"), fields.get("number"), fields.get("kind"),
            fields.get("category"), fields.get("status"), fields.get("channel"), fields.get("unit_id"),
            fields.get("unit_name"), fields.get("urgency"), fields.get("title"), fields.get("year"),
            date("created"), date("updated"), fields.get("body", ""),
            tsvector_literal(fields.get("text", ""), pairs=True),
            tsvector_literal(fields.get("private", "")), tsvector_literal(fields.get("unit_text", "")),
            grams_literal(fields.get("grams", "")))


# -- facets ------------------------------------------------------------------------------------------------

def facet_counts_sql(table: sql.Identifier, where: sql.Composable, limit: bool | int = False) -> sql.Composed:
    """Counts per value of every facet and the total, in one ``GROUPING SETS`` query over ``where``; with
    ``limit``, over at most that many matching rows, given as the statement's last parameter."""
    columns = [sql.Identifier(KEYWORD_COLUMNS[field]) for field in FACET_FIELDS.values()]
    names = sql.SQL(", ").join(columns)
    source = (sql.SQL("(SELECT {cols} FROM {t} WHERE {where} LIMIT %s) AS m").format(cols=names, t=table, where=where)
              if limit else sql.SQL("{t} WHERE {where}").format(t=table, where=where))
    return sql.SQL("SELECT {groupings}, {cols}, count(*) FROM {source} "
                   "GROUP BY GROUPING SETS ({sets}, ())").format(
        groupings=sql.SQL(", ").join(sql.SQL("GROUPING({})").format(c) for c in columns),
        cols=names, source=source, sets=sql.SQL(", ").join(sql.SQL("({})").format(c) for c in columns))


def parse_facet_counts(rows: list[tuple]) -> tuple[dict[str, dict[str, int]], int]:
    """``({facet: {value: count}}, total)`` from :func:`facet_counts_sql`'s rows, most frequent value first."""
    names = list(FACET_FIELDS)
    n = len(names)
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    total = 0
    for row in rows:
        grouped = [i for i in range(n) if row[i] == 0]
        if not grouped:
            total = int(row[-1])
        elif len(grouped) == 1 and row[n + grouped[0]] is not None:
            counts[names[grouped[0]]][row[n + grouped[0]]] = int(row[-1])
    return {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in counts.items()}, total
