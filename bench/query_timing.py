"""Timing a query and reading its plans, for the benchmarks of statistics and lists (``bench/dashboard.py``).

A query is timed as wall clock (p50, p95) and as CPU: this process's (SQLite runs inside it) plus the PostgreSQL
server's processes' (the "database time"), which the other load on a shared machine does not inflate. Its plans
are printed with ``EXPLAIN`` and checked for the shapes that grow faster than the data: a subplan run once per
row (quadratic), and for a list page, a sort of every matching row or a scan of a whole big table.
"""
from __future__ import annotations

import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

BIG_TABLES = ("case_file", "letter", "event", "access_log", "publication", "stat_case")


def server_cpu_seconds(server_pid: int) -> float:
    """CPU seconds used so far by a PostgreSQL server: the postmaster, its children alive now (backends, each in
    its own session) and those it has reaped (parallel workers of finished queries), read from /proc; 0.0 where
    there is no /proc or no server (``server_pid`` 0)."""
    if not server_pid:
        return 0.0
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


@dataclass(frozen=True)
class Timing:
    """Wall-clock p50 and p95, median CPU (this process and the server) and median server CPU, in ms."""

    p50: float
    p95: float
    cpu: float
    db: float


def timed(fn: Callable[[], object], runs: int, server_pid: int = 0) -> Timing:
    """Time ``runs`` calls of ``fn`` after one warm-up call."""
    fn()
    samples, cpu, db = [], [], []
    for _ in range(runs):
        server_before = server_cpu_seconds(server_pid) if server_pid else 0.0
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        server = server_cpu_seconds(server_pid) - server_before if server_pid else 0.0
        cpu.append((time.process_time() - started_cpu + server) * 1000)
        db.append(server * 1000)
    samples.sort()
    return Timing(statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))],
                  statistics.median(cpu), statistics.median(db))


def statements(engine: Engine, fn: Callable[[], object]) -> list[tuple[str, object]]:
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


def quadratic(plan: str) -> list[str]:
    """A subplan that is not hashed runs once per outer row (PostgreSQL), a correlated subquery likewise (SQLite):
    quadratic when both sides grow with the cases."""
    found = []
    if "SubPlan" in plan and "hashed SubPlan" not in plan:
        found.append("subplan per row")
    if "CORRELATED" in plan:
        found.append("correlated subquery")
    return found


def whole_table(plan: str) -> list[str]:
    """For a list page: a full sort (an incremental sort, which sorts the rows of one index key at a time, is
    fine) or a sequential scan of a big table."""
    big = "|".join(BIG_TABLES)
    found = []
    for line in plan.splitlines():
        node = line.strip().removeprefix("->").strip()
        if re.match(r"Sort\s+\(", node) or "USE TEMP B-TREE FOR ORDER BY" in node:
            found.append(f"sort: {node}")
        elif re.search(rf"Seq Scan on ({big})\b|\bSCAN ({big})\b(?! USING)", node):
            found.append(f"scan: {node}")
    return found


def explain(engine: Engine, session: Session, name: str, fn: Callable[[], object],
            check: Callable[[str], list[str]] = quadratic) -> list[str]:
    """Print the plan of every statement of one query; return what ``check`` found in them, as
    "query: finding"."""
    warnings = []
    for statement, parameters in statements(engine, fn):
        prefix = "EXPLAIN " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        raw = session.connection().connection.dbapi_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        cursor.execute(prefix + statement, parameters)
        plan = [" ".join(str(v) for v in row) for row in cursor.fetchall()]
        cursor.close()
        warnings += [f"{name}: {finding}" for finding in check("\n".join(plan))]
        print(f"--- {name}\n{statement}\n" + "\n".join(f"    {line}" for line in plan))
    return warnings
