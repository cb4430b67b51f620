"""A throwaway Redis server for tests: no persistence, a free loopback port, a
temporary working folder.

Fixtures: ``redis_server`` / ``redis_url`` (session). ``running_redis()`` is the
same server as a plain context manager, for benchmarks. A Redis started by the
Debian package on 6379 is never used.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.servers.freeport import (
    LOOPBACK,
    ServerStartError,
    start_on_free_port,
    start_process_group,
    stop_process_group,
)


@dataclass(frozen=True)
class RedisServer:
    """Where a running throwaway Redis server is."""

    host: str
    port: int
    workdir: Path
    log_file: Path
    pid: int = 0  # the server process (group leader), for leak checks

    def url(self, db: int = 0) -> str:
        """``redis://`` URL of logical database ``db``."""
        return f"redis://{self.host}:{self.port}/{db}"


def _ping(host: str, port: int) -> bool:
    client = redis.Redis(host=host, port=port, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    finally:
        client.close()


@contextmanager
def running_redis(workdir: Path, *, startup_timeout: float = 30.0) -> Iterator[RedisServer]:
    """Run ``redis-server`` in ``workdir`` until the ``with`` block ends."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServerStartError("redis-server not found; install the redis-server package")
    workdir.mkdir(parents=True, exist_ok=True)
    log_file = workdir / "redis.log"

    def launch(port: int) -> subprocess.Popen[bytes]:
        argv = [
            binary,
            "--port", str(port),
            "--bind", LOOPBACK,
            # Throwaway data: never write RDB snapshots or an append-only file.
            "--save", "",
            "--appendonly", "no",
            "--dir", str(workdir),
            "--daemonize", "no",
            "--logfile", "",  # to stdout, which goes to our log file
        ]  # fmt: skip
        with log_file.open("wb") as log:
            return start_process_group(argv, log=log, cwd=workdir)

    proc, port = start_on_free_port(
        launch,
        lambda port: _ping(LOOPBACK, port),
        name="redis-server",
        log_file=log_file,
        timeout=startup_timeout,
    )
    try:
        yield RedisServer(
            host=LOOPBACK, port=port, workdir=workdir, log_file=log_file, pid=proc.pid
        )
    finally:
        stop_process_group(proc)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """The session's throwaway Redis server."""
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    """URL of database 0 on the session's throwaway Redis server."""
    return redis_server.url()
