"""The app as real processes, for scale tests and the load benchmark: gunicorn serving ``web:create_app()`` and
``flask --app web worker`` consumers, started from the checkout with ``FLASK_*`` settings in their environment.

Kept free of pytest (like the other server helpers) so ``bench/`` can use it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.servers.freeport import LOOPBACK, start_on_free_port, start_process_group, stop_process_group

CHECKOUT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def app_env(instance: Path, settings: Mapping[str, Any]) -> dict[str, str]:
    """The environment of an app process: ``settings`` as ``FLASK_*`` variables (JSON for non-strings, as
    ``from_prefixed_env`` reads them) and the instance folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["MAILBOX_INSTANCE_PATH"] = str(instance)
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in settings.items():
        env[f"FLASK_{key}"] = value if isinstance(value, str) else json.dumps(value)
    instance.mkdir(parents=True, exist_ok=True)
    return env


def start_worker(env: dict[str, str], log_file: Path, workers: int = 1, nice: int = 0) -> subprocess.Popen[bytes]:
    """``flask --app web worker`` as its own process group (so the test can SIGKILL all of it), ``nice`` steps
    below the web processes' priority."""
    command = [sys.executable, "-m", "flask", "--app", "web", "worker", "--workers", str(workers)]
    with log_file.open("ab") as log:
        return start_process_group(["nice", "-n", str(nice), *command] if nice else command, log=log, cwd=CHECKOUT,
                                   env=env)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process group at once: a crash, not a shutdown."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a worker or gunicorn gracefully (SIGINT for Huey, SIGTERM would also do for gunicorn)."""
    stop_process_group(proc, first_signal=signal.SIGINT, grace=15)


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
        return response.status == 200


def start_gunicorn(env: dict[str, str], log_file: Path, workers: int = 2, threads: int = 1,
                   timeout: float = 60.0) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn with ``workers`` processes on a free loopback port; returns it and its base URL once it serves."""

    def launch(port: int) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "gunicorn", "--chdir", str(CHECKOUT), "--bind", f"{LOOPBACK}:{port}",
                "--workers", str(workers), "--threads", str(threads), "--worker-class",
                "gthread" if threads > 1 else "sync", "--backlog", "2048", "--timeout", "60",
                "--log-level", "warning", "web:create_app()"]
        with log_file.open("ab") as log:
            return start_process_group(argv, log=log, cwd=CHECKOUT, env=env)

    proc, port = start_on_free_port(launch, lambda port: _http_ok(f"http://{LOOPBACK}:{port}/write"),
                                    name="gunicorn", log_file=log_file, timeout=timeout)
    return proc, f"http://{LOOPBACK}:{port}"


SUBMISSION_KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of a form page."""
    match = CSRF.search(html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


NUMBER = re.compile(r'id="case-number">([^<]+)<')


class Citizen:
    """A browser of one person: cookies, the letter form's CSRF token, and the time each request took."""

    def __init__(self, base_url: str, address: str | None = None) -> None:
        import http.cookiejar

        self.base_url = base_url
        self.headers = {"X-Forwarded-For": address} if address else {}
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.latencies: list[float] = []

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        """GET (or POST ``data`` as a form) and follow redirects; returns status and body."""
        import time
        import urllib.error
        import urllib.parse

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body, headers=self.headers)
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=60) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode("utf-8", "replace")
        self.latencies.append(time.perf_counter() - started)
        return status, text

    def write_letter(self, subject: str, body: str, name: str = "Ana Ruiz") -> tuple[int, str | None]:
        """The /write form as a person uses it: load it, read the token, post. Returns (status, case number)."""
        status, page = self.request("/write")
        if status != 200:
            return status, None
        form = {"csrf_token": csrf_from(page), "kind": "report", "subject": subject, "body": body, "name": name,
                "email": "citizen@example.org", "phone": "", "address": "", "preferred_reply": "email"}
        key = SUBMISSION_KEY.search(page)
        if key:  # a browser sends the form's hidden submission key along
            form["submission_key"] = key.group(1)
        status, page = self.request("/write", form)
        match = NUMBER.search(page)
        return status, (match.group(1) if status == 200 and match else None)


class KeepAliveBrowser:
    """A cheap browser for load generation: one persistent HTTP/1.1 connection, the session cookie kept by hand,
    redirects followed on the same connection. Per request it costs a fraction of ``urllib``'s opener, so a load
    generator sharing the machine with the server takes little of its CPU.
    """

    def __init__(self, base_url: str, address: str | None = None) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or LOOPBACK, parts.port or 80
        self.address = address
        self.cookies: dict[str, str] = {}
        self.latencies: list[float] = []
        self.connection: Any = None

    def _connect(self) -> Any:
        import http.client

        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _send(self, method: str, path: str, body: bytes | None) -> tuple[int, str, str]:
        headers = {"Connection": "keep-alive"}
        if self.address:
            headers["X-Forwarded-For"] = self.address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # the server may close an idle keep-alive connection: reconnect once
            connection = self._connect()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (ConnectionError, OSError) as err:
                self.close()
                if attempt == 2 or isinstance(err, TimeoutError):
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value and "max-age=0" not in rest.lower():
                    self.cookies[name.strip()] = cookie_value
                else:
                    self.cookies.pop(name.strip(), None)
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response.getheader("Location") or "", text

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        """GET (or POST ``data`` as a form) and follow redirects; returns status and body. The time of the
        request including its redirects is appended to ``latencies``."""
        import time
        from urllib.parse import urlencode, urlsplit

        started = time.perf_counter()
        method, body = ("POST", urlencode(data).encode()) if data is not None else ("GET", None)
        for _ in range(5):
            status, location, text = self._send(method, path, body)
            if status not in (301, 302, 303, 307, 308) or not location:
                break
            target = urlsplit(location)
            path, method, body = (target.path or "/") + (f"?{target.query}" if target.query else ""), "GET", None
        self.latencies.append(time.perf_counter() - started)
        return status, text

    write_letter = Citizen.write_letter
