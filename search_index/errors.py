"""Exceptions of the search package; every message is meant for a person.

A message a searcher can cause is worded in English with named parameters and marked with ``N_`` for the
translation catalog (the package imports nothing of the app's); ``message`` and ``params`` let a caller show it in
the reader's language, ``str(exc)`` is the English text."""


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the translation catalog; returns it unchanged."""
    return message


class SearchIndexError(Exception):
    """Base class of all errors raised by ``search_index``."""

    def __init__(self, message: str = "", **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


class QueryError(SearchIndexError):
    """The query string or search request cannot be run; ``str(exc)`` says why."""


class DocumentError(SearchIndexError):
    """A document handed to ``index_documents`` is malformed; nothing of that call was written."""


class IndexUnavailableError(SearchIndexError):
    """The index cannot be opened or written (missing, locked, unknown backend URL)."""
