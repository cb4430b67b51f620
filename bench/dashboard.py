"""Dashboard and statistics queries on 100,000 cases (or a million), on SQLite and PostgreSQL, against the same
queries counted from the cases in the same run.

Generates a year of cases straight into a fresh database with bulk inserts (letters, feedback, replies, deadline
and return events; each case's first feedback time and deadline in force as the services keep them), rebuilds
the statistics rollups (timed), then times every query the supervision and public statistics pages run, read
from the rollups, and prints p50 / p95 wall-clock and the median CPU time of the query (this process's, where
SQLite runs, plus the PostgreSQL server's processes'), which the other load on a shared machine does not inflate.
The baseline: the same queries counted from the cases as before the rollups (on PostgreSQL cancelled after
``--cutoff`` seconds and reported as cut off), checked to give the same figures. Also the cost of keeping the
rollups in the transaction (a one-case change with and without), and with ``--explain`` every statement's plan.
Run: ``.venv/bin/python bench/dashboard.py [cases] [--runs 7] [--database sqlite|postgres|both] [--explain]
[--keep FOLDER]``; PostgreSQL runs on a throwaway server started for the run.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, func, select, text, update  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.dashboard_data import generate  # noqa: E402
from cases import rollups_build, statistics as st, supervision  # noqa: E402
from cases.figures import same_figures  # noqa: E402
from cases.statistics_desk import desk_shares  # noqa: E402
from cases.topics import period_texts, rising_topics  # noqa: E402
from cases.policy import Policy  # noqa: E402
from cases.db import make_engine, upgrade  # noqa: E402
from cases.models import Case, Event  # noqa: E402
from cases.models_rollups import StatState  # noqa: E402
from cases.files.store import LocalFileStore  # noqa: E402
from cases.workflow import Status  # noqa: E402
from web.supervision.topics import words  # noqa: E402

def server_cpu_seconds(server_pid: int) -> float:
    """CPU seconds used so far by a PostgreSQL server: the postmaster, its children alive now (backends, each in
    its own session) and those it has reaped (parallel workers of finished queries), read from /proc; 0.0 where
    there is no /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            # After the command in parentheses: state, ppid, ..., utime (11), stime (12), cutime (13), cstime (14).
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(entry.parent.name) == server_pid:
            total += sum(int(f) for f in fields[11:15])
        elif int(fields[1]) == server_pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def timed(fn, runs: int, server_pid: int = 0) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """(p50, p95) wall-clock ms and median CPU ms over ``runs`` calls, after one warm-up call.

    The CPU time is this process's (SQLite runs inside it) plus, with ``server_pid``, the database server's
    processes': the queries' own work, whatever else the shared machine is doing."""
    fn()
    samples, cpu = [], []
    for _ in range(runs):
        server_before = server_cpu_seconds(server_pid) if server_pid else 0.0
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        server = server_cpu_seconds(server_pid) - server_before if server_pid else 0.0
        cpu.append((time.process_time() - started_cpu + server) * 1000)
    samples.sort()
    return (statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))],
            statistics.median(cpu))


def queries(session: Session, policy: Policy) -> dict[str, object]:
    tz = policy.timezone
    today = policy.today()
    month = st.Period.parse(None, None, default_days=30, today=today)
    year = st.Period.parse(None, None, default_days=365, today=today)
    return {
        "performance (30 days)": lambda: st.unit_performance(session, month, tz),
        "performance (365 days)": lambda: st.unit_performance(session, year, tz),
        "cases per day by kind (30 d)": lambda: st.cases_per_day(session, month, tz, "kind"),
        "cases per day by channel (30 d)": lambda: st.cases_per_day(session, month, tz, "channel"),
        "urgent per day (30 d)": lambda: st.cases_per_day(session, month, tz, "urgent"),
        "total cases (30 d + previous)": lambda: (st.total_cases(session, month, tz),
                                                  st.total_cases(session, month.previous(), tz)),
        "top categories (30 d)": lambda: st.top_categories(session, month, tz),
        "top districts (30 d)": lambda: st.top_districts(session, month, tz),
        "urgent open cases": lambda: st.urgent_open_cases(session),
        "rising topics (30 d vs previous)": lambda: rising_topics(
            period_texts(session, month, tz), period_texts(session, month.previous(), tz), words),
        "monthly figures per unit (12 m)": lambda: st.monthly_figures(session, year, tz, per_unit=True),
        "monthly figures office (12 m)": lambda: st.monthly_figures(session, year, tz, per_unit=False),
        "desk shares (30 d)": lambda: desk_shares(session, month, tz),
        "deadlines per unit": lambda: supervision.unit_deadlines(session, policy, today),
    }




def _analyze(session: Session) -> None:
    session.execute(text("ANALYZE"))
    session.commit()


