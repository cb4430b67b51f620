"""A year of cases for ``bench/dashboard.py``, written straight into a fresh database in bulk.

Letters, feedback, replies, deadline and return events, each case's first feedback time and deadline in force as
the services keep them. On SQLite the rows go in through SQLAlchemy's ``insert`` (executemany); on PostgreSQL
through ``COPY`` with the indexes and keys made after the load (``bench/copy_load.py``), the same rows either way.
"""
from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from bench.copy_load import copy_rows, indexes_after, vacuum_analyze
from cases import admin
from cases.demo import CATEGORIES, UNITS
from cases.drafts import Channel
from cases.models import Case, CaseKind, Category, Event, Feedback, Letter, Reply, Satisfaction, Unit
from cases.numbering import format_case_number
from cases.workflow import Status

SUBJECTS = ["Street light broken on {r} Road", "小区夜间施工噪音扰民", "Más autobuses en la línea {n}",
            "Heating not working in building {n}", "垃圾清运不及时，{r}路附近异味严重", "Pothole on {r} Street",
            "公交车{n}路晚点", "Water leak near {r} Avenue", "Ruido del bar en la calle {r}", "停车难问题",
            "Noise from construction at night", "路灯不亮存在安全隐患", "Parque sin limpiar", "共享单车乱停放"]
ROADS = ["Jiefang", "Zhongshan", "Renmin", "Elm", "Maple", "Mayor", "Alcalá"]
BATCH = 10_000
TABLES = (Case, Letter, Event, Feedback, Reply)  # in the order they are written (the keys point backwards)
Rows = dict[Any, list[dict[str, Any]]]


def batches(count: int, rng: random.Random, unit_ids: list[int], category_ids: list[int],
            now: datetime) -> Iterator[Rows]:
    """The rows of ``count`` cases received over the year before ``now``, ``BATCH`` cases at a time:
    {model: [row, ...]}."""
    kinds, channels = list(CaseKind), list(Channel)
    statuses = [Status.CLOSED] * 5 + [Status.REPLIED, Status.ANSWERED, Status.ACCEPTED, Status.DISPATCHED,
                                      Status.REGISTERED]
    for start in range(0, count, BATCH):
        cases, letters, feedback, replies, events = [], [], [], [], []
        for i in range(start, min(start + BATCH, count)):
            received = now - timedelta(days=rng.random() * 365, seconds=rng.randint(0, 86_400))
            status = rng.choice(statuses)
            unit_id = rng.choice(unit_ids) if status != Status.REGISTERED else None
            subject = rng.choice(SUBJECTS).format(r=rng.choice(ROADS), n=rng.randint(1, 40))
            case_id = i + 1
            due = (received + timedelta(days=14)).date()
            # As the services keep them: the first feedback's time and the deadline in force then, on the case.
            answered_at = (received + timedelta(hours=3, days=rng.random() * 20)
                           if status in (Status.ANSWERED, Status.REPLIED, Status.CLOSED) else None)
            cases.append({"id": case_id, "number": format_case_number(received.year, i + 1),
                          "tracking_code": f"T{i:09d}", "kind": rng.choice(kinds),
                          "category_id": rng.choice(category_ids), "subject": subject,
                          "status": status, "channel": rng.choice(channels), "urgent": rng.random() < 0.03,
                          "unit_id": unit_id, "received_at": received,
                          "due_date": due if status != Status.CLOSED else None,
                          "satisfaction": rng.choice(list(Satisfaction)) if status == Status.CLOSED else None,
                          "supervised": rng.random() < 0.01, "first_feedback_at": answered_at,
                          "due_at_feedback": due if answered_at else None})
            letters.append({"case_id": case_id, "channel": Channel.WEB, "subject": subject,
                            "body": subject + "。 " + "Residents have complained for weeks. " * 3,
                            "received_at": received})
            if unit_id is not None:
                events.append({"case_id": case_id, "action": "deadline", "at": received + timedelta(hours=2),
                               "data": {"from": None, "to": due.isoformat()}})
                if rng.random() < 0.05:
                    events.append({"case_id": case_id, "action": "return", "at": received + timedelta(hours=5),
                                   "data": {"unit_id": rng.choice(unit_ids)}})
            if answered_at is not None:
                feedback.append({"case_id": case_id, "unit_id": unit_id, "body": "Handled.",
                                 "created_at": answered_at})
            if status in (Status.REPLIED, Status.CLOSED):
                replies.append({"case_id": case_id, "channel": "email", "body": "Reply.", "status": "sent"})
        yield {Case: cases, Letter: letters, Event: events, Feedback: feedback, Reply: replies}


def setup(session: Session) -> tuple[list[int], list[int]]:
    """The demo's units and categories, through the admin services; their ids."""
    for name, kind in UNITS:
        admin.add_unit(session, name=name, kind=kind)
    for name in CATEGORIES:
        admin.add_category(session, name)
    session.flush()
    return list(session.scalars(select(Unit.id))), list(session.scalars(select(Category.id)))


def generate(session: Session, count: int, rng: random.Random) -> None:
    """Write ``count`` cases; on PostgreSQL by ``COPY`` with indexes built after, then ``VACUUM ANALYZE`` (the
    state autovacuum leaves a table in), with the time of each step on stderr."""
    unit_ids, category_ids = setup(session)
    now = datetime.now(timezone.utc)
    if session.get_bind().dialect.name != "postgresql":
        for rows in batches(count, rng, unit_ids, category_ids, now):
            for model in TABLES:
                if rows[model]:
                    session.execute(insert(model), rows[model])
            session.commit()
        return
    session.commit()
    connection = session.connection()
    started = time.perf_counter()
    with indexes_after(connection, [model.__table__ for model in TABLES]):
        for rows in batches(count, rng, unit_ids, category_ids, now):
            for model in TABLES:
                copy_rows(connection, model.__table__, rows[model])
        _say(f"copied {count} cases", started)
    _say("indexes and keys made", started)
    # Explicit ids leave the serial behind: move it past them, as rows the app inserts would have.
    connection.execute(text("SELECT setval(pg_get_serial_sequence('case_file', 'id'), "
                            "(SELECT max(id) FROM case_file))"))
    session.commit()
    vacuum_analyze(session.get_bind(), [model.__table__.name for model in TABLES])
    _say("vacuumed and analysed", started)


def _say(what: str, started: float) -> None:
    print(f"   {what}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
