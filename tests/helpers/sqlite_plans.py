"""SQLite query plans of the statements a piece of code runs, for the tests that pin a list page's plan."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from cases.db import make_engine


def plan_engine(migrated_sqlite: Path, folder: Path) -> Engine:
    """An engine on a copy of the migrated test database, so a test may rewrite its statistics."""
    shutil.copy(migrated_sqlite, folder / "plan.db")
    return make_engine(f"sqlite:///{folder / 'plan.db'}")


def last_page_plan(engine: Engine, session: Session, run: Callable[[], Any]) -> str:
    """``EXPLAIN QUERY PLAN`` of the last ordered statement ``run()`` sends through ``engine``."""
    statements: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: Any) -> None:
        if "ORDER BY" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    statement, parameters = statements[-1]
    return " ".join(str(row[-1]) for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                                 parameters))
