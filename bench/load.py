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

First it prints the in-process cost of one letter (``bench/letter_cost.py``: CPU per GET and POST of the form
and how long a POST keeps its transaction, the machine's write turn on SQLite), which other work on a shared
machine hardly changes; ``--baseline PATH`` measures another checkout (an earlier commit) beside it.
``--preload N`` writes N earlier cases into the database before the servers start (``bench/preload_cases.py``),
so the letters are written into a database the size of a big city's year; ``--database-from FILE`` starts the
embedded setup from a copy of a database filled once by ``bench/preload_cases.py`` instead.

Then ``--mail`` messages are loaded into a Dovecot the script starts, ``flask --app web mailbox fetch`` (the code
of the worker's poll job) turns them into cases and the running worker indexes them; it prints cases per minute
from the start of the fetch until the search finds every one of them.
"""

from __future__ import annotations

import argparse
import json
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
from typing import Any

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
from tests.servers.dovecot import DovecotServer  # noqa: E402
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
    """CPU seconds (user + system) used so far by process group ``pgid``: its live processes and the children
    they have reaped (PostgreSQL's finished backends), from Linux /proc."""
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
            total += sum(int(f) for f in fields[11:15])
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
        self.not_started = 0  # on a schedule: letters due before the end that their citizen could not start
        self.errors: list[str] = []


def citizen_loop(base: str, rec: Recorder, deadline: float, index: int, rate: float, citizens: int) -> None:
    """One citizen writing letters until ``deadline``: back to back, or with ``rate`` > 0 on a schedule that makes
    all ``citizens`` together start ``rate`` letters a second. On a schedule a letter's time counts from when it
    was due, so a letter that had to wait for the citizen's previous one counts that wait (no flattering of a
    server that falls behind)."""
    rng = random.Random(index)
    person = KeepAliveBrowser(base, f"10.{index // 250}.{index % 250}.{rng.randint(1, 250)}")
    interval = citizens / rate if rate > 0 else 0.0
    due = time.perf_counter() + (index / rate if rate > 0 else 0.0)
    n = 0
    while True:
        if interval:
            wait = min(due - time.perf_counter(), deadline - time.monotonic())
            if wait > 0:
                time.sleep(wait)
        if time.monotonic() >= deadline:
            if interval:  # letters that were due before the end but could not start: the server fell behind
                behind = deadline - time.monotonic() + time.perf_counter() - due
                with rec.lock:
                    rec.not_started += max(0, int(behind // interval) + 1) if behind > 0 else 0
            break
        n += 1
        words = " ".join(rng.choice(WORDS) for _ in range(25))
        body = f"{rng.choice(CHINESE)}。Dear office, {words}. Letter {index}-{n}."
        started = min(due, time.perf_counter()) if interval else time.perf_counter()
        due += interval
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


def logged_in_clerk(base: str) -> KeepAliveBrowser | None:
    clerk = KeepAliveBrowser(base)
    status, page = clerk.request("/auth/login")
    password = next(p for name, _r, _u, p in DEMO_USERS if name == "clerk")
    status, _ = clerk.request("/auth/login", {"csrf_token": csrf_from(page), "username": "clerk",
                                              "password": password})
    return clerk if status == 200 else None


def warm_searches(base: str, web_workers: int) -> None:
    """Chinese searches over fresh connections, so each web process has loaded jieba's dictionary (about a
    second of CPU, once per process) before the measurement."""
    clerk = logged_in_clerk(base)
    for _ in range(4 * web_workers) if clerk else ():
        clerk.close()  # a new connection: the kernel hands it to any of the processes
        clerk.request("/search/?q=%E8%B7%AF%E7%81%AF")


def searcher_loop(base: str, rec: Recorder, deadline: float, index: int, pause: float) -> None:
    from urllib.parse import urlencode

    rng = random.Random(1000 + index)
    clerk = logged_in_clerk(base)
    if clerk is None:
        rec.errors.append("clerk log-in failed")
        return
    while time.monotonic() < deadline:
        started = time.perf_counter()
        status, _ = clerk.request("/search/?" + urlencode({"q": rng.choice(QUERIES), "sort": "relevance"}))
        took = time.perf_counter() - started
        if pause > 0:  # a clerk reads the results before the next search
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        with rec.lock:
            if status == 200:
                rec.searches.append(took)
                rec.requests["GET /search"].append(took)
            else:
                rec.errors.append(f"search failed with HTTP {status}")


def bench_app(env: dict[str, str]) -> Any:
    """The app as the servers see it (same settings), for checks from this process."""
    from web import create_app

    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("FLASK_") or k == "MAILBOX_INSTANCE_PATH"})
    try:
        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def top_case_id(env: dict[str, str]) -> int:
    """The largest case id in the database (the cases after it are the run's)."""
    from sqlalchemy import func

    from cases.models import Case
    from web.app_state import state

    app = bench_app(env)
    try:
        with state(app).sessions() as s:
            return int(s.scalar(select(func.max(Case.id))) or 0)
    finally:
        close_app(app)


def close_app(app: Any) -> None:
    from web.app_state import state

    state(app).engine.dispose()
    if state(app).search is not None:
        state(app).search.close()


def pending_outbox(app: Any) -> int:
    from cases.models import OutboxItem
    from web.app_state import state

    with state(app).sessions() as s:
        return len(s.scalars(select(OutboxItem.id).where(OutboxItem.done_at.is_(None))).all())


def verify(app: Any, accepted: list[str], timeout: float,
           last_preloaded: int = 0) -> tuple[int, int, dict[str, int], float]:
    """Wait for the outbox to drain; return (cases missing from the database, pending outbox items, index check
    counts, seconds waited). With ``last_preloaded``, the index is checked for the cases after it only (the preloaded
    cases up to it were never indexed)."""
    from cases.models import Case
    from web.search_wiring import check
    from web.app_state import state

    started = time.monotonic()
    wait_until(lambda: pending_outbox(app) == 0, timeout=timeout, interval=0.5)
    waited = time.monotonic() - started
    with state(app).sessions() as s:
        numbers = set(s.scalars(select(Case.number).where(Case.id > last_preloaded)))
    missing_db = len(set(accepted) - numbers)
    report = check(app, repair=False)
    return missing_db, pending_outbox(app), {k: len([i for i in v if int(i) > last_preloaded])
                                             for k, v in report.items()}, waited


# A word no demo case or simulated letter uses: the pipeline's messages are found by it.
PIPELINE_WORD = "quagmirelane"


def pipeline_messages(count: int, tag: str) -> list[bytes]:
    from tests.mail_corpus import make_plain

    return [make_plain(i, subject=f"Pipeline {tag} letter {i}: {rng_subject(i)}",
                       body=f"Dear office, the pavement of {PIPELINE_WORD} {i} is broken. {rng_subject(i * 7)}.\n")
            for i in range(count)]


def rng_subject(seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(6))


def run_pipeline(app: Any, env: dict[str, str], dovecot: Any, name: str, worker_pid: int,
                 args: argparse.Namespace, server_pids: tuple[int, ...] = ()) -> dict[str, Any]:
    """Mail in -> case -> indexed: load ``args.mail`` messages into a fresh Dovecot folder, run the app's fetch
    (``flask --app web mailbox fetch``, the code of the worker's poll job) and let the running worker index;
    time until the search finds every message as an email case."""
    import resource
    import subprocess

    from cases.drafts import Channel
    from cases.models import Case
    from search_index import SearchRequest
    from web.search_wiring import backend
    from web.app_state import state

    folder = dovecot.new_folder(f"pipeline-{name}")
    messages = pipeline_messages(args.mail, name)
    for start in range(0, len(messages), 200):
        dovecot.multiappend(folder, messages[start:start + 200])
    fetch_env = {**env, "FLASK_IMAP_HOST": dovecot.host, "FLASK_IMAP_PORT": str(dovecot.port),
                 "FLASK_IMAP_SECURITY": "none", "FLASK_IMAP_USER": dovecot.user,
                 "FLASK_IMAP_PASSWORD": dovecot.password, "FLASK_IMAP_FOLDERS": folder,
                 "FLASK_MAIL_ACKNOWLEDGE": "false", "FLASK_MAIL_POLL_MINUTES": "0"}
    search = backend(app)
    request = SearchRequest(query=PIPELINE_WORD, filters={"channel": "email"}, per_page=1)

    def found() -> int:
        return search.search(request).total

    before = found()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = group_cpu(worker_pid)
    servers_cpu = sum(group_cpu(pid) for pid in server_pids)
    started = time.monotonic()
    fetch = subprocess.run([sys.executable, "-m", "flask", "--app", "web", "mailbox", "fetch", "--json"],
                           env=fetch_env, cwd=str(Path(__file__).resolve().parent.parent), capture_output=True,
                           text=True)
    fetched_at = time.monotonic()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(fetch.stdout.strip().splitlines()[-1]) if fetch.returncode == 0 else {}
    all_found = wait_until(lambda: found() - before >= args.mail, timeout=args.drain_timeout, interval=0.2)
    done_at = time.monotonic()
    worker_cpu = group_cpu(worker_pid) - worker_cpu
    servers_cpu = sum(group_cpu(pid) for pid in server_pids) - servers_cpu
    with state(app).sessions() as s:
        cases = len(s.scalars(select(Case.id).where(Case.channel == Channel.EMAIL,
                                                    Case.subject.like(f"Pipeline {name} letter %"))).all())
    return {
        "messages": args.mail, "fetch_ok": fetch.returncode == 0, "fetch_error": fetch.stderr[-500:],
        "summary": summary, "cases": cases, "found": found() - before, "all_found": all_found,
        "fetch_seconds": fetched_at - started, "total_seconds": done_at - started,
        "fetch_cpu": (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime),
        "worker_cpu": worker_cpu, "servers_cpu": servers_cpu if server_pids else None,
    }


def print_pipeline(result: dict[str, Any]) -> bool:
    n = result["messages"]
    total, fetch = result["total_seconds"], result["fetch_seconds"]
    print(f"   full pipeline (mail in -> case -> indexed), {n} messages in Dovecot:")
    if not result["fetch_ok"]:
        print(f"     fetch FAILED: {result['fetch_error']}")
        return False
    summary = result["summary"]
    print(f"     {n / total * 60:8.0f} cases/min ({n / total:.1f}/s): all {n} found by the search "
          f"{total:.1f} s after the fetch started; fetch alone {fetch:.1f} s ({n / fetch * 60:.0f} cases/min), "
          f"indexed {total - fetch:.1f} s after it")
    print(f"     fetch: {summary.get('new_cases')} new cases, {summary.get('duplicates')} duplicates, "
          f"{summary.get('quarantined')} quarantined; email cases in the database {result['cases']}, found by "
          f"search {result['found']}")
    print(f"     CPU per case: fetch process {result['fetch_cpu'] / n * 1000:.1f} ms, worker (indexing) "
          f"{result['worker_cpu'] / n * 1000:.1f} ms" + (f", PostgreSQL + Redis {result['servers_cpu'] / n * 1000:.1f} ms"
                                                         if result["servers_cpu"] is not None else ""))
    ok = result["all_found"] and result["cases"] == n and summary.get("new_cases") == n
    print(f"     every message a case and found: {'yes' if ok else 'NO'}")
    return ok


def run_setup(name: str, label: str, settings: dict, workdir: Path, args: argparse.Namespace,
              dovecot: Any, server_pids: tuple[int, ...] = ()) -> None:
    instance = workdir / f"{name}-instance"
    env = app_env(instance, {"SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False, "PROXY_COUNT": 1,
                             "LETTER_RATE_LIMIT": "100000 per minute", "WORKER_COUNT": args.job_workers,
                             **({"OUTBOX_DRAIN_PACE": args.drain_pace} if args.drain_pace is not None else {}),
                             **settings})
    if args.database_from and name == "embedded":
        shutil.copyfile(args.database_from, instance / "mailbox.db")
    run_flask(env, "db", "upgrade")
    run_flask(env, "demo", "load")
    last_preloaded = 0
    if args.database_from and name == "embedded":
        last_preloaded = top_case_id(env)
    if args.preload:
        from bench.preload_cases import preload, print_progress
        from web.app_state import state

        loading = bench_app(env)
        try:
            started = time.monotonic()
            last_preloaded = preload(state(loading).engine, args.preload, progress=print_progress)
            print(f"   preloaded {args.preload:,} cases in {time.monotonic() - started:.0f} s", flush=True)
        finally:
            close_app(loading)
    log = workdir / f"{name}.log"
    web, base = start_gunicorn(env, log, workers=args.web_workers, threads=args.threads)
    worker = start_worker(env, log, workers=args.job_workers, nice=args.worker_nice)
    rec = Recorder()
    app = bench_app(env)
    pipeline: dict[str, Any] | None = None
    try:
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
        cpu_before = (group_cpu(web.pid), group_cpu(worker.pid), time.process_time())
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()[0]
        cpu_run = (group_cpu(web.pid), group_cpu(worker.pid), time.process_time())
        missing_db, pending, index, waited = verify(app, rec.accepted, args.drain_timeout, last_preloaded)
        cpu_after = (group_cpu(web.pid), group_cpu(worker.pid))
        servers_cpu = sum(group_cpu(pid) for pid in server_pids) - servers_before
        if args.mail:
            pipeline = run_pipeline(app, env, dovecot, name, worker.pid, args, server_pids)
    finally:
        stop(web)
        stop(worker)
        close_app(app)
    all_requests = sum(len(v) for v in rec.requests.values()) + len(rec.accepted)  # + confirmation pages
    print(f"\n== {name}: {label}")
    offered = f"letters due at {args.rate:g}/s in all" if args.rate > 0 else "letters back to back"
    print(f"   {args.citizens} citizens ({offered}), {args.searchers} searchers, {args.seconds:.0f} s, gunicorn "
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
          f"{client_cpu / letters * 1000:.1f} ms" + (f", PostgreSQL + Redis {servers_cpu / letters * 1000:.1f} ms"
                                                     if server_pids else ""))
    total_cpu = (web_cpu + worker_cpu + client_cpu + (servers_cpu if server_pids else 0)) / letters
    cores = os.cpu_count() or 1
    print(f"   CPU per letter, all processes: {total_cpu * 1000:.1f} ms  ->  {cores} idle core(s) could take at most "
          f"{cores / total_cpu:.0f} letters/s (searches included)")
    print(f"   load average (1 min): {load_before:.1f} before the run, {load_after:.1f} at its end; well above "
          f"{cores} (this bench's own share) means other work shared the cores and the figures above are a floor")
    errors = {}
    for e in rec.errors:
        errors[e] = errors.get(e, 0) + 1
    print(f"   errors: {sum(errors.values())} {errors if errors else ''}")
    print(f"   after the run: outbox drained in {waited:.1f} s, pending {pending}; accepted letters missing from "
          f"the database: {missing_db}; index check: {index}")
    p95 = percentile(rec.submissions, 95) * 1000
    if args.rate > 0:
        print(f"   on the schedule: {len(rec.accepted) + len(rec.errors) + rec.not_started} letters due, "
              f"{len(rec.accepted)} accepted, {rec.not_started} not started in time (server behind)")
        # Served at the offered rate: every due letter started and was accepted (the errors check is below).
        served = args.rate >= 100 and rec.not_started == 0
    else:
        served = len(rec.accepted) / elapsed >= 100
    ok = (served and p95 < 200 and not rec.errors and not missing_db and not pending
          and not any(index.values()))
    print(f"   target 100 letters/s served, p95 < 200 ms, no error, nothing lost: {'MET' if ok else 'MISSED'}")
    if pipeline is not None:
        print_pipeline(pipeline)


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
