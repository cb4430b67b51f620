"""Unit confinement across the unit tree on 100,000 cases, on SQLite and PostgreSQL, against a same-run baseline.

Builds a city of departments and districts with street offices below them, a year of cases led by every kind of
unit, 5% with a co-handling unit's part and 5% passed down from a district to one of its street offices. Times what
a unit handler's pages ask (``cases.queries``): a page of their case list with its count, a case opened by number,
and the ids the archive search is confined to; for a department, a district (its own cases and its street offices')
and a street office. The baseline is the rule before the unit tree was used: the case's own unit only. Prints p50 /
p95 wall-clock milliseconds and the median CPU milliseconds of a call (this process and, on PostgreSQL, the
server's processes), which the other load on a shared machine does not inflate; the load average before and after.
Run: ``.venv/bin/python bench/levels.py [cases] [--runs 15] [--database sqlite|postgres|both]``; PostgreSQL runs on
a throwaway server started for the run.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, insert, select, text  # noqa: E402
from bench.query_timing import timed  # noqa: E402
from sqlalchemy.orm import Session, selectinload  # noqa: E402

from cases import queries  # noqa: E402
from cases.actors import Actor  # noqa: E402
from cases.db import upgrade, make_engine  # noqa: E402
from cases.drafts import Channel  # noqa: E402
from cases.models import Case, CaseKind, Unit  # noqa: E402
from cases.models_levels import CO, OPEN, SUB, Assignment  # noqa: E402
from cases.numbering import format_case_number  # noqa: E402
from cases.queries import CaseFilter  # noqa: E402
from cases.workflow import Status  # noqa: E402

DEPARTMENTS, DISTRICTS, STREETS_PER_DISTRICT = 12, 8, 12


def generate(engine: Engine, count: int, seed: int = 7) -> dict[str, int]:
    """Units and ``count`` cases with parts; returns one unit id per kind to time."""
    rng = random.Random(seed)
    upgrade(engine)
    with Session(engine) as session:
        departments = [Unit(name=f"Department {i}", kind="department") for i in range(DEPARTMENTS)]
        districts = [Unit(name=f"District {i}", kind="district") for i in range(DISTRICTS)]
        session.add_all(departments + districts)
        session.flush()
        streets = {d.id: [Unit(name=f"Street {d.id}-{j}", kind="street", parent_id=d.id)
                          for j in range(STREETS_PER_DISTRICT)] for d in districts}
        session.add_all([s for group in streets.values() for s in group])
        session.flush()
        leads = [u.id for u in departments + districts] + [s.id for g in streets.values() for s in g]
        street_ids = {d: [s.id for s in g] for d, g in streets.items()}
        now = datetime.now(timezone.utc)
        for start in range(0, count, 10_000):
            cases, parts = [], []
            for i in range(start, min(start + 10_000, count)):
                received = now - timedelta(days=rng.random() * 365)
                unit_id = rng.choice(leads)
                cases.append({"id": i + 1, "number": format_case_number(received.year, i + 1),
                              "tracking_code": f"T{i:09d}", "kind": CaseKind.REPORT, "subject": f"Case {i}",
                              "status": Status.ACCEPTED, "channel": Channel.WEB, "unit_id": unit_id,
                              "received_at": received, "due_date": (received + timedelta(days=14)).date()})
                roll = rng.random()
                if roll < 0.05:
                    parts.append({"case_id": i + 1, "unit_id": rng.choice([u for u in leads if u != unit_id]),
                                  "role": CO, "from_unit_id": unit_id})
                elif roll < 0.10 and unit_id in street_ids:
                    parts.append({"case_id": i + 1, "unit_id": rng.choice(street_ids[unit_id]), "role": SUB,
                                  "from_unit_id": unit_id})
            session.execute(insert(Case), cases)
            if parts:
                session.execute(insert(Assignment), [dict(p, state=OPEN, active=True, instructions="", answer="",
                                                          review_note="", due_date=date.today()) for p in parts])
            session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        district = districts[0].id
        return {"department": departments[0].id, "district": district, "street office": street_ids[district][0]}


def baseline_page(session: Session, unit_id: int) -> tuple[int, list[Case]]:
    """The rule before the unit tree: a unit's list is its own led cases."""
    stmt = select(Case).where(Case.unit_id == unit_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.options(selectinload(Case.unit), selectinload(Case.category))
                           .order_by(Case.received_at.desc(), Case.id.desc()).limit(50)).all()
    return total, list(rows)


def run(engine: Engine, label: str, count: int, runs: int, server_pid: int = 0) -> None:
    units = generate(engine, count)
    today = date.today()
    print(f"\n{label}: {count:,} cases; p50 / p95 ms, CPU ms; load average {_load()}")
    with Session(engine) as session:
        for kind, unit_id in units.items():
            actor = Actor(user_id=None, role="unit", unit_id=unit_id)
            total = queries.list_cases(session, actor, CaseFilter(), today=today)[1]
            own = baseline_page(session, unit_id)[0]
            number = session.scalar(queries.scoped(session, actor, select(Case.number)).limit(1))
            figures = {
                "list page + count": timed(lambda: queries.list_cases(session, actor, CaseFilter(), today=today),
                                           runs, server_pid),
                "list page + count, own unit only (baseline)": timed(lambda: baseline_page(session, unit_id), runs,
                                                                     server_pid),
                "open a case by number": timed(lambda: queries.get_case(session, actor, number), runs, server_pid),
                "search confinement ids": timed(lambda: (queries.visible_unit_ids(session, actor),
                                                         queries.part_case_ids(session, actor)), runs, server_pid),
            }
            print(f"  {kind} (sees {total:,} cases, leads {own:,})")
            for name, t in figures.items():
                print(f"    {name:<46} {t.p50:8.2f} {t.p95:8.2f} {t.cpu:8.2f}")
            session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="levels-bench-"))
    try:
        if args.database in ("sqlite", "both"):
            engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
            run(engine, "SQLite", args.cases, args.runs)
            engine.dispose()
        if args.database in ("postgres", "both"):
            from tests.servers.postgres import create_database, running_postgres

            with running_postgres() as server:
                engine = make_engine(create_database(server, "levels_bench"))
                run(engine, "PostgreSQL", args.cases, args.runs, server.pid)
                engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average at the end: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