def statements(engine: Engine, fn) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """The SQL statements (with parameters) one call of ``fn`` runs."""
    seen: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def explain(engine: Engine, session: Session, name: str, fn) -> list[str]:  # type: ignore[no-untyped-def]
    """Print the plan of every statement of one query; return the warnings (a subplan run per row)."""
    warnings = []
    for statement, parameters in statements(engine, fn):
        prefix = "EXPLAIN " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        raw = session.connection().connection.dbapi_connection
        cursor = raw.cursor()
        cursor.execute(prefix + statement, parameters)
        plan = [" ".join(str(v) for v in row) for row in cursor.fetchall()]
        cursor.close()
        text_plan = "\n".join(plan)
        # A subplan that is not hashed runs once per outer row (PostgreSQL); a correlated subquery likewise on
        # SQLite: quadratic when both sides grow with the cases.
        if ("SubPlan" in text_plan and "hashed SubPlan" not in text_plan) or "CORRELATED" in text_plan:
            warnings.append(name)
        print(f"--- {name}\n{statement}\n" + "\n".join(f"    {line}" for line in plan))
    return warnings


def keeping_cost(sessions: Session, changes: int, rng: random.Random) -> tuple[float, float]:
    """Median ms per commit of a one-case change (the supervise flag set, then cleared) with the rollups kept in
    the transaction, and with keeping switched off (zone None); the figures end as they began."""
    top = sessions.scalar(select(func.max(Case.id))) or 1
    ids = [rng.randint(1, top) for _ in range(changes)]
    out = []
    for kept in (True, False):
        zone = sessions.scalar(select(StatState.zone))
        if not kept:
            sessions.execute(update(StatState).values(zone=None))
            sessions.commit()
        samples = []
        for case_id in ids:
            for flag in (True, False):
                started = time.perf_counter()
                item = sessions.get(Case, case_id)
                item.supervised = not item.supervised
                sessions.commit()
                samples.append((time.perf_counter() - started) * 1000)
        if not kept:
            sessions.execute(update(StatState).values(zone=zone))
            sessions.commit()
        out.append(statistics.median(samples))
    return out[0], out[1]


def list_timings(engine: Engine, runs: int, server_pid: int = 0) -> None:
    """Case list pages by keyset (first page, a status, 1,000 pages deep) against OFFSET at the same depth."""
    from cases import queries
    from cases.actors import Actor
    from cases.keyset import cursor_of
    from cases.queries import CaseFilter

    clerk = Actor(user_id=None, role="clerk")
    with Session(engine) as session:
        today = datetime.now(timezone.utc).date()
        deep = session.execute(select(Case.received_at, Case.id).order_by(Case.received_at.desc(), Case.id.desc())
                               .offset(50_000 - 1).limit(1)).one()
        cursor = cursor_of(deep[0], deep[1])
        shapes = {
            "all cases, first page": lambda: queries.case_page(session, clerk, CaseFilter(), today=today),
            "registered, first page": lambda: queries.case_page(
                session, clerk, CaseFilter(statuses=(Status.REGISTERED,)), today=today),
            "all cases, 1000 pages deep": lambda: queries.case_page(session, clerk, CaseFilter(), today=today,
                                                                    cursor=cursor),
            "OFFSET 50000 (before)": lambda: session.scalars(
                select(Case).order_by(Case.received_at.desc(), Case.id.desc()).offset(50_000).limit(50)).all(),
            "exact count (before)": lambda: session.scalar(select(func.count(Case.id))),
        }
        print(f"{'list page':36s} {'p50 ms':>8s} {'p95 ms':>8s} {'cpu ms':>8s}")
        for name, fn in shapes.items():
            p50, p95, used = timed(fn, runs, server_pid)
            print(f"{name:36s} {p50:8.1f} {p95:8.1f} {used:8.1f}")


