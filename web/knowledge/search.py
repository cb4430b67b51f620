"""Knowledge base articles in the search engine: their own collection beside the cases (same analyzer, same
query language, Whoosh or PostgreSQL as configured), fed from the outbox after each approval."""
from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from cases import knowledge
from cases.models import OutboxItem
from search_index import IndexUnavailableError, QueryError, SearchBackend, SearchRequest, WhooshOptions, open_backend
from web.tasks.queue import register_outbox_handler
from web.app_state import state


def article_backend(app: Flask) -> SearchBackend:
    """This process's article index, opened on first use."""
    app_state = state(app)
    if app_state.article_search is None:
        options = WhooshOptions(writer_timeout=float(app.config["SEARCH_WRITER_TIMEOUT"]))
        app_state.article_search = open_backend(app.config["SEARCH_URL"], options, collection="articles")
    return app_state.article_search


def _index_items(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    ids = sorted({int(item.key) for item in items if item.key.isdigit()})
    docs, gone = knowledge.documents(session, ids)
    try:
        index = article_backend(app)
        if docs:
            index.index_documents(docs)
        if gone:
            index.delete(gone)
    except IndexUnavailableError:
        app.logger.warning("article index unavailable; %d item(s) stay pending", len(items))
        return []
    return [item.id for item in items]


def rebuild_articles(app: Flask) -> int:
    """Index every approved, active article afresh; returns how many."""
    index = article_backend(app)
    index.clear()
    with state(app).sessions() as session:
        ids = knowledge.all_article_ids(session)
        for start in range(0, len(ids), 500):
            docs, _gone = knowledge.documents(session, ids[start:start + 500])
            index.index_documents(docs)
    return len(ids)


def search_articles(app: Flask, query: str, *, lang: str | None = None, limit: int = 5) -> list[int]:
    """Ids of the approved articles best matching ``query`` (every staff member may read every article)."""
    filters = {"channel": lang} if lang else {}
    try:
        page = article_backend(app).search(SearchRequest(query=query, filters=filters, per_page=limit,
                                                                 facets=False))
    except (IndexUnavailableError, QueryError):
        return []
    return [int(hit.id) for hit in page.hits]


def init_app(app: Flask) -> None:
    register_outbox_handler(app, knowledge.INDEX_ARTICLE, _index_items)
