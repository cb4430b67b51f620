"""A year of cases for ``bench/dashboard.py``, written straight into a fresh database in bulk.

Letters, feedback, replies, deadline and return events, each case's first feedback time and deadline in force as
the services keep them; for the lists, a co-handling part on some dispatched cases, a published archive entry for
some closed cases and a staff view in the access log per case. On SQLite the rows go in through SQLAlchemy's
``insert`` (executemany); on PostgreSQL through ``COPY`` with the indexes and keys made after the load
(``bench/copy_load.py``), the same rows either way.
"""
from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from bench.copy_load import copy_rows, indexes_after, vacuum_analyze
from cases import admin
from cases.demo import CATEGORIES, UNITS
from cases.drafts import Channel
from cases.models import Case, CaseKind, Category, Event, Feedback, Letter, Reply, Role, Satisfaction, Unit, User
from cases.models_disclosure import Publication
from cases.models_levels import Assignment
from cases.models_privacy import AccessLog
from cases.numbering import format_case_number
from cases.workflow import Status

SUBJECTS = ["Street light broken on {r} Road", "小区夜间施工噪音扰民", "Más autobuses en la línea {n}",
            "Heating not working in building {n}", "垃圾清运不及时，{r}路附近异味严重", "Pothole on {r} Street",
            "公交车{n}路晚点", "Water leak near {r} Avenue", "Ruido del bar en la calle {r}", "停车难问题",
            "Noise from construction at night", "路灯不亮存在安全隐患", "Parque sin limpiar", "共享单车乱停放"]
ROADS = ["Jiefang", "Zhongshan", "Renmin", "Elm", "Maple", "Mayor", "Alcalá"]
BATCH = 10_000
# In the order they are written (the keys point backwards).
TABLES = (Case, Letter, Event, Feedback, Reply, Assignment, Publication, AccessLog)
Rows = dict[Any, list[dict[str, Any]]]


@dataclass(frozen=True)
class Office:
    """The units, categories and staff (id, user name, role) the cases are spread over."""

    unit_ids: list[int]
    category_ids: list[int]
    users: list[tuple[int, str, str]]


def batches(count: int, rng: random.Random, office: Office, now: datetime) -> Iterator[Rows]:
    """The rows of ``count`` cases received over the year before ``now``, ``BATCH`` cases at a time:
    {model: [row, ...]}."""
    unit_ids, category_ids = office.unit_ids, office.category_ids
    kinds, channels = list(CaseKind), list(Channel)
    statuses = [Status.CLOSED] * 5 + [Status.REPLIED, Status.ANSWERED, Status.ACCEPTED, Status.DISPATCHED,
                                      Status.REGISTERED]
    for start in range(0, count, BATCH):
        cases, letters, feedback, replies, events = [], [], [], [], []
        parts, publications, views = [], [], []
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
            if unit_id is not None and rng.random() < 0.03:
                parts.append({"case_id": case_id, "unit_id": rng.choice(unit_ids), "role": "co",
                              "from_unit_id": unit_id, "due_date": due, "created_at": received + timedelta(hours=3)})
            if status == Status.CLOSED and rng.random() < 0.1:
                publications.append({"case_id": case_id, "number": cases[-1]["number"],
                                     "kind": cases[-1]["kind"].value, "subject": subject,
                                     "letter_text": letters[-1]["body"], "reply_text": "Reply.",
                                     "received_on": received.date(), "published_at": received + timedelta(days=25)})
            user_id, name, role = rng.choice(office.users)
            views.append({"at": received + timedelta(hours=1), "user_id": user_id, "actor": name, "role": role,
                          "action": "view_citizen", "case_number": cases[-1]["number"], "address": "10.0.0.7"})
        yield {Case: cases, Letter: letters, Event: events, Feedback: feedback, Reply: replies, Assignment: parts,
               Publication: publications, AccessLog: views}


def setup(session: Session) -> Office:
    """The demo's units and categories (through the admin services), a clerk, a supervisor and a handler per
    unit."""
    for name, kind in UNITS:
        admin.add_unit(session, name=name, kind=kind)
    for name in CATEGORIES:
        admin.add_category(session, name)
    session.flush()
    unit_ids = list(session.scalars(select(Unit.id)))
    staff = [("clerk", Role.CLERK, None), ("supervisor", Role.SUPERVISOR, None)]
    staff += [(f"handler{unit_id}", Role.UNIT, unit_id) for unit_id in unit_ids]
    # A password no log-in matches: the bench reads as these users, it never logs in.
    session.add_all(User(username=name, role=role, unit_id=unit_id, password_hash="!") for name, role, unit_id in staff)
    session.flush()
    users = [(user.id, user.username, user.role.value) for user in session.scalars(select(User).order_by(User.id))]
    return Office(unit_ids, list(session.scalars(select(Category.id))), users)


def generate(session: Session, count: int, rng: random.Random) -> None:
    """Write ``count`` cases; on PostgreSQL by ``COPY`` with indexes built after, then ``VACUUM ANALYZE`` (the
    state autovacuum leaves a table in), with the time of each step on stderr."""
    office = setup(session)
    now = datetime.now(timezone.utc)
    if session.get_bind().dialect.name != "postgresql":
        for rows in batches(count, rng, office, now):
            for model in TABLES:
                if rows[model]:
                    session.execute(insert(model), rows[model])
            session.commit()
        return
    session.commit()
    connection = session.connection()
    started = time.perf_counter()
    with indexes_after(connection, [model.__table__ for model in TABLES]):
        for rows in batches(count, rng, office, now):
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
