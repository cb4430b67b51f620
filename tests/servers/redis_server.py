"""A throwaway Redis server for tests: no persistence, a free loopback port, a
temporary working folder.

Fixtures: ``redis_server`` / ``redis_url`` (session). ``running_redis()`` is the
same server as a plain context manager, for benchmarks. A Redis started by the
Debian package on 6379 is never used.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import redis

from tests.servers.freeport import (
    LOOPBACK,
    ServerStartError,
    free_port,
    log_tail,
    start_process_group,
    stop_process_group,
    wait_until,
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


def _ping(server: RedisServer) -> bool:
    client = redis.Redis(host=server.host, port=server.port, socket_connect_timeout=1)
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
    server = RedisServer(
        host=LOOPBACK, port=free_port(), workdir=workdir, log_file=workdir / "redis.log"
    )
    argv = [
        binary,
        "--port", str(server.port),
        "--bind", LOOPBACK,
        # Throwaway data: never write RDB snapshots or an append-only file.
        "--save", "",
        "--appendonly", "no",
        "--dir", str(workdir),
        "--daemonize", "no",
        "--logfile", "",  # to stdout, which goes to our log file
    ]  # fmt: skip
    with server.log_file.open("wb") as log:
        proc = start_process_group(argv, log=log, cwd=workdir)
    server = replace(server, pid=proc.pid)
    try:
        if not wait_until(
            lambda: _ping(server), timeout=startup_timeout, alive=lambda: proc.poll() is None
        ):
            raise ServerStartError(
                f"redis-server did not answer PING on port {server.port} "
                f"(exit code {proc.poll()}):\n{log_tail(server.log_file)}"
            )
        yield server
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
