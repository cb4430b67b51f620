"""The one index schema, and conversion of plain case documents into its fields.

Document keys accepted by :func:`to_fields` (everything else is rejected):

``id`` (str, required, unique), ``version`` (str, required; opaque to us, compared
by the check command), ``number``, ``kind``, ``category``, ``status``, ``channel``,
``unit_id``, ``unit_name``, ``urgency``, ``title`` (str or None),
``created``, ``updated`` (datetime, date, ISO-8601 str or None),
``text`` (str or list of str: every letter, email body, OCR text, phone note,
unit feedback and reply of the case), ``private`` (str or list of str: the
citizen's name and contact details; searchable only with ``include_private``,
never stored).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from collections import Counter

from whoosh import columns, fields, formats
from whoosh.system import pack_uint

from search_index.analysis import CjkGramTokenizer, MixedTokenizer, is_cjk
from search_index.errors import DocumentError

# Bump when the schema or the analyzer changes: a new index name means an old index
# is ignored (and reported empty) until it is rebuilt from the database.
SCHEMA_VERSION = 4
INDEX_NAME = f"cases_v{SCHEMA_VERSION}"

# Keyword fields that can be filtered, faceted and queried with ``name:value``.
KEYWORD_FIELDS = ("kind", "category", "status", "channel", "unit_id", "urgency", "year")
FACET_FIELDS = {"status": "status", "unit": "unit_id", "kind": "kind", "channel": "channel", "year": "year"}
STRING_KEYS = ("number", "kind", "category", "status", "channel", "unit_id", "unit_name", "urgency", "title")
DATE_KEYS = ("created", "updated")
ACCEPTED_KEYS = frozenset(("id", "version", "text", "private", *STRING_KEYS, *DATE_KEYS))
# Stored body is capped: snippets and "similar cases" never need more than this.
MAX_BODY_CHARS = 200_000


_PACKED_FREQ = [pack_uint(n) for n in range(256)]


def pack_frequency(n: int) -> bytes:
    """The posting value of a frequency format (Whoosh's ``pack_uint``), cached for small counts."""
    return _PACKED_FREQ[n] if n < 256 else pack_uint(n)


class TermCounts(formats.Frequency):
    """Whoosh's frequency format, fed by our analyzers' ``index_term_list``.

    Whoosh's own ``word_values`` pulls one Token object per term through the
    analyzer; at index time this asks our analyzer for the plain term list and
    counts it in C, which yields the same (term, frequency, weight, value) rows.
    :meth:`term_counts` gives the bulk writer the counts without the rows.
    """

    def term_counts(self, value: str, analyzer) -> dict[str, int] | None:
        """``{term: frequency}`` for one field value, or None when the analyzer is not ours."""
        if not isinstance(analyzer, (MixedTokenizer, CjkGramTokenizer)) or not isinstance(value, str):
            return None
        return Counter(analyzer.index_term_list(value))

    def word_values(self, value, analyzer, **kwargs):
        counts = self.term_counts(value, analyzer) if kwargs.get("mode", "index") == "index" else None
        if counts is None:
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        return [(term, n, n * boost, pack_frequency(n)) for term, n in counts.items()]


def build_schema() -> fields.Schema:
    """The Whoosh schema of the case index."""
    analyzer = MixedTokenizer()
    # No positions in the big text field: phrases are matched on indexed word pairs.
    text_analyzer = MixedTokenizer(shingles=True)
    keyword = dict(stored=True)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        version=fields.COLUMN(columns.VarBytesColumn()),
        number=fields.STORED(),
        kind=fields.ID(**keyword),
        category=fields.ID(**keyword),
        status=fields.ID(**keyword),
        channel=fields.ID(**keyword),
        unit_id=fields.ID(**keyword),
        urgency=fields.ID(**keyword),
        year=fields.ID(),
        unit_name=fields.STORED(),
        unit_text=fields.TEXT(analyzer=analyzer, phrase=True),
        title=fields.STORED(),
        created=fields.STORED(),
        updated=fields.STORED(),
        created_ts=fields.COLUMN(columns.NumericColumn("q", default=0)),
        text=_text_field(text_analyzer),
        # The CJK fallback field: character bigrams (and trigram buckets) of the same text.
        grams=_text_field(CjkGramTokenizer()),
        body=fields.STORED(),
        private=fields.TEXT(analyzer=analyzer, phrase=True),
    )


