"""Dashboard and statistics queries on 100,000 cases (or a million), on SQLite and PostgreSQL, against the same
queries counted from the cases in the same run, and the list pages.

Generates a year of cases straight into a fresh database in bulk (``bench/dashboard_data.py``; ``COPY`` on
PostgreSQL), rebuilds the statistics rollups (timed; ``--check`` then compares them with a full recount), prints
the tables' sizes on PostgreSQL, then times every query the supervision and public statistics pages run, read
from the rollups: p50 / p95 wall-clock, the median CPU time of the query (this process's, where SQLite runs, plus
the PostgreSQL server's processes') and the server's share, which the other load on a shared machine does not
inflate. The baseline: the same queries counted from the cases as before the rollups (on PostgreSQL cancelled
after ``--cutoff`` seconds and reported as cut off), checked to give the same figures. Also the cost of keeping
the rollups in the transaction (a one-case change with and without), the list pages (``bench/dashboard_lists.py``)
and with ``--explain`` every statement's plan, checked for quadratic shapes and, for lists, whole-table sorts and
scans. The load average is printed before and after.
Run: ``nice -n 10 .venv/bin/python bench/dashboard.py [cases] [--runs 7] [--database sqlite|postgres|both]
[--explain] [--check] [--lists] [--keep FOLDER]``; PostgreSQL runs on a throwaway server started for the run.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, select, text, update  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.dashboard_data import generate  # noqa: E402
from bench.dashboard_lists import list_timings  # noqa: E402
from bench.db_sizes import print_sizes  # noqa: E402
from bench.query_timing import Timing, explain, server_cpu_seconds, timed  # noqa: E402
from cases import rollups_build, statistics as st, supervision  # noqa: E402
from cases.figures import same_figures  # noqa: E402
from cases.statistics_desk import desk_shares  # noqa: E402
from cases.topics import period_texts, rising_topics  # noqa: E402
from cases.policy import Policy  # noqa: E402
from cases.db import make_engine, upgrade  # noqa: E402
from cases.models import Case, Event  # noqa: E402
from cases.models_rollups import StatState  # noqa: E402
from cases.files.store import LocalFileStore  # noqa: E402
from web.supervision.topics import words  # noqa: E402

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


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(engine: Engine, label: str, count: int, runs: int, folder: Path, *, server_pid: int = 0,
        old_runs: int = 3, cutoff: float = 60.0, show_plans: bool = False, generated: bool = False,
        check: bool = False) -> float:
    """Generate ``count`` cases on ``engine`` (unless ``generated``), rebuild the rollups (and with ``check``
    compare them with a full recount), time every query read from the rollups and counted from the cases (the old
    way, cut off after ``cutoff`` s on PostgreSQL), check both give the same figures, then the list pages; print
    the tables and return the slowest p95 (ms)."""
    print(f"load average at the start: {_load()}", flush=True)
    upgrade(engine)
    policy = Policy(store=LocalFileStore(folder / "files"))
    started, started_cpu, server_before = time.perf_counter(), time.process_time(), server_cpu_seconds(server_pid)
    with Session(engine) as session:
        if not generated:
            generate(session, count, random.Random(42))
        total = session.scalar(select(func.count(Case.id)))
        events = session.scalar(select(func.count(Event.id)))
    print(f"\n== {label}: {total} cases, {events} events ({'generated in ' if not generated else 'kept, '}"
          f"{time.perf_counter() - started:.1f} s; CPU {time.process_time() - started_cpu:.1f} s here, "
          f"{server_cpu_seconds(server_pid) - server_before:.1f} s in the database)", flush=True)
    started = time.perf_counter()
    with Session(engine) as session:
        rollups_build.rebuild(session, policy.timezone)
        session.commit()
        _analyze(session)
        day_rows = session.execute(text("SELECT count(*) FROM stat_day")).scalar()
        month_rows = session.execute(text("SELECT count(*) FROM stat_month")).scalar()
    print(f"stats rebuild: {time.perf_counter() - started:.1f} s ({day_rows} day rows, {month_rows} month rows)",
          flush=True)
    if check:
        started = time.perf_counter()
        with Session(engine) as session:
            result = rollups_build.check(session)
        print(f"stats check: {'ok' if result.ok else 'DIFFER'} ({result.cases} cases, {result.day_rows} day rows, "
              f"{time.perf_counter() - started:.1f} s)", flush=True)
    if engine.dialect.name == "postgresql":
        print_sizes(engine, total or 0)
    new: dict[str, Timing] = {}
    old: dict[str, Timing | None] = {}
    differ, warnings = [], []
    with Session(engine) as session:
        for name, fn in queries(session, policy).items():
            new[name] = timed(fn, runs, server_pid)
            session.rollback()
        if show_plans:
            for name, fn in queries(session, policy).items():
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
    print(f"{'query':36s} {'p50 ms':>8s} {'p95 ms':>8s} {'cpu ms':>8s} {'db ms':>8s}   "
          f"{'counted p50':>11s} {'p95':>8s} {'cpu ms':>8s} {'ratio p95':>9s}")
    worst = 0.0
    for name, t in new.items():
        worst = max(worst, t.p95)
        before = old[name]
        if before is None:
            then = f"{'cut off':>11s} {f'>{cutoff:.0f}s':>8s} {'':>8s} {f'>{cutoff * 1000 / t.p95:.0f}x':>9s}"
        else:
            then = f"{before.p50:11.1f} {before.p95:8.1f} {before.cpu:8.1f} {before.p95 / t.p95:8.1f}x"
        print(f"{name:36s} {t.p50:8.1f} {t.p95:8.1f} {t.cpu:8.1f} {t.db:8.1f}   {then}")
    print(f"counted: the same queries counted from the cases (before the rollups), {old_runs} runs each; "
          f"figures {'DIFFER for ' + ', '.join(differ) if differ else 'identical'}")
    print(f"keeping the rollups in the transaction: a one-case change commits in {kept_ms:.2f} ms "
          f"(median; {bare_ms:.2f} ms without)")
    if show_plans:
        print(f"plans with a subplan per row: {', '.join(warnings) if warnings else 'none'}")
    print(f"{label}: slowest p95 {worst:.1f} ms (target < 300 ms per query); {runs} runs each; "
          f"load average {_load()}", flush=True)
    list_timings(engine, policy, runs, server_pid, show_plans)
    print(f"load average at the end: {_load()}")
    if differ:
        raise SystemExit(f"figures from the rollups differ from the recount: {', '.join(differ)}")
    return worst


def lists_only(engine: Engine, count: int, runs: int, folder: Path, server_pid: int, show_plans: bool) -> None:
    """Generate ``count`` cases on PostgreSQL and time the list pages only (no rollups)."""
    print(f"load average at the start: {_load()}", flush=True)
    upgrade(engine)
    started = time.perf_counter()
    with Session(engine) as session:
        generate(session, count, random.Random(42))
    print(f"\n== PostgreSQL: {count} cases (generated in {time.perf_counter() - started:.1f} s)", flush=True)
    list_timings(engine, Policy(store=LocalFileStore(folder / "files")), runs, server_pid, show_plans)
    print(f"load average at the end: {_load()}")


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
    parser.add_argument("--check", action="store_true", help="compare the rebuilt rollups with a full recount")
    parser.add_argument("--lists", action="store_true",
                        help="only the list pages (after generating; on SQLite with --keep, on the kept database)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the generated SQLite database in this folder and reuse it next time")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    # ``words`` is a generator: it must be consumed for jieba to load its dictionary before the timings.
    list(words("warm up jieba 预热"))
    options = {"old_runs": args.old_runs, "cutoff": args.cutoff, "show_plans": args.explain, "check": args.check}
    try:
        if args.database in ("sqlite", "both"):
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
            path = (args.keep / f"dashboard-{args.cases}.db") if args.keep else folder / "bench.db"
            # A kept database counts only once a whole run on it finished: a run stopped while generating
            # leaves a part of the cases, which must not be timed as the full set.
            complete = path.with_name(path.name + ".complete")
            generated = path.exists() and complete.exists()
            if path.exists() and not generated:
                path.unlink()
            engine = make_engine(f"sqlite:///{path}")
            if args.lists and generated:
                upgrade(engine)
                list_timings(engine, Policy(store=LocalFileStore(folder / "files")), args.runs,
                             show_plans=args.explain)
            else:
                run(engine, "SQLite", args.cases, args.runs, folder, generated=generated, **options)
                complete.touch()
            engine.dispose()
        if args.database in ("postgres", "both"):
            from tests.servers.postgres import create_database, running_postgres

            with running_postgres() as server:
                engine = make_engine(create_database(server, "dashboard_bench"))
                if args.lists:
                    lists_only(engine, args.cases, args.runs, folder, server.pid, args.explain)
                else:
                    run(engine, "PostgreSQL", args.cases, args.runs, folder, server_pid=server.pid, **options)
                engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
