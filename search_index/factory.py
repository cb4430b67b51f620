"""Pick a backend from configuration: a folder path or a URL."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import unquote, urlparse

from search_index.api import SearchBackend
from search_index.errors import IndexUnavailableError
from search_index.schema import SCHEMA_VERSION
from search_index.whoosh_backend import WhooshBackend, WhooshOptions

# The document collections one location holds side by side: each its own Whoosh index in the folder, or its
# own table in the PostgreSQL database; same schema, analyzer and query language.
COLLECTIONS = ("cases", "articles")


def open_backend(url_or_path: str, options: WhooshOptions | None = None, collection: str = "cases") -> SearchBackend:
    """Open the search backend named by ``url_or_path`` for ``collection`` (see :data:`COLLECTIONS`).

    ``/some/folder`` or ``whoosh:///some/folder`` (or ``whoosh:relative/folder``)
    opens a Whoosh index in that folder. ``postgresql://...`` (or ``postgresql+psycopg://...``)
    opens the PostgreSQL full-text backend in that database.
    """
    if collection not in COLLECTIONS:
        raise IndexUnavailableError(f"unknown search collection {collection!r}")
    options = options or WhooshOptions()
    if collection != "cases":
        options = replace(options, index_name=f"{collection}_v{SCHEMA_VERSION}")
    if not isinstance(url_or_path, str) or not url_or_path.strip():
        raise IndexUnavailableError("the search index location is empty")
    value = url_or_path.strip()
    scheme = urlparse(value).scheme.lower() if "://" in value or value.startswith("whoosh:") else ""
    if scheme in ("", "file") or (len(scheme) == 1 and value[1:3] in (":\\", ":/")):
        path = unquote(urlparse(value).path) if scheme == "file" else value
        return WhooshBackend(path, options)
    if scheme == "whoosh":
        rest = value[len("whoosh:"):]
        path = unquote(rest[2:] if rest.startswith("//") else rest)
        if not path:
            raise IndexUnavailableError("a whoosh: URL needs a folder path, e.g. whoosh:///var/index")
        return WhooshBackend(path, options)
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        from search_index.postgres_backend import PostgresBackend, PostgresOptions

        table = PostgresOptions.table if collection == "cases" else f"search_{collection}_v{SCHEMA_VERSION}"
        return PostgresBackend(value, PostgresOptions(table=table, writer_timeout=options.writer_timeout))
    raise IndexUnavailableError(f"unknown search backend {scheme!r} in {url_or_path!r}")
