"""Exceptions of the search package; every message is meant for a person."""


class SearchIndexError(Exception):
    """Base class of all errors raised by ``search_index``."""


class QueryError(SearchIndexError):
    """The query string or search request cannot be run; ``str(exc)`` says why."""


class DocumentError(SearchIndexError):
    """A document handed to ``index_documents`` is malformed; nothing of that call was written."""


class IndexUnavailableError(SearchIndexError):
    """The index cannot be opened or written (missing, locked, unknown backend URL)."""