def _text_field(analyzer: MixedTokenizer | CjkGramTokenizer) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer, phrase=False)
    field.format = TermCounts(field_boost=field.format.field_boost)
    return field


def to_datetime(value: Any, key: str) -> dt.datetime | None:
    """Accept datetime, date or ISO-8601 text; aware values are converted to UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise DocumentError(f"{key!r} is not an ISO-8601 date: {value!r}") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    raise DocumentError(f"{key!r} must be a date, datetime or ISO-8601 string, not {type(value).__name__}")


def timestamp(value: dt.datetime) -> int:
    """Seconds since the epoch for a naive UTC datetime."""
    return int((value - dt.datetime(1970, 1, 1)).total_seconds())


def _join(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        parts: dict[str, None] = {}
        for part in value:
            if part is None:
                continue
            if not isinstance(part, str):
                raise DocumentError(f"{key!r} must hold strings, found {type(part).__name__}")
            if part.strip():
                # A case repeats its subject in every letter: each paragraph is indexed and shown once.
                parts.setdefault(part.strip())
        return "\n\n".join(parts)
    raise DocumentError(f"{key!r} must be a string or a list of strings, not {type(value).__name__}")


def body_text(title: str, text: str) -> str:
    """The stored body: the title, then the text's paragraphs other than the title."""
    rest = [p for p in text.split("\n\n") if p.strip() != title.strip()] if title else [text]
    return "\n\n".join(p for p in (title, *rest) if p)


def to_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one plain document and turn it into Whoosh field values."""
    if not isinstance(doc, Mapping):
        raise DocumentError(f"a document must be a dict, not {type(doc).__name__}")
    unknown = set(doc) - ACCEPTED_KEYS
    if unknown:
        raise DocumentError(f"unknown document keys: {', '.join(sorted(map(str, unknown)))}")
    doc_id = doc.get("id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise DocumentError(f"document 'id' must be a non-empty string, got {doc_id!r}")
    version = doc.get("version")
    if not isinstance(version, str):
        raise DocumentError(f"document {doc_id!r}: 'version' must be a string, got {version!r}")
    out: dict[str, Any] = {"id": doc_id, "version": version.encode("utf-8")}
    for key in STRING_KEYS:
        value = doc.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise DocumentError(f"document {doc_id!r}: {key!r} must be a string, not {type(value).__name__}")
        out[key] = value
    if "unit_name" in out:
        out["unit_text"] = out["unit_name"]
    for key in DATE_KEYS:
        try:
            value = to_datetime(doc.get(key), key)
        except DocumentError as exc:
            raise DocumentError(f"document {doc_id!r}: {exc}") from None
        if value is not None:
            out[key] = value.isoformat()
            if key == "created":
                out["created_ts"] = timestamp(value)
                out["year"] = str(value.year)
    try:
        text = _join(doc.get("text"), "text")
        private = _join(doc.get("private"), "private")
    except DocumentError as exc:
        raise DocumentError(f"document {doc_id!r}: {exc}") from None
    title = out.get("title", "")
    number = out.get("number", "")
    searchable = "\n".join(p for p in (number, title, text) if p)
    if searchable:
        out["text"] = searchable
        if is_cjk(searchable):
            out["grams"] = searchable
        out["body"] = body_text(title, text)[:MAX_BODY_CHARS]
    if private:
        out["private"] = private
    return out
