"""Benchmark: SMS through a real Kannel (bearerbox + smsbox, fakesmsc as the handsets), started by this script.

  outbound - N messages queued through the app (``cases.sms.queue``) and sent by the worker's outbox drain to
             Kannel's sendsms, until bearerbox has handed all to the SMS centre; next to the bare figure: the same
             number of sendsms requests straight from this script (the ceiling). Messages per second each.
  inbound  - M citizens' messages sent from fakesmsc; latency from the handset to the case in the database
             (median and slowest), through smsbox and the app's /sms/inbound (SQLite, served on loopback).
  restart  - K messages queued and drained by a real worker process (``flask --app web worker``) while, half-way,
             Kannel is stopped and started again (``kannel``), the worker is killed with SIGKILL and started
             again (``worker``), or both one after the other (``both``); then every number is checked for
             exactly one message at fakesmsc (sent, received, lost and duplicated printed; bench/sms_restart.py).

    nice -n 10 .venv/bin/python bench/sms.py [--outbound 500] [--inbound 100] [--restart 200]
        [--scenarios kannel,worker,both] [--resend-after 30]
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import ThreadedWSGIServer  # noqa: E402

from tests.servers.freeport import free_port, wait_until  # noqa: E402
from tests.servers.kannel import running_kannel  # noqa: E402
from bench.sms_restart import SCENARIOS, delivered_to  # noqa: E402

TOKEN = "bench-token"


def make_app(instance: Path, **gateway: str):  # type: ignore[no-untyped-def]
    from cases.db import upgrade
    from web import create_app
    from web.app_state import state

    os.environ["MAILBOX_INSTANCE_PATH"] = str(instance)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{instance / 'mailbox.db'}",
                      "HUEY_IMMEDIATE": True, "RATELIMIT_STORAGE_URI": "memory://", "SMS_ENABLED": True,
                      "SMS_TOKEN": TOKEN, "SMS_PER_NUMBER_PER_HOUR": 1000, **gateway})
    upgrade(state(app).engine)
    return app


class BoundedServer(ThreadedWSGIServer):
    """At most ``SLOTS`` requests at once, as gunicorn's threads serve them: Kannel's delivery reports come in
    bursts of hundreds, and a thread each would exhaust the database pool."""

    SLOTS = 8
    slots = threading.BoundedSemaphore(SLOTS)

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        self.slots.acquire()
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):  # type: ignore[no-untyped-def]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def serve(instance: Path, port: int, gateway: dict[str, str]) -> None:
    """The web process Kannel calls (inbound messages, delivery reports), apart from the worker as in production."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per delivery report
    BoundedServer("127.0.0.1", port, make_app(instance, **gateway)).serve_forever()


def queue(app, prefix: str, count: int) -> None:  # type: ignore[no-untyped-def]
    from cases import sms
    from web.sms import sms_settings
    from web.app_state import state

    with state(app).sessions() as s:
        for n in range(count):
            sms.queue(s, sms_settings(app), number=f"{prefix}{n:05d}", text=f"Bench message {n}", purpose="bench",
                      key=f"bench:{prefix}:{n}")
        s.commit()


def outbound(app, gateway, count: int) -> None:  # type: ignore[no-untyped-def]
    from web.tasks.queue import drain

    start = time.perf_counter()
    for n in range(count):
        query = {"username": gateway.username, "password": gateway.password, "from": gateway.hotline,
                 "to": f"1390{n:05d}", "text": f"Bare message {n}"}
        urllib.request.urlopen(f"{gateway.sendsms_url}?{urllib.parse.urlencode(query)}").read()
    wait_until(lambda: len(delivered_to(gateway, "1390")) >= count, timeout=600)
    bare = count / (time.perf_counter() - start)
    start = time.perf_counter()
    for n in range(count):  # the same with a delivery-report URL, as the app asks for (reports answered 404)
        query = {"username": gateway.username, "password": gateway.password, "from": gateway.hotline,
                 "to": f"1394{n:05d}", "text": f"Bare message {n}", "dlr-mask": "31",
                 "dlr-url": f"{app.config['SMS_CALLBACK_URL']}/sms/dlr?token={TOKEN}&id=0&type=%d"}
        urllib.request.urlopen(f"{gateway.sendsms_url}?{urllib.parse.urlencode(query)}").read()
    wait_until(lambda: len(delivered_to(gateway, "1394")) >= count, timeout=600)
    bare_dlr = count / (time.perf_counter() - start)
    queue(app, "1391", count)
    start = time.perf_counter()
    drain(app, "send_sms")
    drained = time.perf_counter() - start
    wait_until(lambda: len(delivered_to(gateway, "1391")) >= count, timeout=600)
    ours = count / (time.perf_counter() - start)
    print(f"outbound: {count} messages  bare sendsms {bare:.1f} msg/s, with delivery reports {bare_dlr:.1f} msg/s; "
          f"app outbox {ours:.1f} msg/s (ratio to bare with reports {ours / bare_dlr:.2f}; the drain alone "
          f"{count / drained:.1f} msg/s)")


