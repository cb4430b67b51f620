"""The full mail pipeline of ``bench/load.py``: messages loaded into Dovecot, fetched by the app's own command,
indexed by the running worker, timed until the search finds every one of them."""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.load_app import group_cpu
from bench.load_users import WORDS
from tests.servers.freeport import wait_until

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
