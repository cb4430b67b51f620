"""Background jobs (Huey): SQLite storage by default, Redis when ``REDIS_URL`` is set, inline in tests.

Tasks are registered on the app's own Huey instance in the factory, so they run with the app's configuration;
the worker is ``flask --app web worker``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.orm import Session

from cases import outbox
from web.state import state

# topic -> handler(app, session, items) -> ids done; filled by the modules that own a topic.
OutboxHandler = Callable[[Flask, Session, list], list[int]]


def make_huey(app: Flask) -> Any:
    cfg = app.config
    if cfg["HUEY_IMMEDIATE"]:
        huey = MemoryHuey("mayors-mailbox", immediate=True)
    elif cfg["REDIS_URL"]:
        huey = RedisHuey("mayors-mailbox", url=cfg["REDIS_URL"])
    else:
        huey = SqliteHuey("mayors-mailbox", filename=cfg["HUEY_SQLITE_PATH"])
    return huey


def drain(app: Flask, topic: str, batch: int = 500) -> int:
    """Run the handler of ``topic`` over its pending outbox items until none is left; returns items done."""
    handler = state(app).extra.get("outbox_handlers", {}).get(topic)
    if handler is None:
        return 0
    total = 0
    while True:
        with state(app).sessions() as session:
            items = list(outbox.pending(session, topic, batch))
            if not items:
                return total
            done = handler(app, session, items)
            outbox.mark_done(session, done)
            session.commit()
            total += len(done)
            if len(done) < len(items):
                return total  # the rest failed; their attempts are recorded and a later run retries


def register_outbox_handler(app: Flask, topic: str, handler: OutboxHandler) -> None:
    state(app).extra.setdefault("outbox_handlers", {})[topic] = handler


def init_app(app: Flask) -> None:
    huey = make_huey(app)
    state(app).huey = huey

    @huey.task(retries=3, retry_delay=10)
    def drain_outbox(topic: str) -> int:
        with app.app_context():
            return drain(app, topic)

    @huey.periodic_task(crontab(minute="*"))
    def drain_all_outboxes() -> None:
        with app.app_context():
            for topic in list(state(app).extra.get("outbox_handlers", {})):
                drain(app, topic)

    state(app).extra["drain_outbox"] = drain_outbox


def kick(topics: tuple[str, ...] = (outbox.INDEX_CASE, outbox.SEND_MAIL)) -> None:
    """After a commit: ask the worker to drain the outboxes now instead of at the next minute."""
    task = state().extra.get("drain_outbox")
    if task is None:
        return
    for topic in topics:
        try:
            task(topic)
        except Exception:  # the periodic drain picks it up; a hiccup of the queue must not fail the request
            current_app.logger.exception("could not queue %s", topic)
