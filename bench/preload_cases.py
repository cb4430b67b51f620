"""Fill a migrated database with N earlier cases, as a year of a big city's letters would leave it.

``bench/load.py --preload N`` writes these before the servers start, so the letter form is measured against a
database that already holds them (the unique indexes it writes into, the submission-key lookup, the case-number
counter). Each case has its citizen (phone and email keys, an address), its first letter (web letters carry a
submission key as the form leaves it), and its "received" event; they are written in batches with the case
writer's own bulk insert on SQLite, and with ``COPY`` on PostgreSQL, the indexes and keys made after the load
(``bench/copy_load.py``). They are not put into the search index: the load benchmark checks the index for the
cases it opened.
"""
from __future__ import annotations

import random
import secrets
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.orm import Session

from bench.copy_load import copy_rows, indexes_after, vacuum_analyze
from cases.callers import address_key, phone_key
from cases.drafts import Channel
from cases.new_cases import _insert as bulk_insert  # the case writer's own executemany
from cases.models import Case, CaseKind, CaseSequence, Citizen, Event, Letter
from cases.numbering import format_case_number
from cases.submissions import dedup_key
from cases.workflow import Status

SUBJECTS = ["Street light broken on {r} Road", "小区夜间施工噪音扰民", "Más autobuses en la línea {n}",
            "Heating not working in building {n}", "垃圾清运不及时，{r}路附近异味严重", "Pothole on {r} Street"]
ROADS = ["Jiefang", "Zhongshan", "Renmin", "Elm", "Maple", "Alcalá"]
STATUSES = [Status.CLOSED] * 5 + [Status.REPLIED, Status.REGISTERED, Status.RECEIVED]
BATCH = 20_000
TABLES = (Citizen.__table__, Case.__table__, Letter.__table__, Event.__table__)  # in the order they are written


def _top_id(session: Session, table: object) -> int:
    return int(session.execute(select(func.max(table.c.id))).scalar() or 0)  # type: ignore[attr-defined]


def _advance_sequences(session: Session) -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids leave behind: move them past the rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("citizen", "case_file", "letter", "event"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT max(id) FROM {table}))"))


def preload(engine: Engine, count: int, seed: int = 7,
            progress: Callable[[int, float], None] | None = None) -> int:
    """Write ``count`` cases received over the past year; returns the largest case id among them (the cases
    opened afterwards have larger ids)."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    started = time.monotonic()
    postgres = engine.dialect.name == "postgresql"
    write = copy_rows if postgres else bulk_insert
    with Session(engine) as session:
        first_case = _top_id(session, Case.__table__)
        citizen_id, letter_id, event_id = (_top_id(session, t) for t in
                                           (Citizen.__table__, Letter.__table__, Event.__table__))
        serials = {year: last for year, last in session.execute(select(CaseSequence.year, CaseSequence.last))}
        kinds, channels = list(CaseKind), [Channel.WEB] * 3 + [Channel.PHONE, Channel.EMAIL]
        # PostgreSQL: one transaction, the indexes and keys made once at its end; SQLite: a commit per batch.
        with indexes_after(session.connection(), TABLES) if postgres else nullcontext():
            for start in range(0, count, BATCH):
                citizens, cases, letters, events = [], [], [], []
                for i in range(start, min(start + BATCH, count)):
                    received = now - timedelta(days=rng.random() * 365, seconds=rng.randint(0, 86_400))
                    serials[received.year] = serials.get(received.year, 0) + 1
                    citizen_id, letter_id, event_id = citizen_id + 1, letter_id + 1, event_id + 1
                    case_id = first_case + i + 1
                    channel = rng.choice(channels)
                    subject = rng.choice(SUBJECTS).format(r=rng.choice(ROADS), n=rng.randint(1, 40))
                    phone = f"13{rng.randint(0, 999_999_999):09d}"
                    email = f"citizen{rng.randint(0, count)}@example.org"
                    address = f"{rng.choice(ROADS)}路{rng.randint(1, 300)}号"
                    citizens.append({"id": citizen_id, "name": "Ana Ruiz", "phone": phone,
                                     "phone_key": phone_key(phone), "email": email, "address": address,
                                     "address_key": address_key(address), "preferred_reply": "email"})
                    cases.append({"id": case_id, "number": format_case_number(received.year, serials[received.year]),
                                  "tracking_code": secrets.token_hex(5).upper(), "kind": rng.choice(kinds),
                                  "subject": subject, "status": rng.choice(STATUSES), "channel": channel,
                                  "citizen_id": citizen_id, "received_at": received,
                                  "due_date": (received + timedelta(days=14)).date(), "created_at": received,
                                  "updated_at": received})
                    letters.append({"id": letter_id, "case_id": case_id, "channel": channel, "subject": subject,
                                    "body": subject + "。 Residents have complained for weeks.",
                                    "sender_name": "Ana Ruiz", "sender_email": email, "sender_phone": phone,
                                    "sender_address": address, "received_at": received, "notes": [],
                                    "dedup_key": (dedup_key(secrets.token_urlsafe(24)) if channel == Channel.WEB
                                                  else None)})
                    events.append({"id": event_id, "case_id": case_id, "action": "received", "at": received,
                                   "to_status": Status.RECEIVED.value, "data": {"channel": channel.value}})
                connection = session.connection()
                for table, rows in zip(TABLES, (citizens, cases, letters, events)):
                    write(connection, table, rows)
                if not postgres:
                    session.commit()
                if progress is not None:
                    progress(min(start + BATCH, count), time.monotonic() - started)
        for year, last in serials.items():
            if session.execute(update(CaseSequence).where(CaseSequence.year == year)
                               .values(last=last)).rowcount == 0:
                session.execute(insert(CaseSequence).values(year=year, last=last))
        _advance_sequences(session)
        session.commit()
    if postgres:
        vacuum_analyze(engine, [table.name for table in TABLES])
    return first_case + count


def print_progress(done: int, seconds: float) -> None:
    """Progress on stderr, every 100,000 cases."""
    if done % 100_000 == 0 or done < BATCH:
        print(f"   preloaded {done:,} cases in {seconds:.0f} s", file=sys.stderr, flush=True)
