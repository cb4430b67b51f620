"""Load benchmark: citizens' letters and staff searches against real gunicorn and workers, then the mail pipeline.

Simulated citizens write letters and staff search against real gunicorn and worker processes; then the full mail
pipeline (mail in -> case -> indexed) runs through the same worker.

    .venv/bin/python bench/load.py                      # both setups, about 3 minutes
    .venv/bin/python bench/load.py --setup embedded --seconds 30 --rate 0 --citizens 16 --mail 2000

For each setup it starts throwaway servers and the app on loopback:

* ``embedded``: SQLite + Whoosh + Huey on SQLite (no servers);
* ``servers``:  PostgreSQL (durable as in production: fsync and synchronous commit on) + Redis (Huey, rate
  limits) + PostgreSQL full-text search.

Each citizen loops with one keep-alive connection: GET /write, read the CSRF token, POST the letter, follow the
redirect to the confirmation. By default the citizens start 100 letters a second in all, on a schedule (the
target's load, ``--rate``); a letter's time counts from when it was due, so a server that falls behind shows it.
``--rate 0`` sends letters back to back instead, which measures the capacity at saturation (with latencies that
are mostly queueing). Each searcher (a logged-in clerk) searches the archive, pausing ``--search-pause``
seconds between searches. Afterwards it waits for the worker to drain the outbox and checks that every accepted
letter is a case in the database and in the search index. It prints letters per second, requests per second,
p50/p95/p99 latency per kind of request and the CPU time per letter of gunicorn, the worker, the load generator
(and the PostgreSQL and Redis servers); the target on two cores is 100 letters/s with a p95 submission
(GET + POST + confirmation) under 200 ms, no error, nothing lost.

First it prints the in-process cost of one letter (``bench/letter_cost.py``: CPU per GET and POST of the form,
the confirmation and the three together, and how long a POST keeps its transaction, the machine's write turn on
SQLite), which other work on a shared
machine hardly changes; ``--baseline PATH`` measures another checkout (an earlier commit) beside it.
``--preload N`` writes N earlier cases into the database before the servers start (``bench/preload_cases.py``),
so the letters are written into a database the size of a big city's year; ``--database-from FILE`` starts the
embedded setup from a copy of a database filled once by ``bench/preload_cases.py`` instead.

Then ``--mail`` messages are loaded into a Dovecot the script starts, ``flask --app web mailbox fetch`` (the code
of the worker's poll job) turns them into cases and the running worker indexes them; it prints cases per minute
from the start of the fetch until the search finds every one of them.

The simulated users are in ``bench/load_users.py``, the app seen from outside in ``bench/load_app.py``, the mail
pipeline in ``bench/load_pipeline.py`` and the printed figures in ``bench/load_report.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.load_app import bench_app, close_app, group_cpu, pending_outbox, run_flask, top_case_id, verify  # noqa: E402
from bench.load_pipeline import print_pipeline, run_pipeline  # noqa: E402
from bench.load_report import LoadRun, print_run  # noqa: E402
from bench.load_users import CHINESE, Recorder, citizen_loop, searcher_loop, warm_searches  # noqa: E402
from tests.servers.app_processes import KeepAliveBrowser, app_env, start_gunicorn, start_worker, stop  # noqa: E402
from tests.servers.dovecot import DovecotServer  # noqa: E402
from tests.servers.freeport import wait_until  # noqa: E402


def run_setup(name: str, label: str, settings: dict, workdir: Path, args: argparse.Namespace,
              dovecot: Any, server_pids: tuple[int, ...] = ()) -> None:
    """Set up the app on ``settings``, start gunicorn and a worker, run the users (then the mail pipeline) against
    them and print the figures."""
    instance = workdir / f"{name}-instance"
    env = app_env(instance, {"SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False, "PROXY_COUNT": 1,
                             "LETTER_RATE_LIMIT": "100000 per minute", "WORKER_COUNT": args.job_workers,
                             **({"OUTBOX_DRAIN_PACE": args.drain_pace} if args.drain_pace is not None else {}),
                             **settings})
    if args.database_from and name == "embedded":
        shutil.copyfile(args.database_from, instance / "mailbox.db")
    run_flask(env, "db", "upgrade")
    run_flask(env, "demo", "load")
    last_preloaded = top_case_id(env) if args.database_from and name == "embedded" else 0
    if args.preload:
        last_preloaded = preload(env, args.preload)
    log = workdir / f"{name}.log"
    web, base = start_gunicorn(env, log, workers=args.web_workers, threads=args.threads)
    worker = start_worker(env, log, workers=args.job_workers, nice=args.worker_nice)
    app = bench_app(env)
    pipeline: dict[str, Any] | None = None
    try:
        run = measure(app, base, web.pid, worker.pid, args, server_pids, last_preloaded)
        if args.mail:
            pipeline = run_pipeline(app, env, dovecot, name, worker.pid, args, server_pids)
    finally:
        stop(web)
        stop(worker)
        close_app(app)
    print_run(name, label, run, args)
    if pipeline is not None:
        print_pipeline(pipeline)


def preload(env: dict[str, str], count: int) -> int:
    """Write ``count`` earlier cases before the servers start (``bench/preload_cases.py``): the last one's id."""
    from bench.preload_cases import preload as preload_cases, print_progress
    from web.app_state import state

    loading = bench_app(env)
    try:
        started = time.monotonic()
        last_preloaded = preload_cases(state(loading).engine, count, progress=print_progress)
        print(f"   preloaded {count:,} cases in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        close_app(loading)
    return last_preloaded


def measure(app: Any, base: str, web_pid: int, worker_pid: int, args: argparse.Namespace,
            server_pids: tuple[int, ...], last_preloaded: int) -> LoadRun:
    """Warm the servers up, run the citizens and searchers for ``args.seconds``, then wait for the worker and check
    that nothing was lost."""
    rec = Recorder()
    warm = KeepAliveBrowser(base, "10.255.0.1")
    for i in range(3):  # in both scripts, so one-time loads (jieba's dictionary) happen before measuring
        warm.write_letter("Warm-up letter", f"Warming up the workers before measuring. {CHINESE[i]}。")
    wait_until(lambda: pending_outbox(app) == 0, timeout=args.drain_timeout, interval=0.2)
    if args.searchers:
        warm_searches(base, args.web_workers)
    # Write back what setting up (and an earlier set-up's run) left in the page cache, so the kernel's
    # flushing does not land in this run's commits.
    os.sync()
    deadline = time.monotonic() + args.seconds
    threads = [threading.Thread(target=citizen_loop, args=(base, rec, deadline, i, args.rate, args.citizens))
               for i in range(args.citizens)]
    threads += [threading.Thread(target=searcher_loop, args=(base, rec, deadline, i, args.search_pause))
                for i in range(args.searchers)]
    load_before = os.getloadavg()[0]  # one-minute load average: the machine's own business before the run
    servers_before = sum(group_cpu(pid) for pid in server_pids)
    cpu_before = (group_cpu(web_pid), group_cpu(worker_pid), time.process_time())
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()[0]
    cpu_run = (group_cpu(web_pid), group_cpu(worker_pid), time.process_time())
    missing_db, pending, index, waited = verify(app, rec.accepted, args.drain_timeout, last_preloaded)
    worker_after = group_cpu(worker_pid)
    servers_cpu = sum(group_cpu(pid) for pid in server_pids) - servers_before
    return LoadRun(rec=rec, elapsed=elapsed, load_before=load_before, load_after=load_after,
                   web_cpu=cpu_run[0] - cpu_before[0], worker_cpu=worker_after - cpu_before[1],
                   client_cpu=cpu_run[2] - cpu_before[2], servers_cpu=servers_cpu if server_pids else None,
                   missing_db=missing_db, pending=pending, index=index, waited=waited)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--citizens", type=int, default=None,
                        help="simulated citizens (default: 40 on a schedule, so that none is still busy with its "
                             "previous letter when the next is due; 16 back to back)")
    parser.add_argument("--rate", type=float, default=100,
                        help="letters per second the citizens start together, on a schedule (the target's 100); "
                             "0: back to back, as fast as the server answers (its capacity, at saturation)")
    parser.add_argument("--searchers", type=int, default=2)
    parser.add_argument("--search-pause", type=float, default=0.5,
                        help="seconds a searcher reads the results before searching again (0: back to back)")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--job-workers", type=int, default=1)
    parser.add_argument("--worker-nice", type=int, default=10,
                        help="job workers' nice level, as deploy/'s worker unit sets it (0: same as the web)")
    parser.add_argument("--drain-timeout", type=float, default=180)
    parser.add_argument("--drain-pace", type=float, default=None,
                        help="OUTBOX_DRAIN_PACE for the worker (default: the app's)")
    parser.add_argument("--mail", type=int, default=1000,
                        help="messages for the full-pipeline measurement (0: skip it)")
    parser.add_argument("--in-process", type=int, default=200,
                        help="letters for the in-process cost per request (bench/letter_cost.py; 0: skip it)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout (e.g. a git worktree of an earlier commit) whose in-process cost "
                             "is measured in the same run for comparison")
    parser.add_argument("--preload", type=int, default=0,
                        help="cases written into the database before the run (e.g. 1000000: a big city's year)")
    parser.add_argument("--database-from", type=Path, default=None,
                        help="embedded setup: start from a copy of this SQLite database, e.g. one that "
                             "bench/preload_cases.py filled, instead of preloading for every run")
    parser.add_argument("--setup", choices=["embedded", "servers", "both"], default="both")
    args = parser.parse_args()
    if args.citizens is None:
        args.citizens = 40 if args.rate > 0 else 16
    print(f"bench/load.py on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    if args.in_process:
        from bench.letter_cost import report

        report(args.in_process, args.baseline.resolve() if args.baseline else None)
    workdir = Path(tempfile.mkdtemp(prefix="mailbox-load-"))
    try:
        with ExitStack() as stack:
            dovecot = stack.enter_context(DovecotServer.create()) if args.mail else None
            if args.setup in ("embedded", "both"):
                run_setup("embedded", "SQLite + Whoosh + Huey on SQLite", {}, workdir, args, dovecot)
            if args.setup in ("servers", "both"):
                from tests.servers.postgres import create_database, running_postgres
                from tests.servers.redis_server import running_redis

                pg = stack.enter_context(running_postgres(durable=True))  # fsync and synchronous commit on
                redis_server = stack.enter_context(running_redis(workdir / "redis"))
                url = create_database(pg, "mailbox_bench")
                run_setup("servers", "PostgreSQL + Redis + PostgreSQL full-text search", {
                          "DATABASE_URL": url, "SEARCH_URL": url, "REDIS_URL": redis_server.url()}, workdir, args,
                          dovecot, (pg.pid, redis_server.pid))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
