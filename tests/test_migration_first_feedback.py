"""Migration 0008 back-fills each answered case's first feedback time and the deadline in force then."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from cases.db import MIGRATIONS, make_engine


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _migrate(engine: sa.Engine, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    url = (f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite"
           else request.getfixturevalue("fresh_postgres_database")())
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_existing_cases_get_their_first_feedback_and_deadline(empty_engine: sa.Engine) -> None:
    _migrate(empty_engine, "0007")
    rows = {
        "unit": [{"id": 1, "name": "Transport Bureau", "kind": "bureau", "email": "", "head_email": "",
                  "active": True}],
        "case_file": [{"id": n, "number": f"2026-00000{n}", "tracking_code": f"T{n}", "kind": "report",
                       "subject": "s", "status": "answered" if n < 3 else "dispatched", "channel": "web",
                       "urgent": False, "major_emergency": False, "consent_to_publish": False, "unit_id": 1,
                       "received_at": t("2026-03-02 01:00"), "extension_reason": "", "supervised": False,
                       "created_at": t("2026-03-02 01:00"), "updated_at": t("2026-03-02 01:00"),
                       "version": 1} for n in (1, 2, 3)],
        # Case 1: deadline set, extended before the first feedback, moved again after it (not in force then).
        "event": [{"case_id": 1, "action": "deadline", "at": at, "data": {"from": None, "to": to}, "note": "",
                   "internal": True} for at, to in ((t("2026-03-02 02:00"), "2026-03-16"),
                                                    (t("2026-03-10 02:00"), "2026-03-20"),
                                                    (t("2026-03-25 02:00"), "2026-04-30"))]
        + [{"case_id": 3, "action": "deadline", "at": t("2026-03-02 02:00"),
            "data": {"from": None, "to": "2026-03-16"}, "note": "", "internal": True}],
        "feedback": [{"case_id": 1, "unit_id": 1, "body": "second", "created_at": t("2026-03-24 08:00")},
                     {"case_id": 1, "unit_id": 1, "body": "first", "created_at": t("2026-03-18 08:00")},
                     {"case_id": 2, "unit_id": 1, "body": "no deadline", "created_at": t("2026-03-05 08:00")}],
    }
    metadata = sa.MetaData()
    metadata.reflect(empty_engine, only=list(rows))
    with empty_engine.begin() as conn:
        for table, values in rows.items():
            conn.execute(sa.insert(metadata.tables[table]), values)
    _migrate(empty_engine, "head")
    with empty_engine.connect() as conn:
        found = {r.id: (str(r.first_feedback_at)[:16], r.due_at_feedback and str(r.due_at_feedback))
                 for r in conn.execute(sa.text("SELECT id, first_feedback_at, due_at_feedback FROM case_file"))}
    assert found == {1: ("2026-03-18 08:00", "2026-03-20"), 2: ("2026-03-05 08:00", None), 3: ("None", None)}
