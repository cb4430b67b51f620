"""Fill a migrated database with N earlier cases, as a year of a big city's letters would leave it.

``bench/load.py --preload N`` writes these before the servers start, so the letter form is measured against a
database that already holds them (the unique indexes it writes into, the submission-key lookup, the case-number
counter). Each case has its citizen (phone and email keys, an address), its first letter (web letters carry a
submission key as the form leaves it), and its "received" event; they are written in batches with the case
writer's own bulk insert on SQLite, and with ``COPY`` on PostgreSQL, the indexes and keys made after the load
(``bench/copy_load.py``). They are not put into the search index: the load benchmark checks the index for the
cases it opened.

Run on its own, it makes an instance folder (migrated, the demo loaded, N cases) once, whose ``mailbox.db`` the
benchmarks then copy or write into (``bench/load.py --database-from``, ``bench/letter_cost.py --instance``):

    .venv/bin/python bench/preload_cases.py 1000000 INSTANCE_FOLDER
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import Engine, func, insert, select, text, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.copy_load import copy_rows, indexes_after, vacuum_analyze  # noqa: E402
from cases.callers import address_key, phone_key  # noqa: E402
from cases.drafts import Channel  # noqa: E402
from cases.new_cases import _insert as bulk_insert  # noqa: E402 - the case writer's own executemany
from cases.models import Case, CaseKind, CaseSequence, Citizen, Event, Letter  # noqa: E402
from cases.numbering import format_case_number  # noqa: E402
from cases.submissions import dedup_key  # noqa: E402
from cases.workflow import Status  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description="Make an instance folder holding N cases (migrated, demo loaded).")
    parser.add_argument("count", type=int)
    parser.add_argument("instance", help="instance folder to create (or to add the cases to)")
    args = parser.parse_args()
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.environ.update({"MAILBOX_INSTANCE_PATH": os.path.abspath(args.instance), "FLASK_SECRET_KEY": "bench"})
    os.makedirs(args.instance, exist_ok=True)
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "web", *command], cwd=checkout, check=True,
                       stdout=subprocess.DEVNULL)
    from web import create_app
    from web.app_state import state

    engine = state(create_app()).engine
    started = time.monotonic()
    preload(engine, args.count, progress=print_progress)
    engine.dispose()
    print(f"{args.count:,} cases written in {time.monotonic() - started:.0f} s into "
          f"{os.path.join(os.path.abspath(args.instance), 'mailbox.db')}")


if __name__ == "__main__":
    main()
