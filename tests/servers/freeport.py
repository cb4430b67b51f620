"""Plumbing shared by the throwaway test servers: free loopback ports, bounded
readiness polling, and starting/stopping a server as its own process group.

Kept free of pytest so benchmarks can start the same servers outside a test run.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

LOOPBACK = "127.0.0.1"

# prctl(2) option number; not exposed by the stdlib.
_PR_SET_PDEATHSIG = 1


class ServerStartError(RuntimeError):
    """A throwaway server did not start; the message carries its log tail."""


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port on ``host`` that is free right now.

    The kernel picks it (bind to port 0). There is a small window before the
    server binds it; servers here bind within milliseconds, so that is fine.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.05,
    alive: Callable[[], bool] = lambda: True,
) -> bool:
    """Poll ``ready()`` until it is true, ``alive()`` turns false, or ``timeout`` passes.

    Returns whether ``ready()`` became true. Exceptions from ``ready()`` count
    as "not yet" (a server that is still booting refuses connections).
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return True
        except Exception:  # noqa: BLE001 - any failure means "not ready yet"
            pass
        if not alive() or time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _die_with_parent(sig: int) -> Callable[[], None]:
    """Build a pre-exec hook that makes the child get ``sig`` when the test run dies.

    So a test process killed hard (SIGKILL, OOM) leaves no server behind. It runs
    after subprocess has switched user, because a credential change clears it.
    """

    def hook() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # not Linux: the finally-blocks of the fixtures still stop the server

    return hook


def start_process_group(
    argv: Sequence[str | os.PathLike[str]],
    *,
    log: IO[bytes],
    cwd: Path,
    user: str | None = None,
    parent_death_signal: int = signal.SIGTERM,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` as the leader of a new process group, output going to ``log``.

    ``user`` runs it as that system user (with only that user's primary group),
    which requires root.
    """
    extra: dict[str, object] = {}
    if user is not None:
        extra = {"user": user, "group": _primary_group(user), "extra_groups": []}
    return subprocess.Popen(  # noqa: S603 - argv is built by our fixtures
        [os.fspath(a) for a in argv],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        env=env,
        start_new_session=True,
        preexec_fn=_die_with_parent(parent_death_signal),  # noqa: PLW1509
        **extra,  # type: ignore[arg-type]
    )


def stop_process_group(
    proc: subprocess.Popen[bytes], *, first_signal: int = signal.SIGTERM, grace: float = 10.0
) -> None:
    """Ask the server to stop with ``first_signal``, then kill its whole process group.

    Safe to call on a process that already exited.
    """
    if proc.poll() is None:
        try:
            os.kill(proc.pid, first_signal)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    # Children (e.g. PostgreSQL backends) share the leader's group id even
    # after the leader is gone, so this also reaps stragglers.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass


def start_on_free_port(
    launch: Callable[[int], subprocess.Popen[bytes]],
    ready: Callable[[int], bool],
    *,
    name: str,
    log_file: Path,
    timeout: float,
    stop_signal: int = signal.SIGTERM,
    attempts: int = 3,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server on a free port and wait until ``ready(port)``; return it and the port.

    ``launch(port)`` starts the server with its output in ``log_file``. If another
    process grabbed the port in between, it tries again on a new one. A server
    that does not come up is stopped, and ``ServerStartError`` tells why.
    """
    for attempt in range(1, attempts + 1):
        port = free_port()
        proc = launch(port)
        try:
            up = wait_until(
                lambda: ready(port), timeout=timeout, alive=lambda: proc.poll() is None
            )
        except BaseException:
            stop_process_group(proc, first_signal=stop_signal)
            raise
        if up:
            return proc, port
        exited = proc.poll() is not None
        stop_process_group(proc, first_signal=stop_signal)
        tail = log_tail(log_file)
        if exited and "Address already in use" in tail and attempt < attempts:
            continue
        state = f"exited with code {proc.returncode}" if exited else f"not ready after {timeout} s"
        raise ServerStartError(f"{name} did not start on port {port} ({state}):\n{tail}")
    raise AssertionError("unreachable")


def log_tail(path: Path, limit: int = 4000) -> str:
    """Return the end of a server log, for error messages."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"(no log: {exc})"
    return data[-limit:].decode("utf-8", errors="replace")


def _primary_group(user: str) -> int:
    import pwd

    try:
        return pwd.getpwnam(user).pw_gid
    except KeyError as exc:
        raise ServerStartError(f"system user {user!r} does not exist") from exc
