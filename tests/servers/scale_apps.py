"""Apps for the scale tests, built without ``app_factory``: these tests choose their own servers (PostgreSQL,
Redis) explicitly, so ``make test``'s second pass (``TEST_DATABASE=postgres``, which re-runs what uses
``app_factory``) would only repeat them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

from flask import Flask

from tests.conftest import make_app
from web.app_state import state


@contextmanager
def app_builder(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Callable[..., Flask]]:
    """A factory of apps (``DATABASE_URL`` given, or a copy of the migrated SQLite file), closed at the end."""
    made: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        instance = tmp_path / f"app{len(made)}"
        instance.mkdir()
        url = overrides.pop("DATABASE_URL", None)
        if url is None:
            shutil.copy(migrated_sqlite, instance / "mailbox.db")
            url = f"sqlite:///{instance / 'mailbox.db'}"
        app = make_app(instance, url, **overrides)
        made.append(app)
        return app

    try:
        yield build
    finally:
        for app in made:
            if state(app).search is not None:
                state(app).search.close()
            state(app).engine.dispose()
