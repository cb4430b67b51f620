"""The restart scenarios of ``bench/sms.py``: messages queued, drained by a real worker process
(``flask --app web worker``, its jobs on SQLite like a one-machine install), and, mid-drain, Kannel restarted, the
worker killed with SIGKILL and started again, or both; then every number is checked for exactly one message
delivered to the SMS centre (fakesmsc).

The bench kicks a drain every two seconds the way a web request does (a job on the worker's queue), so
what a restart left pending is retried at once instead of at the next minute's periodic drain.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.servers.app_processes import app_env, kill_group, start_worker, stop
from tests.servers.freeport import wait_until

SCENARIOS = ("kannel", "worker", "both")


class Worker:
    """``flask --app web worker`` on the bench's database, started, SIGKILLed and started again."""

    def __init__(self, instance: Path, settings: dict[str, Any]) -> None:
        self.env = app_env(instance, settings)
        self.log = instance / "worker.log"
        self.proc: Any = None
        self.starts = 0

    def start(self) -> None:
        self.proc = start_worker(self.env, self.log, workers=1)
        self.starts += 1
        # Up when its catch-up drain has been queued and taken (the log line comes first).
        if not wait_until(lambda: self.log.read_text(errors="replace").count("worker:") >= self.starts, timeout=60,
                          alive=lambda: self.proc.poll() is None):
            raise SystemExit(f"the worker did not start; see {self.log}")

    def kill(self) -> None:
        kill_group(self.proc)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


def delivered_to(gateway: Any, prefix: str) -> Counter[str]:
    """Messages the gateway handed to the SMS centre, per number starting with ``prefix``."""
    return Counter(d.to for d in gateway.delivered() if d.to.startswith(prefix))


def run_scenario(name: str, count: int, prefix: str, *, queue: Callable[[str, int], None],
                 kick: Callable[[], None], worker: Worker, gateway: Any, status: Callable[[str], dict[str, int]],
                 resend_after: float) -> None:
    """Queue ``count`` messages to numbers starting with ``prefix``, let the worker drain them with the
    scenario's restarts half-way (``both``: the worker killed at a third, Kannel restarted at two thirds), and
    print sent / received / lost / duplicated."""
    def reached(n: int) -> None:
        limit = time.monotonic() + resend_after + 120
        kicked = time.monotonic()
        while sum(delivered_to(gateway, prefix).values()) < n:
            if time.monotonic() > limit:
                raise SystemExit(f"{name}: fewer than {n} delivered; see {worker.log}")
            if time.monotonic() - kicked > 2:
                kick()
                kicked = time.monotonic()
            time.sleep(0.005)

    queue(prefix, count)
    start = time.perf_counter()
    worker.start()
    restarts = []
    if name in ("worker", "both"):
        reached(count // 3 if name == "both" else count // 2)
        worker.kill()
        left = status(prefix)
        restarts.append(f"worker SIGKILLed at {sum(delivered_to(gateway, prefix).values())}, leaving "
                        f"{left.get('sending', 0)} sending (resent only without a delivery report after "
                        f"{resend_after} s), {left.get('queued', 0)} queued")
        worker.start()
    if name in ("kannel", "both"):
        reached(2 * count // 3 if name == "both" else count // 2)
        at = sum(delivered_to(gateway, prefix).values())
        gateway.restart()
        restarts.append(f"Kannel stopped at {at}, started again at {sum(delivered_to(gateway, prefix).values())}")
    deadline = time.monotonic() + resend_after + 180
    while len(delivered_to(gateway, prefix)) < count and time.monotonic() < deadline:
        kick()
        time.sleep(2)
    # Anything still on its way from the gateway's queue to the SMS centre arrives within a few seconds.
    wait_until(lambda: False, timeout=3)
    took = time.perf_counter() - start
    worker.stop()
    got = delivered_to(gateway, prefix)
    sent = status(prefix)
    lost = count - len(got)
    duplicated = sum(n - 1 for n in got.values() if n > 1)
    print(f"restart {name}: {count} messages ({'; '.join(restarts)})  marked sent {sent.get('sent', 0) + sent.get('delivered', 0)}  "
          f"received at fakesmsc {sum(got.values())} on {len(got)} numbers  lost {lost}  duplicated {duplicated}  "
          f"all through in {took:.1f} s  statuses {json.dumps(sent, sort_keys=True)}")
