"""The backend-neutral interface: request, result page, hit, and the backend protocol.

A second backend (PostgreSQL full text) implements :class:`SearchBackend` with the
same request and page types, so callers never see Whoosh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence, runtime_checkable

from search_index.errors import N_, QueryError

SORTS = ("relevance", "newest", "oldest")
FILTER_KEYS = ("status", "unit", "kind", "channel", "year")
MAX_PER_PAGE = 100
# Deepest result reachable by paging; deeper pages are refused rather than made slow.
MAX_RESULT_WINDOW = 10_000
# Years a date bound may name: arithmetic on the bounds (the end of the last day) stays within what dates hold.
EARLIEST, LATEST = 1900, 2999


@dataclass(frozen=True)
class SearchRequest:
    """One search: a query string plus the caller's permissions and filters.

    ``restrict_unit_ids``: the units whose cases the caller may see; ``None`` means
    all units, an empty list means none. ``restrict_case_ids``: cases (by id) the caller
    may see besides those of ``restrict_unit_ids`` (a unit's part of another unit's case);
    they widen a restriction, never replace it. ``include_private``: the caller may search
    the citizen's name and contact details. ``filters`` maps a key of
    :data:`FILTER_KEYS` to one value or a list of values (OR within a key, AND
    across keys); ``unit`` takes unit ids. ``date_from``/``date_to`` bound the
    creation date, both inclusive (a ``date`` means the whole day). ``facets=False``
    (suggestions while someone types) skips the facet counts, and ``total`` may then
    count only the hits up to this page.
    """

    query: str = ""
    restrict_unit_ids: Sequence[str] | None = None
    restrict_case_ids: Sequence[str] = ()
    include_private: bool = False
    filters: Mapping[str, Any] = field(default_factory=dict)
    date_from: dt.date | dt.datetime | None = None
    date_to: dt.date | dt.datetime | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True

    def validate(self) -> None:
        """Raise :class:`QueryError` when a field is out of range or of the wrong type."""
        if not isinstance(self.query, str):
            raise QueryError("the query must be text")
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if not isinstance(self.page, int) or isinstance(self.page, bool) or self.page < 1:
            raise QueryError("page must be a whole number from 1")
        if not isinstance(self.per_page, int) or isinstance(self.per_page, bool) or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if not isinstance(self.facets, bool):
            raise QueryError("facets must be true or false")
        if self.page * self.per_page > MAX_RESULT_WINDOW:
            raise QueryError(N_("only the first %(limit)s results can be paged through; refine the query"),
                             limit=MAX_RESULT_WINDOW)
        if self.restrict_unit_ids is not None and (
            isinstance(self.restrict_unit_ids, str) or not all(isinstance(u, str) for u in self.restrict_unit_ids)
        ):
            raise QueryError("restrict_unit_ids must be a list of unit id strings or None")
        if isinstance(self.restrict_case_ids, str) or not all(isinstance(c, str) for c in self.restrict_case_ids):
            raise QueryError("restrict_case_ids must be a list of case id strings")
        if not isinstance(self.filters, Mapping):
            raise QueryError("filters must be a mapping")
        for key, value in self.filters.items():
            if key not in FILTER_KEYS:
                raise QueryError(f"unknown filter {key!r}; use one of {', '.join(FILTER_KEYS)}")
            values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
            for v in values:
                if not isinstance(v, (str, int)) or isinstance(v, bool):
                    raise QueryError(f"filter {key!r} values must be text")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, dt.date):
                raise QueryError(f"{name} must be a date or datetime")
            if value is not None and not EARLIEST <= value.year <= LATEST:
                raise QueryError(N_("dates must lie between the years %(first)s and %(last)s"), first=EARLIEST, last=LATEST)

    def filter_values(self, key: str) -> list[str] | None:
        """The values of one filter as strings, or None when it is not set."""
        if key not in self.filters or self.filters[key] is None:
            return None
        value = self.filters[key]
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        return [str(v) for v in values]


@dataclass
class Hit:
    """One matching case. ``snippet`` is safe HTML: escaped text with ``<mark>`` tags only."""

    id: str
    number: str | None
    score: float
    snippet: str
    title: str | None = None
    kind: str | None = None
    category: str | None = None
    status: str | None = None
    channel: str | None = None
    unit_id: str | None = None
    unit_name: str | None = None
    urgency: str | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None


@dataclass
class SearchPage:
    """One page of results. ``facets`` counts the whole filtered result, not just the page.

    ``facets`` maps ``status``, ``unit`` (unit ids), ``kind``, ``channel`` and
    ``year`` to ``{value: count}``, ordered by count (descending) then value. ``estimated``: ``total`` and
    ``facets`` are scaled from a sample of the matches (a backend may do so for very large results).
    """

    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    estimated: bool = False

    @property
    def pages(self) -> int:
        """Number of pages (at least 1), capped to the pageable window."""
        reachable = min(self.total, MAX_RESULT_WINDOW)
        return max(1, -(-reachable // self.per_page))


@runtime_checkable
class SearchBackend(Protocol):
    """What the application needs from a full-text index of cases."""

    def index_documents(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace documents by ``id`` in one batch; return how many were written."""

    def bulk_index(self, docs: Iterable[Mapping[str, Any]], on_progress: Callable[[int], None] | None = None,
                   every: int = 500) -> int:
        """:meth:`index_documents` for a whole stream (a rebuild), in one commit with flat memory; calls
        ``on_progress(n)`` after every ``every`` documents and once with the remainder."""

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by case id; return how many ids were asked for."""

    def stored_versions(self) -> dict[str, str]:
        """Map every indexed case id to the ``version`` it was indexed with."""

    def clear(self) -> None:
        """Remove every document."""

    def optimize(self) -> None:
        """Merge the index into one segment (slow; for quiet hours)."""

    def search(self, request: SearchRequest) -> SearchPage:
        """Run one search; raise :class:`QueryError` for a query that cannot be run."""

    def similar(self, doc_id: str, restrict_unit_ids: Sequence[str] | None = None, limit: int = 5) -> list[Hit]:
        """Cases whose text resembles ``doc_id``'s (for duplicate spotting), best first."""

    def close(self) -> None:
        """Release files and caches."""
