"""Cost of one rate-limit hit: the shared SQLite-file storage (the embedded default) against ``memory://`` (per
process, the baseline), from one thread and from several processes at once.

Run: ``.venv/bin/python bench/ratelimit.py [HITS]``.
"""
from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from limits import parse  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

import web.ratelimit_storage  # noqa: E402,F401 - registers sqlitefile://


def hits(uri: str, count: int, offset: int = 0) -> float:
    """Seconds per hit over ``count`` hits spread over 500 client addresses."""
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    item = parse("5 per minute")
    started = time.perf_counter()
    for i in range(count):
        limiter.hit(item, f"198.51.{offset}.{i % 500}")
    return (time.perf_counter() - started) / count


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    folder = tempfile.mkdtemp()
    shared = f"sqlitefile://{folder}/limits.db"
    print(f"{count} hits, 500 client addresses")
    print(f"  memory:// (one process)      {hits('memory://', count) * 1e6:7.0f} us per hit")
    print(f"  sqlitefile:// (one process)  {hits(shared, count) * 1e6:7.0f} us per hit")
    with multiprocessing.Pool(3) as pool:
        per_hit = pool.starmap(hits, [(shared, count, n) for n in range(1, 4)])
    print(f"  sqlitefile:// (3 processes)  {max(per_hit) * 1e6:7.0f} us per hit (slowest process)")


if __name__ == "__main__":
    main()
