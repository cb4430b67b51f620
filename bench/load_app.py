"""The app under load as ``bench/load.py`` sees it from outside: its ``flask`` commands, an app object with the
servers' settings for checks, the CPU time of its process groups, and the check that nothing was lost."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.servers.freeport import wait_until


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
