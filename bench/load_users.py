"""The simulated users of ``bench/load.py``: citizens writing letters through the public form, on a schedule or
back to back, and clerks searching the archive; what they saw is collected in a :class:`Recorder`."""
from __future__ import annotations

import random
import threading
import time

from cases.demo import DEMO_USERS
from tests.servers.app_processes import KeepAliveBrowser, csrf_from

WORDS = ("street light pothole noise garbage water leak bus stop park tree sewer heating rent elevator "
         "traffic school hospital bridge flood").split()
CHINESE = ["路灯损坏", "垃圾清运不及时", "夜间施工噪音", "公交车晚点", "小区停水"]
QUERIES = ["street light", "noise", '"water leak"', "垃圾", "bus OR tree", "pothole -bridge", "路灯", ""]


class Recorder:
    """What the users saw, shared by their threads (under ``lock``): latencies, accepted case numbers, errors."""

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
