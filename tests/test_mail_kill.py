"""A killed ``flask --app web mailbox fetch`` (SIGKILL, a real process mid-run): its helper processes die with it,
its output ends, its folder lease lapses within the lease's length, and the next fetch takes every message once."""
from __future__ import annotations

import os
import select as io_select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cases.models import Letter, MailFolderState, utcnow
from tests.mail_corpus import make_plain
from tests.servers.app_processes import CHECKOUT, app_env
from tests.helpers.mail import mail_config
from web.app_state import state

MESSAGES = 400  # above mailbox.workers.MIN_MESSAGES_FOR_POOL, so the fetch starts its parse workers
LEASE_SECONDS = 3


def _parents() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def descendants(pid: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Running (not a zombie waiting for its parent to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def describe(pids: set[int]) -> list[str]:
    """What is left of ``pids``: command line and kernel wait channel, for a failure message."""
    found = []
    for pid in sorted(pids):
        if alive(pid):
            base = Path(f"/proc/{pid}")
            cmd = (base / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:160]
            found.append(f"{pid} [{(base / 'wchan').read_text()}] {cmd}")
    return found


def output_ends(fd: int, within: float) -> bool:
    """Read ``fd`` until end of file (True) or until ``within`` seconds pass without it (False)."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = io_select.select([fd], [], [], left)
        if ready and os.read(fd, 65536) == b"":
            return True
    return False


@pytest.mark.timeout(240)
def test_killed_fetch_leaves_no_process_and_its_lease_lapses(app_factory, dovecot, smtp_server, tmp_path):
    folder = dovecot.new_folder()
    dovecot.append(folder, [make_plain(i) for i in range(MESSAGES)])
    config = mail_config(dovecot, smtp_server, folder, MAIL_BATCH_SIZE=20, MAIL_PARSE_WORKERS=2,
                         MAIL_LOCK_SECONDS=LEASE_SECONDS, MAIL_ACKNOWLEDGE=False)
    app = app_factory(**config)
    env = app_env(Path(app.instance_path), {**config, "DATABASE_URL": app.config["DATABASE_URL"],
                                            "SECRET_KEY": "test-secret"})
    fetch = [sys.executable, "-m", "flask", "--app", "web", "mailbox", "fetch"]
    proc = subprocess.Popen(fetch, cwd=CHECKOUT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        # Mid-run: the forkserver, its parse workers and the resource tracker are up.
        helpers: set[int] = set()
        while len(helpers) < 4 and proc.poll() is None:
            helpers = descendants(proc.pid)
        assert proc.poll() is None, proc.stdout.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        killed_at = utcnow()
        proc.wait()
        # Whoever reads the fetch's output sees it end: no helper holds it open.
        assert output_ends(proc.stdout.fileno(), within=60), f"the output did not end: {describe(helpers)}"
        deadline = time.monotonic() + 60
        while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
            os.sched_yield()
        assert not [pid for pid in helpers if alive(pid)], "helper processes outlived the killed fetch"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # only if the test failed: leave nothing behind
        except ProcessLookupError:
            pass

    # Nobody renews the dead fetch's lease: it lapses within its length, and the next fetch carries on.
    with state(app).sessions() as s:
        locked_by, locked_until = s.execute(select(MailFolderState.locked_by, MailFolderState.locked_until)
                                            .where(MailFolderState.folder == folder)).one()
        before = s.scalar(select(func.count()).select_from(Letter))
    assert locked_by.startswith(f"pid {proc.pid} on ")
    locked_until = locked_until.replace(tzinfo=killed_at.tzinfo)
    assert locked_until - killed_at <= __import__("datetime").timedelta(seconds=LEASE_SECONDS)
    skipped = subprocess.run([*fetch, "--json"], cwd=CHECKOUT, env=env, capture_output=True, text=True)
    if utcnow() < locked_until:  # still within the dead holder's lease: told so, with an exit status of its own
        assert skipped.returncode == 75 and f"pid {proc.pid} on" in skipped.stdout
    while utcnow() <= locked_until:
        time.sleep(0.1)  # waiting out the lease itself is what is tested here
    again = subprocess.run(fetch, cwd=CHECKOUT, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    with state(app).sessions() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == MESSAGES
    assert before < MESSAGES
