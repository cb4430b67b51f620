"""The throwaway-server fixtures really start working servers, isolate tests, and clean up."""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
import redis
import sqlalchemy as sa
from playwright.sync_api import Page

from tests.servers.freeport import (
    ServerStartError,
    free_port,
    start_on_free_port,
    start_process_group,
    stop_process_group,
)
from tests.servers.postgres import PostgresServer, create_database, drop_database
from tests.servers.redis_server import RedisServer
from tests.servers.redis_server import running_redis

CHECKOUT = Path(__file__).resolve().parent.parent


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
    assert 0 < port < 65536


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_url_runs_sql(postgres_url: str, postgres_server: PostgresServer) -> None:
    assert postgres_url == f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server.port}/postgres"
    # Never the distribution's own cluster.
    assert postgres_server.port != 5432
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SHOW fsync")).scalar_one() == "off"
            assert conn.execute(sa.text("SHOW server_encoding")).scalar_one() == "UTF8"
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_table_round_trip(fresh_postgres_database) -> None:
    engine = sa.create_engine(fresh_postgres_database())
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE letters (id serial PRIMARY KEY, body text)"))
            conn.execute(
                sa.text("INSERT INTO letters (body) VALUES (:b)"),
                [{"b": "Streetlight out on Elm St"}, {"b": "路灯坏了"}],
            )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT body FROM letters ORDER BY id")).scalars().all()
        assert rows == ["Streetlight out on Elm St", "路灯坏了"]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_fresh_databases_are_separate(fresh_postgres_database) -> None:
    first_url, second_url = fresh_postgres_database(), fresh_postgres_database()
    assert first_url != second_url
    first, second = sa.create_engine(first_url), sa.create_engine(second_url)
    try:
        with first.begin() as conn:
            conn.execute(sa.text("CREATE TABLE only_here (x int)"))
        with second.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
        assert tables == []
        with first.connect() as conn:
            assert sa.inspect(conn).get_table_names() == ["only_here"]
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.postgres
def test_drop_database_disconnects_open_sessions(postgres_server: PostgresServer) -> None:
    create_database(postgres_server, "smoke_drop_me")
    still_open = psycopg.connect(postgres_server.conninfo("smoke_drop_me"))
    try:
        drop_database(postgres_server, "smoke_drop_me")
    finally:
        still_open.close()
    with psycopg.connect(postgres_server.conninfo()) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database")]
    assert "smoke_drop_me" not in names


@pytest.mark.postgres
def test_postgres_runs_as_unprivileged_user(postgres_server: PostgresServer) -> None:
    status = Path(f"/proc/{postgres_server.pid}/status").read_text()
    real_uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert real_uid != 0
    if os.geteuid() == 0:
        assert real_uid == Path(postgres_server.data_dir).stat().st_uid


# --- Redis --------------------------------------------------------------------------------


def test_redis_set_get(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        client.set("smoke:greeting", "你好")
        assert client.get("smoke:greeting").decode() == "你好"
        # Throwaway: no snapshots, no append-only file.
        assert client.config_get("save") == {"save": ""}
        assert client.config_get("appendonly") == {"appendonly": "no"}
    finally:
        client.close()


def test_running_redis_leaves_no_process(tmp_path: Path) -> None:
    with running_redis(tmp_path) as server:
        assert redis.Redis(host=server.host, port=server.port).ping()
        pid = server.pid
    assert not _process_exists(pid)


# --- Chromium -----------------------------------------------------------------------------


@pytest.fixture()
def loopback_site(tmp_path: Path) -> Iterator[str]:
    """A tiny static site on a loopback port, served from a thread."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>Mailbox</title><p id='msg'>Letter received</p>", encoding="utf-8"
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.browser
def test_chromium_reads_data_page(page: Page) -> None:
    page.goto("data:text/html,<h1>Hello from the mailbox</h1>")
    assert page.locator("h1").inner_text() == "Hello from the mailbox"


@pytest.mark.browser
def test_chromium_reads_loopback_page_with_fresh_cookies(page: Page, loopback_site: str) -> None:
    assert page.context.cookies() == []
    page.goto(loopback_site + "/index.html")
    assert page.title() == "Mailbox"
    assert page.locator("#msg").inner_text() == "Letter received"


@pytest.mark.browser
def test_failed_browser_test_leaves_screenshot(tmp_path: Path) -> None:
    """Run a failing browser test in a child pytest and find its screenshot."""
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            """
            from tests.servers.chromium import chromium_browser, page  # noqa: F401

            def test_fails(page):
                page.set_content("<h1>broken</h1>")
                assert page.locator("h1").inner_text() == "fixed"
            """
        ),
        encoding="utf-8",
    )
    basetemp = tmp_path / "inner-tmp"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--basetemp={basetemp}", f"--rootdir={tmp_path}", str(tmp_path / "test_inner.py")],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(CHECKOUT)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    screenshot = basetemp / "test_fails0" / "failure.png"
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"failure screenshot: {screenshot}" in result.stdout


# --- Start-up plumbing ----------------------------------------------------------------------


def _python(code: str, log_file: Path) -> subprocess.Popen[bytes]:
    with log_file.open("wb") as log:
        return start_process_group([sys.executable, "-c", code], log=log, cwd=log_file.parent)


def test_start_retries_when_port_was_taken(tmp_path: Path) -> None:
    log_file = tmp_path / "server.log"
    launched: list[int] = []

    def launch(port: int) -> subprocess.Popen[bytes]:
        launched.append(port)
        if len(launched) == 1:  # as if someone bound the port between check and use
            return _python("print('bind: Address already in use'); raise SystemExit(1)", log_file)
        return _python(
            "import socket, time\n"
            f"s = socket.create_server(('127.0.0.1', {port}))\n"
            "time.sleep(60)\n",
            log_file,
        )

    def ready(port: int) -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    proc, port = start_on_free_port(launch, ready, name="toy", log_file=log_file, timeout=30)
    try:
        assert len(launched) == 2
        assert port == launched[1]
    finally:
        stop_process_group(proc)
    assert proc.returncode is not None


def test_server_that_never_gets_ready_is_reported_and_stopped(tmp_path: Path) -> None:
    log_file = tmp_path / "server.log"
    procs: list[subprocess.Popen[bytes]] = []

    def launch(port: int) -> subprocess.Popen[bytes]:
        procs.append(_python("print('warming up', flush=True); import time; time.sleep(60)", log_file))
        return procs[-1]

    with pytest.raises(ServerStartError, match="(?s)toy did not start.*warming up"):
        start_on_free_port(launch, lambda port: False, name="toy", log_file=log_file, timeout=0.5)
    assert len(procs) == 1
    assert procs[0].returncode is not None
