"""The worker's surge check (``cases.surge``) on each new placed case, after the case is indexed. Similar means:
among the search index's more-like-this hits for the case, and sharing at least ``SURGE_MIN_SHARED_WORDS`` of the
rising-topics words (stop words dropped) with it, so that one common word does not make two letters alike."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases import outbox, surge
from cases.models import Case, Letter, OutboxItem
from search_index import IndexUnavailableError, QueryError
from web.search_wiring import backend
from web.supervision.topics import words
from web.tasks.queue import register_outbox_handler

SIMILAR_LIMIT = 50
BODY_CHARS = 1000


def rule(app: Flask) -> surge.SurgeRule:
    return surge.SurgeRule(int(app.config["SURGE_WINDOW_MINUTES"]), int(app.config["SURGE_MIN_CASES"]))


def _words(session: Session, ids: list[int]) -> dict[int, set[str]]:
    texts: dict[int, list[str]] = defaultdict(list)
    for case_id, subject, body in session.execute(
            select(Case.id, Case.subject, func.substr(Letter.body, 1, BODY_CHARS))
            .join(Letter, Letter.case_id == Case.id).where(Case.id.in_(ids))):
        texts[case_id].append(f"{subject}\n{body or ''}")
    return {case_id: set(words("\n".join(parts))) for case_id, parts in texts.items()}


def similar_cases(app: Flask, session: Session) -> Callable[[int], list[int]]:
    """``similar(case_id)``: the ids of the cases like it (see the module's note)."""
    least = int(app.config["SURGE_MIN_SHARED_WORDS"])

    def similar(case_id: int) -> list[int]:
        hits = [int(hit.id) for hit in backend(app).similar(str(case_id), limit=SIMILAR_LIMIT) if hit.id.isdigit()]
        if not hits:
            return []
        vocab = _words(session, [case_id, *hits])
        own = vocab.get(case_id, set())
        return [i for i in hits if len(own & vocab.get(i, set())) >= least]
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
            surge.check(session, int(item.key), similar_cases(app, session), rule(app))
        except (IndexUnavailableError, QueryError):
            current_app.logger.warning("surge check of case %s waits for the search index", item.key)
            continue
        done.append(item.id)
    return done


def init_app(app: Flask) -> None:
    register_outbox_handler(app, outbox.SURGE_CHECK, check_items)
