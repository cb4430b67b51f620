"""Load benchmark: simulated citizens write letters and staff search, against real gunicorn and worker processes.

    .venv/bin/python bench/load.py --seconds 30 --citizens 16

For each setup it starts throwaway servers and the app on loopback:

* ``embedded``: SQLite + Whoosh + Huey on SQLite (no servers);
* ``servers``:  PostgreSQL + Redis (Huey, rate limits) + PostgreSQL full-text search.

Each citizen loops: GET /write, read the CSRF token, POST the letter, follow the redirect to the confirmation.
Each searcher (a logged-in clerk) loops over archive searches. Afterwards it waits for the worker to drain the
outbox and checks that every accepted letter is a case in the database and in the search index. It prints
letters per second, requests per second and p50/p95/p99 latency per kind of request; the target on two cores is
100 letters/s with a p95 submission (GET + POST + confirmation) under 200 ms, no error, nothing lost.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import select  # noqa: E402

from cases.demo import DEMO_USERS  # noqa: E402
from tests.servers.app_processes import (  # noqa: E402
    KeepAliveBrowser,
    app_env,
    csrf_from,
    start_gunicorn,
    start_worker,
    stop,
)
from tests.servers.freeport import wait_until  # noqa: E402

WORDS = ("street light pothole noise garbage water leak bus stop park tree sewer heating rent elevator "
         "traffic school hospital bridge flood").split()
CHINESE = ["路灯损坏", "垃圾清运不及时", "夜间施工噪音", "公交车晚点", "小区停水"]
QUERIES = ["street light", "noise", '"water leak"', "垃圾", "bus OR tree", "pothole -bridge", "路灯", ""]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of process group ``pgid`` (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def run_flask(env: dict[str, str], *args: str) -> None:
    import subprocess

    subprocess.run([sys.executable, "-m", "flask", "--app", "web", *args], env=env, check=True,
                   cwd=str(Path(__file__).resolve().parent.parent), stdout=subprocess.DEVNULL)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.submissions: list[float] = []
        self.searches: list[float] = []
        self.requests: dict[str, list[float]] = {"GET /write": [], "POST /write (+ confirmation)": [],
                                                  "GET /search": []}
        self.accepted: list[str] = []
        self.errors: list[str] = []


def citizen_loop(base: str, rec: Recorder, deadline: float, index: int) -> None:
    rng = random.Random(index)
    person = KeepAliveBrowser(base, f"10.{index // 250}.{index % 250}.{rng.randint(1, 250)}")
    n = 0
    while time.monotonic() < deadline:
        n += 1
        words = " ".join(rng.choice(WORDS) for _ in range(25))
        body = f"{rng.choice(CHINESE)}。Dear office, {words}. Letter {index}-{n}."
        started = time.perf_counter()
        mark = len(person.latencies)
        try:
            status, number = person.write_letter(f"{rng.choice(WORDS).title()} problem {index}-{n}", body)
        except Exception as exc:  # noqa: BLE001 - counted as an error, the run goes on
            with rec.lock:
                rec.errors.append(f"citizen: {exc!r}")
            continue
        took = time.perf_counter() - started
        lat = person.latencies[mark:]
        with rec.lock:
            if lat:
                rec.requests["GET /write"].append(lat[0])
            if len(lat) > 1:
                rec.requests["POST /write (+ confirmation)"].append(lat[1])
            if number:
                rec.accepted.append(number)
                rec.submissions.append(took)
            else:
                rec.errors.append(f"letter refused with HTTP {status}")


def searcher_loop(base: str, rec: Recorder, deadline: float, index: int) -> None:
    rng = random.Random(1000 + index)
    clerk = KeepAliveBrowser(base)
    status, page = clerk.request("/auth/login")
    password = next(p for name, _r, _u, p in DEMO_USERS if name == "clerk")
    status, _ = clerk.request("/auth/login", {"csrf_token": csrf_from(page), "username": "clerk",
                                              "password": password})
    if status != 200:
        rec.errors.append(f"clerk log-in failed with HTTP {status}")
        return
    from urllib.parse import urlencode

    while time.monotonic() < deadline:
        started = time.perf_counter()
        status, _ = clerk.request("/search/?" + urlencode({"q": rng.choice(QUERIES), "sort": "relevance"}))
        took = time.perf_counter() - started
        with rec.lock:
            if status == 200:
                rec.searches.append(took)
                rec.requests["GET /search"].append(took)
            else:
                rec.errors.append(f"search failed with HTTP {status}")


def verify(env: dict[str, str], accepted: list[str], timeout: float) -> tuple[int, int, dict[str, int], float]:
    """Wait for the outbox to drain; return (cases missing from the database, pending outbox items, index check
    counts, seconds waited)."""
    from cases.models import Case, OutboxItem
    from web import create_app
    from web.search_wiring import check
    from web.state import state

    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("FLASK_") or k == "MAILBOX_INSTANCE_PATH"})
    try:
        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)

    def pending() -> int:
        with state(app).sessions() as s:
            return len(s.scalars(select(OutboxItem.id).where(OutboxItem.done_at.is_(None))).all())

    started = time.monotonic()
    wait_until(lambda: pending() == 0, timeout=timeout, interval=0.5)
    waited = time.monotonic() - started
    with state(app).sessions() as s:
        numbers = set(s.scalars(select(Case.number)))
    missing_db = len(set(accepted) - numbers)
    report = check(app, repair=False)
    state(app).engine.dispose()
    if state(app).search is not None:
        state(app).search.close()
    return missing_db, pending(), {k: len(v) for k, v in report.items()}, waited


def run_setup(name: str, label: str, settings: dict, workdir: Path, args: argparse.Namespace) -> None:
    instance = workdir / f"{name}-instance"
    env = app_env(instance, {"SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False, "PROXY_COUNT": 1,
                             "LETTER_RATE_LIMIT": "100000 per minute", "WORKER_COUNT": args.job_workers,
                             **settings})
    run_flask(env, "db", "upgrade")
    run_flask(env, "demo", "load")
    log = workdir / f"{name}.log"
    web, base = start_gunicorn(env, log, workers=args.web_workers, threads=args.threads)
    worker = start_worker(env, log, workers=args.job_workers)
    rec = Recorder()
    try:
        warm = KeepAliveBrowser(base, "10.255.0.1")
        for _ in range(3):
            warm.write_letter("Warm-up letter", "Warming up the workers before measuring.")
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=citizen_loop, args=(base, rec, deadline, i)) for i in range(args.citizens)]
        threads += [threading.Thread(target=searcher_loop, args=(base, rec, deadline, i))
                    for i in range(args.searchers)]
        cpu_before = (group_cpu(web.pid), group_cpu(worker.pid), time.process_time())
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        cpu_run = (group_cpu(web.pid), group_cpu(worker.pid), time.process_time())
        missing_db, pending, index, waited = verify(env, rec.accepted, args.drain_timeout)
        cpu_after = (group_cpu(web.pid), group_cpu(worker.pid))
    finally:
        stop(web)
        stop(worker)
    all_requests = sum(len(v) for v in rec.requests.values()) + len(rec.accepted)  # + confirmation pages
    print(f"\n== {name}: {label}")
    print(f"   {args.citizens} citizens, {args.searchers} searchers, {args.seconds:.0f} s, gunicorn "
          f"{args.web_workers} x {args.threads} thread(s), {args.job_workers} job worker(s)")
    print(f"   letters accepted: {len(rec.accepted)}  ->  {len(rec.accepted) / elapsed:.1f} letters/s;"
          f"  HTTP requests: {all_requests / elapsed:.1f} req/s;  searches: {len(rec.searches) / elapsed:.1f}/s")
    for label, values in [("submission (GET+POST+confirm)", rec.submissions), *rec.requests.items()]:
        if values:
            print(f"   {label:<32} n={len(values):>6}  p50 {percentile(values, 50) * 1000:7.1f} ms  "
                  f"p95 {percentile(values, 95) * 1000:7.1f} ms  p99 {percentile(values, 99) * 1000:7.1f} ms  "
                  f"mean {statistics.fmean(values) * 1000:7.1f} ms")
    letters = max(1, len(rec.accepted))
    web_cpu, worker_cpu = cpu_run[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
    client_cpu = cpu_run[2] - cpu_before[2]
    print(f"   CPU per letter: web {web_cpu / letters * 1000:.1f} ms (incl. searches), worker "
          f"{worker_cpu / letters * 1000:.1f} ms (indexing, until drained), load generator "
          f"{client_cpu / letters * 1000:.1f} ms")
    errors = {}
    for e in rec.errors:
        errors[e] = errors.get(e, 0) + 1
    print(f"   errors: {sum(errors.values())} {errors if errors else ''}")
    print(f"   after the run: outbox drained in {waited:.1f} s, pending {pending}; accepted letters missing from "
          f"the database: {missing_db}; index check: {index}")
    p95 = percentile(rec.submissions, 95) * 1000
    ok = (len(rec.accepted) / elapsed >= 100 and p95 < 200 and not rec.errors and not missing_db and not pending
          and not any(index.values()))
    print(f"   target 100 letters/s, p95 < 200 ms, no error, nothing lost: {'MET' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--citizens", type=int, default=16)
    parser.add_argument("--searchers", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--job-workers", type=int, default=1)
    parser.add_argument("--drain-timeout", type=float, default=180)
    parser.add_argument("--setup", choices=["embedded", "servers", "both"], default="both")
    args = parser.parse_args()
    print(f"bench/load.py on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    workdir = Path(tempfile.mkdtemp(prefix="mailbox-load-"))
    try:
        if args.setup in ("embedded", "both"):
            run_setup("embedded", "SQLite + Whoosh + Huey on SQLite", {}, workdir, args)
        if args.setup in ("servers", "both"):
            from tests.servers.postgres import create_database, running_postgres
            from tests.servers.redis_server import running_redis

            with ExitStack() as stack:
                pg = stack.enter_context(running_postgres())
                redis_server = stack.enter_context(running_redis(workdir / "redis"))
                url = create_database(pg, "mailbox_bench")
                run_setup("servers", "PostgreSQL + Redis + PostgreSQL full-text search", {
                                      "DATABASE_URL": url, "SEARCH_URL": url, "REDIS_URL": redis_server.url()},
                          workdir, args)
        print("\nfull pipeline (mail in -> case -> indexed): not measured here; see bench/mail_ingest.py")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
