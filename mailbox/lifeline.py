"""Helper processes die with the process they work for.

A poll's parse workers are forked by multiprocessing's forkserver. When the poller is killed (SIGKILL, the OOM
killer), nothing of multiprocessing's own clean-up runs: the workers wait for work forever, keep the forkserver
alive (they hold its "alive" pipe), which keeps the resource tracker alive, and all of them hold the dead poller's
stdout open. Here the kernel is asked to kill each of them when its parent dies (Linux ``PR_SET_PDEATHSIG``):
the forkserver with the poller, the workers with the forkserver; the resource tracker then sees its pipe close
and exits by itself.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(watched_pid: int | None = None, parent_pid: int | None = None) -> None:
    """Have this process SIGKILLed when its parent dies. The signal is only sent for a death after this call, so
    exit now if ``watched_pid`` (the process this one works for) is already gone, or if the parent is no longer
    ``parent_pid``."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if (watched_pid is not None and not _alive(watched_pid)) or (
            parent_pid is not None and os.getppid() != parent_pid):
        os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
