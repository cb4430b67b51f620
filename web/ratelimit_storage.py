"""Rate-limit counters in this process's memory without a timer thread per hit (``processmemory://``).

The ``limits`` library's ``memory://`` storage starts a ``threading.Timer`` on every hit that finds none running,
to sweep expired counters a hundredth of a second later: on the letter form that is a thread started per post.
Expired counters are already ignored when read, so here the sweep runs inline, at most once a minute.
Like ``memory://`` the counters belong to one process; several web processes or machines share limits through
Redis (``RATELIMIT_STORAGE_URI=redis://...``, the default when ``REDIS_URL`` is set).
"""
from __future__ import annotations

import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 60.0


class ProcessMemoryStorage(MemoryStorage):
    """``memory://`` with the sweep of expired counters done inline, at most every ``SWEEP_SECONDS``."""

    STORAGE_SCHEME = ["processmemory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the parent's private timer start
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
