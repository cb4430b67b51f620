"""The worker's surge check (``cases.surge``) on each new placed case, after the case is indexed: similarity is
the search index's."""
from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import outbox, surge
from cases.models import OutboxItem
from search_index import IndexUnavailableError, QueryError
from web.search_wiring import backend
from web.tasks.queue import register_outbox_handler

SIMILAR_LIMIT = 50


def rule(app: Flask) -> surge.SurgeRule:
    return surge.SurgeRule(int(app.config["SURGE_WINDOW_MINUTES"]), int(app.config["SURGE_MIN_CASES"]))


def _similar(app: Flask):  # type: ignore[no-untyped-def]
    def similar(case_id: int) -> list[int]:
        return [int(hit.id) for hit in backend(app).similar(str(case_id), limit=SIMILAR_LIMIT) if hit.id.isdigit()]
    return similar


def check_items(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    """Check each case for a surge; a case still waiting to be indexed waits too (left pending, retried)."""
    keys = [item.key for item in items]
    waiting = set(session.scalars(select(OutboxItem.key).where(
        OutboxItem.topic == outbox.INDEX_CASE, OutboxItem.done_at.is_(None), OutboxItem.key.in_(keys))))
    done = []
    for item in items:
        if item.key in waiting:
            continue
        try:
            surge.check(session, int(item.key), _similar(app), rule(app))
        except (IndexUnavailableError, QueryError):
            current_app.logger.warning("surge check of case %s waits for the search index", item.key)
            continue
        done.append(item.id)
    return done


def init_app(app: Flask) -> None:
    register_outbox_handler(app, outbox.SURGE_CHECK, check_items)
