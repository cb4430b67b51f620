"""Shared fixtures: the app on a throwaway instance folder, its test client, demo data and log-in helpers.

Server fixtures (PostgreSQL, Redis, Dovecot, SMTP, Chromium) live in ``tests/servers/`` and start real servers.
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from psycopg import sql as psql
from flask.testing import FlaskClient

from cases import demo
from cases.db import make_engine, upgrade
# Server fixtures are imported here, once: a session fixture imported into several test modules would be a
# separate fixture per module, and start its server once per module.
from tests.servers.chromium import chromium_browser, page  # noqa: F401
from tests.servers.dovecot import dovecot  # noqa: F401
from tests.servers.postgres import (  # noqa: F401
    create_database,
    drop_database,
    fresh_postgres_database,
    module_postgres_url,
    postgres_server,
    postgres_url,
    unique_database_name,
)
from tests.servers.redis_server import redis_server, redis_url  # noqa: F401
from tests.servers.smtp import smtp_server  # noqa: F401
from web import create_app
from web.auth import Argon2idHasher, hasher
from web.tasks.queue import drain
from web.app_state import state

DEMO_PASSWORDS = {name: password for name, _role, _unit, password in demo.DEMO_USERS}


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test copies it instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "mailbox.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def make_app(instance: Path, database_url: str, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "HUEY_IMMEDIATE": True,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LETTER_RATE_LIMIT": "1000 per minute",
        "PASSWORD_HASH_PROFILE": "CHEAPEST",  # the demo users of every test app; log-in checks read the cost
    }
    config.update(overrides)
    os.environ["MAILBOX_INSTANCE_PATH"] = str(instance)
    try:
        return create_app(config)
    finally:
        del os.environ["MAILBOX_INSTANCE_PATH"]


# `make test` runs the suite twice: on SQLite (the embedded default) and with TEST_DATABASE=postgres.
TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")


@pytest.fixture(scope="session")
def postgres_template(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL database migrated once, copied (CREATE DATABASE ... TEMPLATE) for every test that needs one."""
    server = request.getfixturevalue("postgres_server")
    name = unique_database_name("template")
    url = create_database(server, name)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return name


@pytest.fixture(scope="session")
def migrated_postgres_template(request: pytest.FixtureRequest) -> str | None:
    """The template apps are built on in the PostgreSQL pass; None in the SQLite pass."""
    if TEST_DATABASE != "postgres":
        return None
    return request.getfixturevalue("postgres_template")


def _postgres_copy(request: pytest.FixtureRequest, template: str) -> tuple[str, Callable[[], None]]:
    server = request.getfixturevalue("postgres_server")
    name = unique_database_name(request.node.name)
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute(psql.SQL("CREATE DATABASE {} TEMPLATE {}").format(psql.Identifier(name),
                                                                       psql.Identifier(template)))
    return server.url(name), lambda: drop_database(server, name)


@pytest.fixture()
def app_factory(tmp_path: Path, migrated_sqlite: Path, migrated_postgres_template: str | None,
                request: pytest.FixtureRequest) -> Iterator[Callable[..., Flask]]:
    """Build apps on a fresh copy of the migrated database; override any config key by keyword."""
    made: list[Flask] = []
    cleanups: list[Callable[[], None]] = []

    def factory(**overrides: Any) -> Flask:
        instance = tmp_path / f"instance{len(made)}"
        instance.mkdir()
        if "DATABASE_URL" in overrides:
            url = overrides.pop("DATABASE_URL")
        elif migrated_postgres_template:
            url, cleanup = _postgres_copy(request, migrated_postgres_template)
            cleanups.append(cleanup)
        else:
            db_file = instance / "mailbox.db"
            shutil.copy(migrated_sqlite, db_file)
            url = f"sqlite:///{db_file}"
        app = make_app(instance, url, **overrides)
        made.append(app)
        return app

    yield factory
    for app in made:
        state(app).engine.dispose()
    for cleanup in cleanups:
        cleanup()


@pytest.fixture()
def app(app_factory: Callable[..., Flask]) -> Flask:
    return app_factory()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def demo_data(app: Flask) -> list[tuple[str, str, str]]:
    with state(app).sessions() as session:
        logins = demo.load(session, state(app).policy, hasher(app))
        session.commit()
    drain(app, "index_case")  # what the worker does after the commit
    return logins


def a_category(session: Any, name: str = "Transport") -> int:
    """The id of a demo category (a case is dispatched only with a category)."""
    from sqlalchemy import select

    from cases.models import Category

    return session.scalar(select(Category.id).where(Category.name == name))


def category_id(app: Flask, name: str = "Transport") -> int:
    """:func:`a_category` for tests that post forms to ``app``."""
    with state(app).sessions() as session:
        return a_category(session, name)


def login(client: FlaskClient, username: str, password: str | None = None) -> Any:
    """Log ``username`` in through the real log-in form."""
    return client.post("/auth/login", data={"username": username,
                                            "password": password or DEMO_PASSWORDS[username]})


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path`` (for tests that run with CSRF enforced)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a copy of the migrated template on the throwaway
    PostgreSQL server."""
    if request.param == "sqlite":
        target = tmp_path / "domain.db"
        shutil.copy(migrated_sqlite, target)
        yield f"sqlite:///{target}"
        return
    url, cleanup = _postgres_copy(request, request.getfixturevalue("postgres_template"))
    yield url
    cleanup()


@pytest.fixture()
def domain(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Session factory, policy and demo data on ``database_url``, without Flask: the domain stands alone."""
    from cases.policy import Policy
    from cases.db import make_session_factory
    from cases.files.store import LocalFileStore

    engine = make_engine(database_url)

    class Domain:
        sessions = make_session_factory(engine)
        policy = Policy(store=LocalFileStore(tmp_path / "files"))
        url = database_url

    with Domain.sessions() as session:
        demo.load(session, Domain.policy, Argon2idHasher("CHEAPEST"))
        session.commit()
    yield Domain
    engine.dispose()



def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the PostgreSQL pass, run what goes through the app (the domain tests already cover both databases,
    and tests that touch no database would only repeat themselves)."""
    if TEST_DATABASE != "postgres":
        return
    keep, drop = [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        (keep if "app_factory" in names and "database_url" not in names else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
