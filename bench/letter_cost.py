"""In-process cost of one citizen's letter, which other work on a shared machine hardly changes.

Through Flask's test client on a scratch instance (SQLite), it times GET /write, POST /write (with the form's
CSRF token and submission key) and the confirmation page it redirects to ``count`` times and prints the median CPU
time of each request and of the three together (a letter), and the
median wall time a POST keeps a database transaction open: on SQLite every transaction holds the machine's one
write turn, so that time bounds how many letters a second all web processes together can write.

    .venv/bin/python bench/letter_cost.py [--count 300] [--checkout PATH [--rounds 3]] [--instance DIR]

``--checkout PATH`` measures another checkout of the project (an earlier commit, as a git worktree) with this
same script, in a child process, and prints both side by side: a baseline taken in the same run; ``--rounds N``
measures both N times, alternately, and keeps each figure's lowest median (on a shared machine the other users'
load moves the CPU time of the same code by a third from one minute to the next).
``--instance DIR`` writes the letters into that instance folder (migrated first) instead of a fresh one, e.g. a
database that already holds a million cases (``bench/preload_cases.py``); its letters stay in it.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')
ROWS = ("GET /write", "POST /write", "confirmation", "letter", "transaction")


def measure(checkout: Path, count: int, instance: Path | None = None) -> dict[str, float]:
    """Median CPU ms of GET /write, POST /write, the confirmation and the three together, and median ms a POST's
    transactions stay open; the letters go into ``instance`` (default: a fresh scratch instance)."""
    sys.path.insert(0, str(checkout))
    instance = str(instance) if instance is not None else tempfile.mkdtemp(prefix="letter-cost-")
    os.environ.update({"MAILBOX_INSTANCE_PATH": instance, "FLASK_SECRET_KEY": "bench",
                       "FLASK_SESSION_COOKIE_SECURE": "false", "FLASK_LETTER_RATE_LIMIT": "1000000 per minute"})
    subprocess.run([sys.executable, "-m", "flask", "--app", "web", "db", "upgrade"], cwd=checkout, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from web import create_app

    opened: list[float] = []
    spans: list[float] = []

    def begun(_conn) -> None:  # type: ignore[no-untyped-def]
        opened.append(time.perf_counter())

    def ended(_conn) -> None:  # type: ignore[no-untyped-def]
        if opened:
            spans.append(time.perf_counter() - opened.pop())

    event.listen(Engine, "begin", begun)
    event.listen(Engine, "commit", ended)
    event.listen(Engine, "rollback", ended)
    client = create_app().test_client()
    figures: dict[str, list[float]] = {name: [] for name in ROWS}

    def cpu(fn):  # type: ignore[no-untyped-def]
        started = time.process_time()
        result = fn()
        return result, time.process_time() - started

    for i in range(count + 20):  # the first 20 warm up (templates, catalogs, statement caches)
        page, get_cpu = cpu(lambda: client.get("/write").get_data(as_text=True))
        key = KEY.search(page)
        form = {"csrf_token": CSRF.search(page).group(1), "kind": "report", "subject": f"Street light {i}",
                "body": "路灯损坏。The street light on Elm Street has been out for a week.", "name": "Ana Ruiz",
                "email": "ana@example.org", "phone": "", "address": "", "preferred_reply": "email",
                **({"submission_key": key.group(1)} if key else {})}
        spans.clear()
        answer, post_cpu = cpu(lambda: client.post("/write", data=form,
                                                   environ_base={"REMOTE_ADDR": f"10.1.{i // 250 % 250}.{i % 250}"}))
        if answer.status_code != 302:
            raise SystemExit(f"the letter was refused with HTTP {answer.status_code}")
        held = sum(spans)
        confirmation, confirm_cpu = cpu(lambda: client.get(answer.headers["Location"]))
        if confirmation.status_code != 200:
            raise SystemExit(f"the confirmation answered HTTP {confirmation.status_code}")
        if i >= 20:
            for name, value in (("GET /write", get_cpu), ("POST /write", post_cpu), ("confirmation", confirm_cpu),
                                ("letter", get_cpu + post_cpu + confirm_cpu), ("transaction", held)):
                figures[name].append(value * 1000)
    return {name: statistics.median(values) for name, values in figures.items()}


def report(count: int, baseline: Path | None = None, instance: Path | None = None, rounds: int = 1) -> None:
    """Print this checkout's figures (and ``baseline``'s, measured by a child process in the same run), with
    the letters written into ``instance`` (default: a fresh one for each).

    With ``rounds`` > 1 the checkouts are measured that many times, alternately (this, baseline, baseline, this,
    ...), so both see the same minutes of a shared machine; each figure is the lowest of its rounds' medians."""
    checkouts = [("this checkout", CHECKOUT)]
    if baseline is not None:
        checkouts.append((f"baseline ({baseline.name})", baseline))
    measured: dict[str, list[dict[str, float]]] = {label: [] for label, _ in checkouts}
    for n in range(rounds):
        for label, checkout in (checkouts if n % 2 == 0 else checkouts[::-1]):
            measured[label].append(_child(checkout, count, instance))
    columns = [(label, {name: min(round_[name] for round_ in measured[label]) for name in ROWS})
               for label, _ in checkouts]
    best = f", lowest of {rounds} alternating rounds" if rounds > 1 else ""
    print(f"in-process cost per request, median of {count}{best} (CPU ms; transaction: wall ms a POST keeps one "
          f"open), load average {os.getloadavg()[0]:.1f}")
    print("   " + f"{'':<14}" + "".join(f"{label:>26}" for label, _ in columns))
    for name in ROWS:
        print("   " + f"{name:<14}" + "".join(f"{figures[name]:>26.2f}" for _, figures in columns))


def _child(checkout: Path, count: int, instance: Path | None = None) -> dict[str, float]:
    """Measure ``checkout`` in a fresh interpreter (its own modules; ``instance`` or its own scratch one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    where = ["--instance", str(instance)] if instance is not None else []
    done = subprocess.run([sys.executable, __file__, "--json", "--count", str(count), "--checkout", str(checkout),
                           *where], cwd=checkout, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--checkout", type=Path, default=None, help="baseline: another checkout of the project")
    parser.add_argument("--instance", type=Path, default=None,
                        help="instance folder to write the letters into (default: a fresh one)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure the checkouts this many times, alternately; print the lowest medians")
    parser.add_argument("--json", action="store_true", help="measure --checkout (default: this one), print JSON")
    args = parser.parse_args()
    instance = args.instance.resolve() if args.instance else None
    if args.json:
        print(json.dumps(measure((args.checkout or CHECKOUT).resolve(), args.count, instance)))
    else:
        report(args.count, args.checkout.resolve() if args.checkout else None, instance, args.rounds)


if __name__ == "__main__":
    main()
