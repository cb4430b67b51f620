"""The search index in the app: one backend per process, fed from the outbox, rebuilt and checked on demand."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from cases import indexing, outbox, queries
from cases.actors import Actor
from cases.models import OutboxItem
from search_index import (IndexUnavailableError, QueryError, SearchBackend, SearchRequest, WhooshBackend,
                          WhooshOptions, open_backend)
from web.tasks.queue import register_outbox_handler
from web.app_state import db, state

STAFF = frozenset({"clerk", "supervisor", "admin"})


def backend(app: Flask) -> SearchBackend:
    """This process's search backend, opened on first use (after a worker fork, never before)."""
    st = state(app)
    if st.search is None:
        options = WhooshOptions(writer_timeout=float(app.config["SEARCH_WRITER_TIMEOUT"]))
        st.search = open_backend(app.config["SEARCH_URL"], options)
    return st.search


def request_for(actor: Actor, **kwargs: Any) -> SearchRequest:
    """A search request confined to what ``actor`` may see (``cases.queries.scoped``, asked of the index): a unit
    handler finds the cases of their unit and the units below it, and those they hold a part of; personal data
    is searched for the desk only."""
    if actor.role in STAFF:
        return SearchRequest(restrict_unit_ids=None, include_private=True, **kwargs)
    units = [str(u) for u in queries.visible_unit_ids(db(), actor)] if actor.role == "unit" else []
    cases = [str(c) for c in queries.part_case_ids(db(), actor)] if units else []
    return SearchRequest(restrict_unit_ids=units, restrict_case_ids=cases, include_private=False, **kwargs)


def _index_items(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    ids = sorted({int(item.key) for item in items if item.key.isdigit()})
    documents = list(indexing.documents(session, ids))
    if session.get_bind().dialect.name == "sqlite":
        # On SQLite the claim and this read are one reader transaction (registered reads_first): the worker runs
        # niced, and a write turn it held waited for the CPU while every letter form waited for the turn. It ends
        # before the slow index write. The topic's file lock keeps other drains out; the done marks follow in the
        # next transaction, and a crash in between only indexes the same versions again.
        session.commit()
    try:
        backend(app).index_documents(documents)
    except IndexUnavailableError as err:
        for item in items:
            outbox.mark_failed(session, item.id, str(err))
        return []
    return [item.id for item in items]


def rebuild(app: Flask, on_progress: Callable[[int], None] | None = None, batch: int = 500) -> int:
    """Index every case from the database afresh; returns the number of cases.

    The documents are streamed from the database into the backend's ``bulk_index`` (one writer, one commit),
    so memory stays flat whatever the number of cases.
    """
    index = backend(app)
    index.clear()
    with state(app).sessions() as session:
        ids = indexing.all_case_ids(session)

        def stream() -> Iterator[dict[str, Any]]:
            for start in range(0, len(ids), batch):
                yield from indexing.documents(session, ids[start:start + batch])
                session.expunge_all()

        index.bulk_index(stream(), on_progress=on_progress, every=batch)
    return len(ids)


def check(app: Flask, repair: bool = False) -> dict[str, list[str]]:
    """Compare database and index: cases missing from the index, indexed with an old version, or not in the database."""
    index = backend(app)
    with state(app).sessions() as session:
        truth = indexing.versions(session)
        indexed = index.stored_versions()
        report = {
            "missing": sorted(set(truth) - set(indexed), key=int),
            "stale": sorted((k for k in truth if k in indexed and indexed[k] != truth[k]), key=int),
            "extra": sorted(set(indexed) - set(truth), key=lambda k: (len(k), k)),
        }
        if repair:
            fix = [int(k) for k in report["missing"] + report["stale"]]
            for start in range(0, len(fix), 500):
                index.index_documents(indexing.documents(session, fix[start:start + 500]))
            if report["extra"]:
                index.delete(report["extra"])
    return report


def size_warning(app: Flask) -> str | None:
    """Why this index should move to the PostgreSQL backend: a Whoosh index holding more cases than
    ``SEARCH_WHOOSH_MAX_CASES``, past which its searches are slower than 100 ms p95; None when it is fine."""
    index = backend(app)
    limit = int(app.config["SEARCH_WHOOSH_MAX_CASES"])
    if not limit or not isinstance(index, WhooshBackend):
        return None
    count = index.doc_count()
    if count <= limit:
        return None
    return (f"the Whoosh search index holds {count} cases, more than SEARCH_WHOOSH_MAX_CASES ({limit}): "
            "searches get slower than 100 ms; set SEARCH_URL to a PostgreSQL database and run "
            "`flask --app web index rebuild` (docs/scaling.md)")


def init_app(app: Flask) -> None:
    register_outbox_handler(app, outbox.INDEX_CASE, _index_items, reads_first=True)


def similar_cases(app: Flask, actor: Actor, case_id: int, limit: int = 5) -> list[Any]:
    """Cases that read like ``case_id`` (for spotting duplicates); empty when the index cannot answer now."""
    restrict = request_for(actor).restrict_unit_ids
    try:
        return backend(app).similar(str(case_id), restrict_unit_ids=restrict, limit=limit)
    except (IndexUnavailableError, QueryError):
        app.logger.warning("similar cases unavailable for case %s", case_id)
        return []
