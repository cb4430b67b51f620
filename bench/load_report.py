"""What ``bench/load.py`` prints for one setup's run of letters and searches: throughput, latency percentiles,
CPU per letter, the load average around the run, errors, the after-run checks and whether the target was met."""
from __future__ import annotations

import argparse
import os
import statistics
from dataclasses import dataclass

from bench.load_users import Recorder


@dataclass(frozen=True)
class LoadRun:
    """One measured run: what the users saw, its length, the CPU seconds each side used (``servers_cpu``: the
    PostgreSQL and Redis servers, None without them) and the checks after it (``bench.load_app.verify``)."""

    rec: Recorder
    elapsed: float
    load_before: float
    load_after: float
    web_cpu: float
    worker_cpu: float
    client_cpu: float
    servers_cpu: float | None
    missing_db: int
    pending: int
    index: dict[str, int]
    waited: float


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def print_run(name: str, label: str, run: LoadRun, args: argparse.Namespace) -> None:
    """Print the figures of ``run`` for the setup ``name`` (``label`` describes it)."""
    rec, elapsed = run.rec, run.elapsed
    all_requests = sum(len(v) for v in rec.requests.values()) + len(rec.accepted)  # + confirmation pages
    print(f"\n== {name}: {label}")
    offered = f"letters due at {args.rate:g}/s in all" if args.rate > 0 else "letters back to back"
    print(f"   {args.citizens} citizens ({offered}), {args.searchers} searchers, {args.seconds:.0f} s, gunicorn "
          f"{args.web_workers} x {args.threads} thread(s), {args.job_workers} job worker(s)")
    print(f"   letters accepted: {len(rec.accepted)}  ->  {len(rec.accepted) / elapsed:.1f} letters/s;"
          f"  HTTP requests: {all_requests / elapsed:.1f} req/s;  searches: {len(rec.searches) / elapsed:.1f}/s")
    for kind, values in [("submission (GET+POST+confirm)", rec.submissions), *rec.requests.items()]:
        if values:
            print(f"   {kind:<32} n={len(values):>6}  p50 {percentile(values, 50) * 1000:7.1f} ms  "
                  f"p95 {percentile(values, 95) * 1000:7.1f} ms  p99 {percentile(values, 99) * 1000:7.1f} ms  "
                  f"mean {statistics.fmean(values) * 1000:7.1f} ms")
    _print_cpu(run)
    _print_checks(run, args)


def _print_cpu(run: LoadRun) -> None:
    letters = max(1, len(run.rec.accepted))
    servers = run.servers_cpu
    print(f"   CPU per letter: web {run.web_cpu / letters * 1000:.1f} ms (incl. searches), worker "
          f"{run.worker_cpu / letters * 1000:.1f} ms (indexing, until drained), load generator "
          f"{run.client_cpu / letters * 1000:.1f} ms" + (f", PostgreSQL + Redis {servers / letters * 1000:.1f} ms"
                                                         if servers is not None else ""))
    total_cpu = (run.web_cpu + run.worker_cpu + run.client_cpu + (servers or 0)) / letters
    cores = os.cpu_count() or 1
    print(f"   CPU per letter, all processes: {total_cpu * 1000:.1f} ms  ->  {cores} idle core(s) could take at most "
          f"{cores / total_cpu:.0f} letters/s (searches included)")
    print(f"   load average (1 min): {run.load_before:.1f} before the run, {run.load_after:.1f} at its end; well "
          f"above {cores} (this bench's own share) means other work shared the cores and the figures above are a "
          f"floor")


def _print_checks(run: LoadRun, args: argparse.Namespace) -> None:
    rec = run.rec
    errors: dict[str, int] = {}
    for e in rec.errors:
        errors[e] = errors.get(e, 0) + 1
    print(f"   errors: {sum(errors.values())} {errors if errors else ''}")
    print(f"   after the run: outbox drained in {run.waited:.1f} s, pending {run.pending}; accepted letters missing "
          f"from the database: {run.missing_db}; index check: {run.index}")
    p95 = percentile(rec.submissions, 95) * 1000
    if args.rate > 0:
        print(f"   on the schedule: {len(rec.accepted) + len(rec.errors) + rec.not_started} letters due, "
              f"{len(rec.accepted)} accepted, {rec.not_started} not started in time (server behind)")
        # Served at the offered rate: every due letter started and was accepted (the errors check is below).
        served = args.rate >= 100 and rec.not_started == 0
    else:
        served = len(rec.accepted) / run.elapsed >= 100
    ok = (served and p95 < 200 and not rec.errors and not run.missing_db and not run.pending
          and not any(run.index.values()))
    print(f"   target 100 letters/s served, p95 < 200 ms, no error, nothing lost: {'MET' if ok else 'MISSED'}")
