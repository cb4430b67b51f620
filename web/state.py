"""The app's wiring, built once by the factory: database, file store, deadline policy, search, jobs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cases.calendar import WorkCalendar
from cases.context import Policy
from cases.db import make_engine, make_session_factory
from cases.storage import LocalFileStore
from cases.ways_in import WaysIn


@dataclass
class AppState:
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    search: Any = None  # search_index backend, set by web.search_wiring
    huey: Any = None  # set by web.jobs
    extra: dict[str, Any] = field(default_factory=dict)


def build_state(app: Flask) -> AppState:
    """Create engine, sessions and policy from ``app.config``."""
    cfg = app.config
    engine = make_engine(cfg["DATABASE_URL"])
    policy = Policy(
        store=LocalFileStore(cfg["FILES_DIR"]),
        calendar=WorkCalendar.from_iso(cfg["HOLIDAYS"], cfg["MAKEUP_DAYS"]),
        timezone=cfg["OFFICE_TIMEZONE"],
        dispatch_days=int(cfg["DISPATCH_DAYS"]),
        answer_days={k: int(v) for k, v in cfg["ANSWER_DAYS"].items()},
        ways_in=WaysIn.for_office([cfg["PUBLIC_BASE_URL"], *cfg["OFFICE_INTERNAL_HOSTS"]]),
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
