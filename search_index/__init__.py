"""Full-text search over cases: one schema, mixed-language analysis, safe queries.

Knows nothing of cases or the database: it indexes plain dicts (keys listed in
``search_index.schema``) and answers :class:`SearchRequest` with :class:`SearchPage`.
Only this package imports Whoosh.
"""

from search_index.api import FILTER_KEYS, MAX_PER_PAGE, SORTS, Hit, SearchBackend, SearchPage, SearchRequest
from search_index.errors import DocumentError, IndexUnavailableError, QueryError, SearchIndexError
from search_index.factory import open_backend
from search_index.schema import ACCEPTED_KEYS
from search_index.whoosh_backend import WhooshBackend, WhooshOptions

__all__ = [
    "ACCEPTED_KEYS",
    "DocumentError",
    "FILTER_KEYS",
    "Hit",
    "IndexUnavailableError",
    "MAX_PER_PAGE",
    "QueryError",
    "SORTS",
    "SearchBackend",
    "SearchIndexError",
    "SearchPage",
    "SearchRequest",
    "WhooshBackend",
    "WhooshOptions",
    "open_backend",
]
