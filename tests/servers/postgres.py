"""A throwaway PostgreSQL server for tests: a fresh cluster in a temporary folder,
listening on a free loopback port, removed at the end.

Fixtures: ``postgres_server`` / ``postgres_url`` (session) and
``fresh_postgres_database`` (function; a factory of isolated databases).
``running_postgres()`` is the same server as a plain context manager, for
benchmarks. The Debian package may have started its own cluster on 5432; we
never touch it (own port, own socket folder, own data folder).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.servers.freeport import (
    LOOPBACK,
    ServerStartError,
    log_tail,
    start_on_free_port,
    start_process_group,
    stop_process_group,
)

SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; this is the system user the Debian package creates.
SYSTEM_USER = "postgres"
# Durability is pointless for a throwaway test cluster, and turning it off makes DDL fast; a benchmark keeps it.
NOT_DURABLE = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
SETTINGS = (
    # Parallel-query segments in the data folder, not /dev/shm (tiny in containers).
    "dynamic_shared_memory_type=mmap",
)


@dataclass(frozen=True)
class PostgresServer:
    """Where a running throwaway PostgreSQL server is."""

    host: str
    port: int
    user: str
    data_dir: Path
    socket_dir: Path
    log_file: Path
    pid: int = 0  # the server process (group leader), for leak checks

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) of ``database`` on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        """libpq connection string of ``database``, for psycopg directly."""
        return f"host={self.host} port={self.port} user={self.user} dbname={database}"


def find_bindir() -> Path:
    """Find the folder holding ``initdb`` and ``postgres``.

    ``pg_config --bindir`` first; else the newest ``/usr/lib/postgresql/*/bin``
    (Debian keeps the server binaries off ``PATH``).
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(out))
        except (subprocess.SubprocessError, OSError):
            pass

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise ServerStartError(
        "PostgreSQL server binaries (initdb, postgres) not found; install the postgresql package"
    )


def _run_as() -> str | None:
    """The user to run the server as: ``postgres`` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError as exc:
        raise ServerStartError(
            f"running as root but there is no {SYSTEM_USER!r} system user to run PostgreSQL as"
        ) from exc
    return SYSTEM_USER


def _traversable_by_anyone(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents))


def _make_workdir(owner: str | None) -> Path:
    # Our own folder rather than pytest's tmp dir: those may sit under a 0700
    # parent (e.g. /tmp/pytest-of-root) that the postgres user cannot traverse.
    base: str | None = None
    if owner is not None:
        bases = [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp")]
        usable = [b for b in bases if b.is_dir() and _traversable_by_anyone(b)]
        if not usable:
            raise ServerStartError(
                f"no temporary folder that the {owner!r} user can reach (tried {bases})"
            )
        base = str(usable[0])
    workdir = Path(tempfile.mkdtemp(prefix="throwaway-pg-", dir=base))
    workdir.chmod(0o755)
    if owner is not None:
        shutil.chown(workdir, user=owner, group=pwd.getpwnam(owner).pw_gid)
    return workdir


def _initdb(bindir: Path, workdir: Path, data_dir: Path, run_as: str | None) -> None:
    log_file = workdir / "initdb.log"
    with log_file.open("wb") as log:
        proc = start_process_group(
            [
                bindir / "initdb",
                "--pgdata",
                data_dir,
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                # C collation: exists everywhere, and tests must not depend on the host locale.
                "--locale",
                "C",
                "--no-sync",
            ],
            log=log,
            cwd=workdir,
            user=run_as,
        )
        try:
            code = proc.wait(timeout=120)
        finally:
            stop_process_group(proc)
    if code != 0:
        raise ServerStartError(f"initdb failed with exit code {code}:\n{log_tail(log_file)}")


def _can_connect(server: PostgresServer) -> bool:
    with psycopg.connect(server.conninfo(), connect_timeout=2):
        return True


@contextmanager
def running_postgres(*, startup_timeout: float = 60.0, durable: bool = False) -> Iterator[PostgresServer]:
    """Run a fresh PostgreSQL cluster until the ``with`` block ends, then delete it.

    ``durable``: keep PostgreSQL's own durability settings (fsync, synchronous commit), as a production server
    would; tests turn them off."""
    bindir = find_bindir()
    run_as = _run_as()
    workdir = _make_workdir(run_as)
    try:
        data_dir = workdir / "data"
        socket_dir = workdir / "socket"
        socket_dir.mkdir()
        if run_as is not None:
            shutil.chown(socket_dir, user=run_as)
        _initdb(bindir, workdir, data_dir, run_as)

        log_file = workdir / "postgres.log"

        def launch(port: int) -> subprocess.Popen[bytes]:
            return _launch(bindir, data_dir, socket_dir, log_file, run_as, durable, port)

        def server_on(port: int, pid: int = 0) -> PostgresServer:
            return PostgresServer(
                host=LOOPBACK,
                port=port,
                user=SUPERUSER,
                data_dir=data_dir,
                socket_dir=socket_dir,
                log_file=log_file,
                pid=pid,
            )

        proc, port = start_on_free_port(
            launch,
            lambda port: _can_connect(server_on(port)),
            name="PostgreSQL",
            log_file=log_file,
            timeout=startup_timeout,
            stop_signal=signal.SIGINT,
        )
        try:
            yield server_on(port, proc.pid)
        finally:
            stop_process_group(proc, first_signal=signal.SIGINT)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _launch(bindir: Path, data_dir: Path, socket_dir: Path, log_file: Path, run_as: str | None, durable: bool,
            port: int) -> subprocess.Popen[bytes]:
    argv: list[str | os.PathLike[str]] = [
        bindir / "postgres",
        "-D", data_dir,
        "-p", str(port),
        "-h", LOOPBACK,
        "-k", socket_dir,
    ]  # fmt: skip
    for setting in SETTINGS if durable else NOT_DURABLE + SETTINGS:
        argv += ["-c", setting]
    with log_file.open("ab") as log:
        # SIGINT is PostgreSQL's "fast shutdown": disconnect clients, then exit.
        return start_process_group(
            argv, log=log, cwd=data_dir.parent, user=run_as, parent_death_signal=signal.SIGINT
        )


@dataclass
class StoppablePostgres:
    """A server of its own that a test stops and starts again on the same port (an outage, then recovery)."""

    server: PostgresServer
    relaunched: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        """Fast shutdown (clients disconnected), and wait until the server is gone."""
        if self.relaunched is not None:
            stop_process_group(self.relaunched, first_signal=signal.SIGINT)
            self.relaunched = None
            return
        os.kill(self.server.pid, signal.SIGINT)
        os.waitpid(self.server.pid, 0)  # our child: started by running_postgres in this process

    def start(self, timeout: float = 60.0) -> None:
        """Start it again on its port and data, and wait until it takes connections."""
        self.relaunched = _launch(find_bindir(), self.server.data_dir, self.server.socket_dir, self.server.log_file,
                                  _run_as(), False, self.server.port)
        deadline = time.monotonic() + timeout
        while not _answers(self.server):
            if self.relaunched.poll() is not None or time.monotonic() > deadline:
                raise ServerStartError(f"PostgreSQL did not start again\n{log_tail(self.server.log_file)}")
            time.sleep(0.05)  # bounded readiness poll

    def close(self) -> None:
        if self.relaunched is not None:
            stop_process_group(self.relaunched, first_signal=signal.SIGINT)


def _answers(server: PostgresServer) -> bool:
    try:
        return _can_connect(server)
    except psycopg.OperationalError:
        return False


@contextmanager
def stoppable_postgres() -> Iterator[StoppablePostgres]:
    """A fresh server of its own (not the session's, which other tests use) that the test may stop and start."""
    with running_postgres() as server:
        stoppable = StoppablePostgres(server)
        try:
            yield stoppable
        finally:
            stoppable.close()


def create_database(server: PostgresServer, name: str) -> str:
    """Create database ``name`` on ``server`` and return its SQLAlchemy URL."""
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.url(name)


def drop_database(server: PostgresServer, name: str) -> None:
    """Drop database ``name``, disconnecting anyone still using it (e.g. a pool)."""
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def unique_database_name(hint: str = "") -> str:
    """A fresh database name, readable from ``hint`` (e.g. a test name), within 63 bytes."""
    slug = re.sub(r"[^a-z0-9]+", "_", hint.lower()).strip("_")[:40]
    return f"t_{slug}_{uuid.uuid4().hex[:12]}" if slug else f"t_{uuid.uuid4().hex[:16]}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's throwaway PostgreSQL server."""
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL of the ``postgres`` database on the session's server (superuser, trust)."""
    return postgres_server.url()


@pytest.fixture(scope="module")
def module_postgres_url(
    postgres_server: PostgresServer, request: pytest.FixtureRequest
) -> Iterator[str]:
    """URL of a new database shared by the tests of one module, dropped after it."""
    name = unique_database_name(request.module.__name__.rsplit(".", 1)[-1])
    url = create_database(postgres_server, name)
    try:
        yield url
    finally:
        drop_database(postgres_server, name)


@pytest.fixture()
def fresh_postgres_database(
    postgres_server: PostgresServer, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """Factory: each call creates a new, empty, uniquely named database and returns its URL.

    Every database made during the test is dropped afterwards, even if the test
    still holds connections to it.
    """
    created: list[str] = []

    def make() -> str:
        name = unique_database_name(request.node.name)
        url = create_database(postgres_server, name)
        created.append(name)
        return url

    try:
        yield make
    finally:
        for name in created:
            drop_database(postgres_server, name)
