"""Background jobs (Huey): SQLite storage by default, Redis when ``REDIS_URL`` is set, inline in tests.

Tasks are registered on the app's own Huey instance in the factory, so they run with the app's configuration;
the worker is ``flask --app web worker``. Any number of worker processes, on any number of machines, may run:

* an outbox item is handled by one worker at a time: on PostgreSQL each drain claims its batch with
  ``FOR UPDATE SKIP LOCKED`` (a worker that dies mid-way loses its claim with its connection, and the next
  drain takes the items again); on SQLite (one machine) a file lock per topic lets one drain run at a time;
* every consumer's scheduler offers the periodic tasks, and the first to claim a task's period
  (``HUEY_NAME.period.<task>.<minute>``, ``SET NX EX`` on Redis) enqueues it; the others skip it, so a periodic
  task runs once per period however many workers run.
"""
from __future__ import annotations

import fcntl
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.constants import EmptyData
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import outbox
from cases.db import read_only
from cases.models import OutboxItem
from web.app_state import state

# topic -> handler(app, session, items) -> ids done; filled by the modules that own a topic.
OutboxHandler = Callable[[Flask, Session, list], list[int]]
# How long a claimed period is remembered; longer than any period's start-up skew between consumers.
PERIOD_LEASE_SECONDS = 6 * 3600


def period_key(huey_name: str, task_name: str, moment: datetime) -> str:
    """The lease of one run of a periodic task: crontab schedules have minute resolution."""
    return f"{huey_name}.period.{task_name}.{moment:%Y%m%d%H%M}"


class _OncePerPeriod:
    """Huey mixin: ``read_periodic`` (called by each consumer's scheduler) keeps only the tasks whose period
    this consumer claimed first."""

    def read_periodic(self, timestamp: datetime | None = None) -> list[Any]:
        timestamp = timestamp or self._get_timestamp()  # type: ignore[attr-defined]
        due = super().read_periodic(timestamp)  # type: ignore[misc]
        return [task for task in due if self.claim_period(period_key(self.name, task.name, timestamp))]  # type: ignore[attr-defined]

    def claim_period(self, key: str) -> bool:
        return bool(self.storage.put_if_empty(key, b"1"))  # type: ignore[attr-defined]


class ClusterRedisHuey(_OncePerPeriod, RedisHuey):
    """Huey on Redis whose periodic tasks run once per period across all consumers."""

    def claim_period(self, key: str) -> bool:
        return bool(self.storage.conn.set(key, os.getpid(), nx=True, ex=PERIOD_LEASE_SECONDS))


class ClusterSqliteHuey(_OncePerPeriod, SqliteHuey):
    """Huey on SQLite whose periodic tasks run once per period across the consumers of this machine."""

    def claim_period(self, key: str) -> bool:
        claimed = super().claim_period(key)
        if claimed:  # forget the leases of earlier days (keys sort by time within a task)
            prefix, _, stamp = key.rpartition(".")
            self.storage.sql("delete from kv where queue = ? and key like ? and key < ?",
                             (self.storage.name, f"{prefix}.%", f"{prefix}.{stamp[:8]}"), commit=True)
        return claimed


def make_huey(app: Flask) -> Any:
    """The app's Huey: inline (``HUEY_IMMEDIATE``), on Redis (``REDIS_URL``) or on SQLite (``HUEY_SQLITE_PATH``).

    ``HUEY_NAME`` names the queue; apps sharing a Redis must share the name to share the work."""
    cfg = app.config
    name = str(cfg["HUEY_NAME"])
    if cfg["HUEY_IMMEDIATE"]:
        huey = MemoryHuey(name, immediate=True)
    elif cfg["REDIS_URL"]:
        huey = ClusterRedisHuey(name, url=cfg["REDIS_URL"])
    else:
        huey = ClusterSqliteHuey(name, filename=cfg["HUEY_SQLITE_PATH"])
    return huey


_held = threading.local()


