"""The schema commands: where the database is, going back a migration and forward again."""
from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from flask import Flask

import cases

MIGRATIONS = Path(cases.__file__).resolve().parent / "migrations"


def test_current_downgrade_and_upgrade(app: Flask) -> None:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    runner = app.test_cli_runner()
    current = runner.invoke(args=["db", "current"])
    assert current.exit_code == 0 and f"{head} (head)" in current.output, current.output
    back = runner.invoke(args=["db", "downgrade", "0013"])  # through every later migration's downgrade
    assert back.exit_code == 0, (back.output, back.exception)
    assert "0013" in runner.invoke(args=["db", "current"]).output
    forward = runner.invoke(args=["db", "upgrade"])
    assert forward.exit_code == 0 and f"{head} (head)" in runner.invoke(args=["db", "current"]).output
