"""A module-scoped app with demo data for the supervision and disclosure tests.

Building an app and loading the demo costs about a second (mostly password hashing); these tests share one app
per module and use cheap argon2 parameters for the demo users (log-in still goes through the real argon2 check).
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask

from cases import demo
from tests.conftest import make_app
from web.app_state import state


class FastHasher:
    """argon2id with the smallest parameters: the same hash format, a fraction of the time."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except Exception:
            return False


def build_demo_app(folder: Path, template_db: Path, **overrides: object) -> Flask:
    """An app on a copy of the migrated database, with the demo loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    db_file = folder / "mailbox.db"
    shutil.copy(template_db, db_file)
    app = make_app(folder, f"sqlite:///{db_file}", **overrides)
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, FastHasher())
        session.commit()
    return app


@pytest.fixture(scope="module")
def module_app(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Flask]:
    app = build_demo_app(tmp_path_factory.mktemp("supervision"), migrated_sqlite,
                         OPEN311_RATE_LIMIT="100000 per minute")
    yield app
    state(app).engine.dispose()