def inbound(app, gateway, count: int) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from cases.models import Letter
    from web.app_state import state

    latencies = []
    for n in range(count):
        body = f"Street lamp {n} is broken"
        sent = time.perf_counter()
        gateway.handset_send(f"1392{n:05d}", body)

        def arrived() -> bool:
            with state(app).sessions() as s:
                return s.scalar(select(Letter.id).where(Letter.body == body)) is not None
        wait_until(arrived, timeout=60, interval=0.005)
        latencies.append(time.perf_counter() - sent)
    ms = sorted(x * 1000 for x in latencies)
    print(f"inbound: {count} messages  handset to case median {statistics.median(ms):.0f} ms   "
          f"slowest {ms[-1]:.0f} ms")


def message_statuses(app, prefix: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from cases.models_sms import SmsMessage
    from web.app_state import state

    with state(app).sessions() as s:
        return dict(s.execute(select(SmsMessage.status, func.count()).where(SmsMessage.number.startswith(prefix))
                              .group_by(SmsMessage.status)).all())


def restarts(app, gateway, instance: Path, config: dict[str, str], count: int, resend_after: int,  # type: ignore[no-untyped-def]
             scenarios: list[str]) -> None:
    from bench.sms_restart import Worker, run_scenario
    from web.app_state import state

    jobs = {"HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(instance / "jobs.db")}
    settings = {"SECRET_KEY": "bench", "DATABASE_URL": app.config["DATABASE_URL"], "SMS_ENABLED": True,
                "SMS_TOKEN": TOKEN, "SMS_PER_NUMBER_PER_HOUR": 1000, "RATELIMIT_STORAGE_URI": "memory://",
                "SMS_RESEND_AFTER_SECONDS": resend_after, **jobs, **config}
    kicker = make_app(instance, **config, **jobs)  # queues drains on the worker's queue, as a request does
    worker = Worker(instance, settings)
    print(f"restart: worker SMS_RESEND_AFTER_SECONDS={resend_after:g}")
    try:
        for n, name in enumerate(scenarios):
            run_scenario(name, count, f"13{95 + n}", queue=lambda prefix, k: queue(app, prefix, k),
                         kick=lambda: state(kicker).tasks.drain_outbox("send_sms"), worker=worker, gateway=gateway,
                         status=lambda prefix: message_statuses(app, prefix), resend_after=resend_after)
    finally:
        worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outbound", type=int, default=500)
    parser.add_argument("--inbound", type=int, default=100)
    parser.add_argument("--restart", type=int, default=200, help="messages per restart scenario")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="restart scenarios, comma-separated")
    parser.add_argument("--resend-after", type=int, default=30,
                        help="the worker's SMS_RESEND_AFTER_SECONDS (the product's default: 600)")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-sms-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with running_kannel(f"{base}/sms/inbound?token={TOKEN}") as gateway:
            config = {"SMS_SENDSMS_URL": gateway.sendsms_url, "SMS_USERNAME": gateway.username,
                      "SMS_PASSWORD": gateway.password, "SMS_FROM": gateway.hotline, "SMS_CALLBACK_URL": base}
            app = make_app(Path(tmp), **config)  # the worker: this process
            web = multiprocessing.get_context("fork").Process(target=serve, args=(Path(tmp), port, config),
                                                              daemon=True)
            web.start()
            try:
                wait_until(lambda: _up(base), timeout=30)
                if args.outbound:
                    outbound(app, gateway, args.outbound)
                if args.inbound:
                    inbound(app, gateway, args.inbound)
                restarts(app, gateway, Path(tmp), config, args.restart, args.resend_after,
                         [x for x in args.scenarios.split(",") if x])
            finally:
                web.terminate()
                web.join(10)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _up(base: str) -> bool:
    try:
        urllib.request.urlopen(f"{base}/sms/dlr?token={TOKEN}&id=0&type=1")
    except urllib.error.HTTPError:
        return True  # it answered (404: no message 0)
    return True


if __name__ == "__main__":
    main()