def run(engine: Engine, label: str, count: int, runs: int, folder: Path, *, server_pid: int = 0,
        old_runs: int = 3, cutoff: float = 60.0, show_plans: bool = False, generated: bool = False) -> float:
    """Generate ``count`` cases on ``engine`` (unless ``generated``), rebuild the rollups, time every query read
    from the rollups and counted from the cases (the old way, cut off after ``cutoff`` s on PostgreSQL), check
    both give the same figures; print the table and return the slowest p95 (ms)."""
    upgrade(engine)
    policy = Policy(store=LocalFileStore(folder / "files"))
    started = time.perf_counter()
    with Session(engine) as session:
        if not generated:
            generate(session, count, random.Random(42))
        total = session.scalar(select(func.count(Case.id)))
        events = session.scalar(select(func.count(Event.id)))
    print(f"\n== {label}: {total} cases, {events} events ({'generated in ' if not generated else 'kept, '}"
          f"{time.perf_counter() - started:.1f} s)")
    started = time.perf_counter()
    with Session(engine) as session:
        rollups_build.rebuild(session, policy.timezone)
        session.commit()
        _analyze(session)
        day_rows = session.execute(text("SELECT count(*) FROM stat_day")).scalar()
        month_rows = session.execute(text("SELECT count(*) FROM stat_month")).scalar()
    print(f"stats rebuild: {time.perf_counter() - started:.1f} s ({day_rows} day rows, {month_rows} month rows)")
    new: dict[str, tuple[float, float, float]] = {}
    old: dict[str, tuple[float, float, float] | None] = {}
    differ, warnings = [], []
    with Session(engine) as session:
        for name, fn in queries(session, policy).items():
            new[name] = timed(fn, runs, server_pid)
            if show_plans:
                warnings += explain(engine, session, name, fn)
            session.rollback()
        fresh = {name: fn() for name, fn in queries(session, policy).items()}
    with Session(engine, info={st.COUNT_FROM_CASES: True}) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text(f"SET statement_timeout = {int(cutoff * 1000)}"))
        for name, fn in queries(session, policy).items():
            try:
                old[name] = timed(fn, old_runs, server_pid)
                if not same_figures(fn(), fresh[name]):
                    differ.append(name)
            except OperationalError:
                session.rollback()
                session.execute(text(f"SET statement_timeout = {int(cutoff * 1000)}"))
                old[name] = None
    with Session(engine) as session:
        kept_ms, bare_ms = keeping_cost(session, 100, random.Random(7))
    cpu = engine.dialect.name == "sqlite" or server_pid > 0
    print(f"{'query':36s} {'p50 ms':>8s} {'p95 ms':>8s} {'cpu ms' if cpu else '':>8s}   "
          f"{'counted p50':>11s} {'p95':>8s} {'ratio p95':>9s}")
    worst = 0.0
    for name, (p50, p95, used) in new.items():
        worst = max(worst, p95)
        before = old[name]
        if before is None:
            then = f"{'cut off':>11s} {f'>{cutoff:.0f}s':>8s} {f'>{cutoff * 1000 / p95:.0f}x':>9s}"
        else:
            then = f"{before[0]:11.1f} {before[1]:8.1f} {before[1] / p95:8.1f}x"
        print(f"{name:36s} {p50:8.1f} {p95:8.1f} {f'{used:8.1f}' if cpu else '':>8s}   {then}")
    print(f"counted: the same queries counted from the cases (before the rollups), {old_runs} runs each; "
          f"figures {'DIFFER for ' + ', '.join(differ) if differ else 'identical'}")
    print(f"keeping the rollups in the transaction: a one-case change commits in {kept_ms:.2f} ms "
          f"(median; {bare_ms:.2f} ms without)")
    if show_plans:
        print(f"plans with a subplan per row: {', '.join(warnings) if warnings else 'none'}")
    list_timings(engine, runs, server_pid)
    print(f"{label}: slowest p95 {worst:.1f} ms (target < 300 ms per query); {runs} runs each; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if differ:
        raise SystemExit(f"figures from the rollups differ from the recount: {', '.join(differ)}")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--old-runs", type=int, default=3, help="runs of each query counted from the cases")
    parser.add_argument("--cutoff", type=float, default=60.0,
                        help="seconds after which PostgreSQL cancels a query counted from the cases")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both",
                        help="postgres starts a throwaway PostgreSQL server (the test suite's)")
    parser.add_argument("--explain", action="store_true", help="print the plan of every statement")
    parser.add_argument("--lists", action="store_true", help="only the list pages (after generating)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the generated SQLite database in this folder and reuse it next time")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    # ``words`` is a generator: it must be consumed for jieba to load its dictionary before the timings.
    list(words("warm up jieba 预热"))
    options = {"old_runs": args.old_runs, "cutoff": args.cutoff, "show_plans": args.explain}
    try:
        if args.database in ("sqlite", "both"):
            path = (args.keep / f"dashboard-{args.cases}.db") if args.keep else folder / "bench.db"
            generated = path.exists()
            engine = make_engine(f"sqlite:///{path}")
            if args.lists and generated:
                upgrade(engine)
                list_timings(engine, args.runs)
            else:
                run(engine, "SQLite", args.cases, args.runs, folder, generated=generated, **options)
            engine.dispose()
        if args.database in ("postgres", "both"):
            from tests.servers.postgres import create_database, running_postgres

            with running_postgres() as server:
                engine = make_engine(create_database(server, "dashboard_bench"))
                run(engine, "PostgreSQL", args.cases, args.runs, folder, server_pid=server.pid, **options)
                engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
