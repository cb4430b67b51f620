"""The yearly partitions of the event log and letters on PostgreSQL: what migration 0021 costs on a filled
database, and what a clerk's insert waits while a year is detached and archived.

Fills a fresh database at revision 0020 with ``--events`` events and ``--letters`` letters spread over three
years (two past, this one), times the upgrade to the partitioned tables (it copies both tables: the time an
upgrade keeps them locked), then archives the oldest year with ``partitions.archive_year`` (``DETACH PARTITION
... CONCURRENTLY``, a gzipped CSV dump, drop) while another connection inserts events of this year one per
transaction, and prints that inserter's latencies before and during the archive. Prints the load average before
and after and this process's CPU time; PostgreSQL runs durable (fsync on) on a throwaway server.
Run: ``nice -n 10 .venv/bin/python bench/partitions.py [--events 1000000] [--letters 200000]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from cases import intake, partitions  # noqa: E402
from cases.db import make_engine, make_session_factory, migrate, upgrade  # noqa: E402
from cases.drafts import Channel, LetterDraft  # noqa: E402
from cases.files.store import LocalFileStore  # noqa: E402
from cases.policy import Policy  # noqa: E402
from tests.servers.postgres import create_database, running_postgres  # noqa: E402

YEAR = datetime.now(timezone.utc).year
CASES = 200


def fill(url: str, events: int, letters: int, files: Path) -> None:
    engine = make_engine(url)
    migrate(engine, "upgrade", "0020")
    sessions = make_session_factory(engine)
    policy = Policy(store=LocalFileStore(files))
    with sessions() as session:
        for n in range(CASES):
            intake.receive(session, policy, LetterDraft(channel=Channel.EMAIL, subject=f"Street light {n}",
                                                        body="Dark for a week.", sender_email="a@example.org",
                                                        received_at=datetime(YEAR - 2, 1, 2, tzinfo=timezone.utc)))
        session.commit()
    # Spread over [YEAR-2, now): the oldest year is the one archived.
    span = f"(timestamptz '{YEAR - 2}-01-01 00:00+00' + (now() - timestamptz '{YEAR - 2}-01-01 00:00+00') * i / :n)"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO event (case_id, at, action, note, internal, data) "
                          f"SELECT (SELECT min(id) FROM case_file) + i % {CASES}, {span}, 'note', 'bench ' || i, "
                          "true, '{}' FROM generate_series(1, :n) i"), {"n": events})
        conn.execute(text("INSERT INTO letter (case_id, channel, subject, body, sender_name, sender_email, "
                          "sender_phone, sender_address, received_at, automatic, notes, dedup_key) "
                          f"SELECT (SELECT min(id) FROM case_file) + i % {CASES}, 'EMAIL', 'subject ' || i, "
                          f"repeat('body text ', 40), 'Ana', 'a@example.org', '', '', {span}, false, '[]', "
                          "'key-' || i FROM generate_series(1, :n) i"), {"n": letters})
        conn.execute(text("ANALYZE"))
    engine.dispose()


def inserter(conninfo: str, case_id: int, stop: threading.Event, latencies: list[float]) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while not stop.is_set():
            started = time.perf_counter()
            conn.execute("INSERT INTO event (case_id, at, action, note, internal, data) "
                         "VALUES (%s, now(), 'note', 'live', true, '{}')", (case_id,))
            latencies.append(time.perf_counter() - started)


def figures(name: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95)] if ordered else float("nan")
    return (f"{name}: {len(ordered)} inserts, p50 {statistics.median(ordered) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms, max {max(ordered) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--letters", type=int, default=200_000)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    cpu = time.process_time()
    with running_postgres(durable=True) as server, tempfile.TemporaryDirectory() as folder:
        url = create_database(server, "bench_partitions")
        conninfo = server.conninfo("bench_partitions")
        started = time.perf_counter()
        fill(url, args.events, args.letters, Path(folder) / "files")
        print(f"filled {args.events} events and {args.letters} letters in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url)
        started = time.perf_counter()
        upgrade(engine)
        took = time.perf_counter() - started
        rows = args.events + args.letters
        print(f"migration 0021 (copy into yearly partitions): {took:.1f} s, {took / rows * 1e6:.1f} s per million rows")
        with engine.connect() as conn:
            case_id = conn.execute(text("SELECT min(id) FROM case_file")).scalar_one()
            old = conn.execute(text(f"SELECT count(*) FROM event_y{YEAR - 2}")).scalar_one()
        stop, before, during = threading.Event(), [], []
        thread = threading.Thread(target=inserter, args=(conninfo, case_id, stop, before))
        thread.start()
        while len(before) < 500:
            time.sleep(0.01)
        stop.set()
        thread.join()
        stop = threading.Event()
        thread = threading.Thread(target=inserter, args=(conninfo, case_id, stop, during))
        thread.start()
        started = time.perf_counter()
        for table in partitions.PARTITIONED:
            partitions.archive_year(engine, table, YEAR - 2, keep=False,
                                    dump=Path(folder) / f"{table}_y{YEAR - 2}.csv.gz", say=print)
        took = time.perf_counter() - started
        stop.set()
        thread.join()
        print(f"archived {YEAR - 2} ({old} events and its letters: detach, dump, drop) in {took:.1f} s")
        print(figures("inserts of this year before", before))
        print(figures("inserts of this year during the archive", during))
        engine.dispose()
    print(f"CPU time of this process: {time.process_time() - cpu:.1f} s")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
