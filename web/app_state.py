"""The app's wiring, built once by the factory: database, file store, deadline policy, search, jobs."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cases.calendar import WorkCalendar
from cases.policy import Policy
from cases.db import make_engine, make_session_factory
from cases.deadlines import parse_rules
from cases.files.store import LocalFileStore
from cases.ways_in import WaysIn


@dataclass
class Tasks:
    """The app's background tasks (Huey task objects), each set by the module that registers it; None where
    the deployment does not run it."""

    drain_outbox: Any = None  # web.tasks.queue: drain one outbox topic
    drain_topics: Any = None  # web.tasks.queue: a kicked drain of several topics
    drain_letter_spool: Any = None  # web.tasks.queue: register web letters kept while the database was away
    mail_poll: Any = None  # web.tasks.mail: periodic IMAP poll (IMAP_HOST and MAIL_POLL_MINUTES set)
    clean_packs: Any = None  # web.tasks.mail: nightly removal of unindexed raw-mail packs
    scan_batch: Any = None  # web.tasks.scans: OCR one uploaded batch
    scan_watch: Any = None  # web.tasks.scans: import a watched folder (SCAN_WATCH_DIR)
    supervision_notices: Any = None  # web.supervision: morning notices
    weekly_report: Any = None  # web.supervision: the Monday report
    hour_notices: Any = None  # web.supervision: notices on deadlines in hours
    privacy_purge: Any = None  # web.tasks.privacy: nightly erasure past PRIVACY_RETENTION_DAYS
    partitions_ahead: Any = None  # web.tasks.partitions: daily yearly partitions ahead (PostgreSQL)


@dataclass
class AppState:
    """What the factory builds once per app: database, policy, search, jobs, and per-process caches."""

    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    search: Any = None  # search_index backend, set by web.search_wiring
    article_search: Any = None  # the knowledge base's collection, opened on first use (web.knowledge.search)
    huey: Any = None  # set by web.tasks.queue
    tasks: Tasks = field(default_factory=Tasks)
    # Outbox topic -> handler (web.tasks.queue.register_outbox_handler), and the topics whose claims are reads.
    outbox_handlers: dict[str, Callable[..., list[int]]] = field(default_factory=dict)
    outbox_reader_claims: set[str] = field(default_factory=set)
    drain_started: dict[tuple[str, ...], float] = field(default_factory=dict)  # web.tasks.queue.pace, per process
    # Quarantine source -> retry hook (web.quarantine.retry).
    quarantine_retry: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # Anonymous pages rendered once per process (web.public.page_cache and the letter form's fields).
    page_cache: dict[tuple[str, str, str], str] = field(default_factory=dict)
    page_cache_marks: dict[str, str] = field(default_factory=dict)
    blank_letter_fields: dict[str, Any] = field(default_factory=dict)


def build_state(app: Flask) -> AppState:
    """Create engine, sessions and policy from ``app.config``."""
    cfg = app.config
    engine = make_engine(cfg["DATABASE_URL"])
    policy = Policy(
        store=LocalFileStore(cfg["FILES_DIR"]),
        calendar=WorkCalendar.from_iso(cfg["HOLIDAYS"], cfg["MAKEUP_DAYS"], cfg["OFFICE_HOURS"], cfg["NIGHT_DUTY"]),
        timezone=cfg["OFFICE_TIMEZONE"],
        dispatch_days=int(cfg["DISPATCH_DAYS"]),
        co_part_margin_days=int(cfg["CO_PART_MARGIN_DAYS"]),
        answer_days={k: int(v) for k, v in cfg["ANSWER_DAYS"].items()},
        case_number_digits=int(cfg["CASE_NUMBER_DIGITS"]),
        ways_in=WaysIn.for_office([cfg["PUBLIC_BASE_URL"], *cfg["OFFICE_INTERNAL_HOSTS"]]),
        urgency=parse_rules(cfg["URGENCY_DEADLINES"]),
        phone_regions=tuple(str(r).upper() for r in cfg["REDACTION_PHONE_REGIONS"]),
    )
    return AppState(engine=engine, sessions=make_session_factory(engine), policy=policy)


def state(app: Flask | None = None) -> AppState:
    return (app or current_app).extensions["mayors_mailbox"]


def db() -> Session:
    """The request's database session (one per request, closed at teardown)."""
    if "db_session" not in g:
        g.db_session = state().sessions()
    return g.db_session


def policy() -> Policy:
    return state().policy


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