@contextmanager
def _topic_lock(app: Flask, session: Session, topic: str) -> Iterator[None]:
    """On SQLite, one drain of ``topic`` at a time on this machine (released by the kernel if we die)."""
    path = os.path.join(app.instance_path, f"outbox-{re.sub(r'[^a-z0-9_]', '_', topic)}.lock")
    held: set[str] = _held.__dict__.setdefault("paths", set())
    if session.get_bind().dialect.name == "postgresql" or path in held:
        yield  # PostgreSQL: rows are claimed with SKIP LOCKED instead; or this thread already holds the lock
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        held.add(path)
        try:
            yield
        finally:
            held.discard(path)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _claim(session: Session, topic: str, batch: int) -> list[OutboxItem]:
    """The oldest pending items of ``topic`` that no other drain holds; locked until this transaction ends."""
    stmt = (select(OutboxItem).where(OutboxItem.topic == topic, OutboxItem.done_at.is_(None))
            .order_by(OutboxItem.id).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def drain(app: Flask, topic: str, batch: int = 500) -> int:
    """Run the handler of ``topic`` over its pending outbox items, in batches of ``batch``, until a claim finds a
    batch not full (then everything pending at its start is done); returns items done.

    Safe to run in many processes at once: each item is handled by one drain, and its effect is committed
    with its ``done`` mark, so an item is done once (a crash before the commit leaves it pending)."""
    handler = state(app).outbox_handlers.get(topic)
    if handler is None:
        return 0
    readers = state(app).outbox_reader_claims
    total = 0
    while True:
        with state(app).sessions() as session, _topic_lock(app, session, topic):
            if topic in readers and session.get_bind().dialect.name == "sqlite":
                read_only(session)  # the topic's file lock keeps other drains out meanwhile
            items = _claim(session, topic, batch)
            if not items:
                return total
            done = handler(app, session, items)
            outbox.mark_done(session, done)
            session.commit()
            total += len(done)
            if len(done) < len(items):
                return total  # the rest failed; their attempts are recorded and a later run retries
            if len(items) < batch:
                # Everything pending at the claim is done. Items committed since were kicked by their requests
                # (a queued drain, paced): chasing them here would index a stream of letters one or two at a
                # time, an index commit each.
                return total


def register_outbox_handler(app: Flask, topic: str, handler: OutboxHandler, *, reads_first: bool = False) -> None:
    """``handler`` drains ``topic``. ``reads_first``: it commits the claim's transaction before it writes
    anything, so on SQLite the claim is made as a reader, without the write turn (the worker runs niced, and a
    turn it held waited for the CPU while every letter post waited for the turn)."""
    state(app).outbox_handlers[topic] = handler
    if reads_first:
        state(app).outbox_reader_claims.add(topic)


def init_app(app: Flask) -> None:
    huey = make_huey(app)
    state(app).huey = huey

    @huey.task(retries=3, retry_delay=10)
    def drain_outbox(topic: str) -> int:
        with app.app_context():
            return drain(app, topic)

    @huey.task(retries=3, retry_delay=10)
    def drain_topics(topics: list[str]) -> int:
        pace(app, tuple(topics))
        # Release the kick first: a commit made after this point queues a new drain (see kick()).
        release_kick(huey, tuple(topics))
        with app.app_context():
            return sum(drain(app, topic) for topic in topics)

    @huey.periodic_task(crontab(minute="*"))
    def drain_all_outboxes() -> None:
        with app.app_context():
            for topic in list(state(app).outbox_handlers):
                drain(app, topic)

    @huey.periodic_task(crontab(minute="*"))
    def drain_letter_spool() -> int:
        """Register the web letters kept while the database was away (web.public.posts)."""
        from web.public.posts import drain_spool

        with app.app_context():
            opened = drain_spool(app)
            if opened:
                kick()
        return opened

    state(app).tasks.drain_outbox = drain_outbox
    state(app).tasks.drain_letter_spool = drain_letter_spool
    state(app).tasks.drain_topics = drain_topics


def pace(app: Flask, topics: tuple[str, ...]) -> None:
    """Start kicked drains of ``topics`` at most every ``OUTBOX_DRAIN_PACE`` seconds in this process.

    Under a stream of letters each commit would otherwise start its own small drain, and an index commit costs
    about as much as indexing twenty cases. Waiting here, before the kick is released, lets the commits of the
    interval join one drain (they find the kick taken); a quiet office never waits."""
    interval = float(app.config.get("OUTBOX_DRAIN_PACE") or 0)
    if interval <= 0 or app.config["HUEY_IMMEDIATE"]:
        return
    last: dict[tuple[str, ...], float] = state(app).drain_started
    wait = last.get(topics, float("-inf")) + interval - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    last[topics] = time.monotonic()


def catch_up(app: Flask) -> None:
    """Queue a drain of every outbox topic: a (re)started worker takes over what a crashed one left at once,
    not at the next periodic drain."""
    task = state(app).tasks.drain_outbox
    if task is not None:
        for topic in list(state(app).outbox_handlers):
            task(topic)


KICK_LEASE_SECONDS = 30


def _kick_key(huey: Any, topics: tuple[str, ...]) -> str:
    return f"{huey.name}.kick.{'+'.join(topics)}"


def claim_kick(huey: Any, topics: tuple[str, ...]) -> bool:
    """True when no drain of ``topics`` is queued and not yet started (then the caller queues one).

    Under load most requests find one queued: it has not started, so it will see their commit, and one queue
    write per burst replaces one per request. The lease expires, so a lost task cannot silence the kicks."""
    key = _kick_key(huey, topics)
    if isinstance(huey, ClusterRedisHuey):
        return bool(huey.storage.conn.set(key, b"1", nx=True, ex=KICK_LEASE_SECONDS))
    if isinstance(huey, ClusterSqliteHuey):
        now = f"{time.time():.3f}".encode()
        # Look before writing: under load the lease is nearly always held, and a read needs no lock, while
        # put_if_empty takes the queue file's exclusive lock (which the worker's polling also needs).
        held = huey.storage.peek_data(key)
        if held is EmptyData:
            return bool(huey.storage.put_if_empty(key, now))
        try:
            stale = time.time() - float(held) > KICK_LEASE_SECONDS
        except (TypeError, ValueError):
            stale = True
        if stale:
            huey.storage.put_data(key, now)
        return stale
    return True  # inline (tests): every kick runs


def release_kick(huey: Any, topics: tuple[str, ...]) -> None:
    """Called by the drain as it starts: the next commit's kick queues a new drain."""
    if isinstance(huey, ClusterRedisHuey):
        huey.storage.conn.delete(_kick_key(huey, topics))
    elif isinstance(huey, ClusterSqliteHuey):
        huey.storage.pop_data(_kick_key(huey, topics))


def kick(topics: tuple[str, ...] = (outbox.INDEX_CASE, outbox.SEND_MAIL, outbox.SURGE_CHECK, outbox.EMAIL_SURVEY,
                                   outbox.EMERGENCY_ALERT)) -> None:
    """After a commit: ask the worker to drain the outboxes now instead of at the next minute (one queued
    drain for all ``topics``, and none when one is already waiting)."""
    task = state().tasks.drain_topics
    if task is None:
        return
    huey = state().huey
    try:
        if claim_kick(huey, tuple(topics)):
            task(list(topics))
    except Exception:  # the periodic drain picks it up; a hiccup of the queue must not fail the request
        release_kick_quietly(huey, tuple(topics))
        current_app.logger.exception("could not queue a drain of %s", ", ".join(topics))


def release_kick_quietly(huey: Any, topics: tuple[str, ...]) -> None:
    try:
        release_kick(huey, topics)
    except Exception:  # noqa: BLE001 - the lease expires by itself
        pass
