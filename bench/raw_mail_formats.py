"""Benchmark: the two ways email intake stores a fetch batch's raw messages, alternated in one run.

    .venv/bin/python bench/raw_mail_formats.py [--messages 4000] [--batch 100] [--rounds 5]

  pack  - ``cases.files.packs.PackWriter``: the batch appended to one file, its index committed (the SQLite
          default, MAIL_RAW_PACKS unset);
  loose - ``cases.files.mail.FileWriter``: a file per message, renamed into place, then one ``syncfs`` per batch
          (the only format for a file folder several machines write).

Both write the same messages (sizes as bench/mail_ingest.py's mix: mostly a few kB, every tenth with a 200 kB
attachment) into a fresh folder on the same file system as the checkout, in batches as the poller's parse workers
do, and make each batch durable before the next. The rounds alternate the order (pack first, then loose first) so
neither format always runs on a warmer cache. Printed per format: the median over rounds of wall and CPU
milliseconds per message, and the machine's load average before and after (``syncfs`` flushes everything dirty
on the file system, so other writers on the machine are part of the loose format's cost, as they would be in
production).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cases.files.mail import FileWriter, sync_folder  # noqa: E402
from cases.files.packs import PackWriter  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _messages(count: int) -> list[bytes]:
    rng = random.Random(7)
    return [rng.randbytes(200_000 if i % 10 == 0 else rng.choice([3_000, 5_000, 8_000, 20_000]))
            for i in range(count)]


def _store(kind: str, messages: list[bytes], batch: int) -> tuple[float, float]:
    """Wall and CPU ms per message for writing ``messages`` in durable batches with the ``kind`` writer."""
    folder = tempfile.mkdtemp(prefix=f"raw-{kind}-", dir=Path(__file__).resolve().parent.parent)
    try:
        cpu, wall = _cpu(), time.perf_counter()
        for start in range(0, len(messages), batch):
            writer = PackWriter(folder) if kind == "pack" else FileWriter(folder)
            for message in messages[start:start + batch]:
                writer.put(message)
            if kind == "pack":
                writer.sync()
            else:
                sync_folder(folder)
        return ((time.perf_counter() - wall) * 1000 / len(messages), (_cpu() - cpu) * 1000 / len(messages))
    finally:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=100, help="messages per durable batch (MAIL_BATCH_SIZE)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    messages = _messages(args.messages)
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    figures: dict[str, list[tuple[float, float]]] = {"pack": [], "loose": []}
    for round_no in tqdm(range(args.rounds), desc="rounds", unit="round"):
        order = ("pack", "loose") if round_no % 2 == 0 else ("loose", "pack")
        for kind in order:
            figures[kind].append(_store(kind, messages, args.batch))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"{args.messages} messages, {args.batch} per batch, {args.rounds} rounds, medians:")
    print("format  wall ms/msg  cpu ms/msg")
    medians = {kind: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
               for kind, runs in figures.items()}
    for kind, (wall, cpu) in medians.items():
        print(f"{kind:6}  {wall:11.3f}  {cpu:10.3f}")
    print(f"loose / pack wall: {medians['loose'][0] / medians['pack'][0]:.2f}x")


if __name__ == "__main__":
    main()
