"""Benchmark: email intake through our poller vs. a bare imapclient batched fetch of the same folder, same run.

Loads N messages (a share with a large attachment) into a Dovecot this script starts itself, then times:
  bare    - imapclient UID SEARCH + FETCH BODY.PEEK[] in batches, nothing else (the ceiling);
  poller  - mailbox.poll_folder: sizes, batched fetch, raw storage, dedup, parsing, store.accept, flagging.
The figure is poller msg/s divided by bare msg/s (target >= 0.5). The store is pluggable: --store module:factory.

    .venv/bin/python bench/mail_ingest.py [--messages 5000] [--store tests.mail_corpus.memory_store:MemoryStore]
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mailbox import MailSettings, poll_folder  # noqa: E402
from tests.mail_corpus import make_plain, make_with_attachment  # noqa: E402
from tests.servers.dovecot import DovecotServer  # noqa: E402


def load_store(spec: str):
    """``module:factory`` -> a new store (any object implementing ``mailbox.IntakeStore``)."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()


def load_messages(server: DovecotServer, folder: str, count: int, every: int, attachment_kb: int) -> int:
    total = 0
    chunk: list[bytes] = []
    with tqdm(total=count, desc="load", unit="msg") as bar:
        for i in range(count):
            raw = make_with_attachment(i, attachment_kb * 1024) if every and i % every == 0 else make_plain(i)
            total += len(raw)
            chunk.append(raw)
            if len(chunk) == 100 or i == count - 1:
                server.multiappend(folder, chunk)
                bar.update(len(chunk))
                chunk = []
    return total


def bare_fetch(server: DovecotServer, folder: str, batch_size: int) -> tuple[int, float]:
    start = time.perf_counter()
    count = 0
    with server.client() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        with tqdm(total=len(uids), desc="bare imapclient fetch", unit="msg") as bar:
            for i in range(0, len(uids), batch_size):
                batch = uids[i:i + batch_size]
                response = client.fetch(batch, ["BODY.PEEK[]"])
                count += sum(1 for data in response.values() if data.get(b"BODY[]") is not None)
                bar.update(len(batch))
    return count, time.perf_counter() - start


def run_poller(server: DovecotServer, folder: str, store, batch_size: int, workers: int) -> tuple[object, float]:
    settings = MailSettings(
        imap_host=server.host, imap_port=server.port, imap_security="none", imap_user=server.user,
        imap_password=server.password, imap_folders=(folder,), batch_size=batch_size, parse_workers=workers,
    )
    bar = tqdm(desc="poller (parse + store)", unit="msg")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    start = time.perf_counter()
    summary = poll_folder(settings, store, folder, on_progress=progress)
    elapsed = time.perf_counter() - start
    bar.close()
    return summary, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--attachment-every", type=int, default=10, help="every Nth message has an attachment")
    parser.add_argument("--attachment-kb", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--parse-workers", type=int, default=MailSettings.parse_workers)
    parser.add_argument("--store", default="tests.mail_corpus.memory_store:MemoryStore",
                        help="module:factory returning an IntakeStore")
    args = parser.parse_args(argv)

    with DovecotServer.create() as server:
        folder = server.new_folder("bench")
        size = load_messages(server, folder, args.messages, args.attachment_every, args.attachment_kb)
        bare_count, bare_1 = bare_fetch(server, folder, args.batch_size)
        summary, poll_time = run_poller(server, folder, load_store(args.store), args.batch_size,
                                         args.parse_workers)
        _, bare_2 = bare_fetch(server, folder, args.batch_size)

    bare_time = min(bare_1, bare_2)
    bare_rate = bare_count / bare_time
    poll_rate = summary.fetched / poll_time
    print()
    print(f"messages: {args.messages} ({size / 1e6:.1f} MB, every {args.attachment_every}th with "
          f"{args.attachment_kb} KB attachment), batch size {args.batch_size}, parse workers "
          f"{args.parse_workers}, store {args.store}")
    print(f"poller summary: fetched={summary.fetched} new_cases={summary.new_cases} attached={summary.attached} "
          f"quarantined={summary.quarantined} duplicates={summary.duplicates}")
    print(f"bare imapclient fetch : {bare_rate:8.1f} msg/s  ({bare_count} msgs, runs {bare_1:.2f}s and "
          f"{bare_2:.2f}s; the faster counts)")
    print(f"poller (full intake)  : {poll_rate:8.1f} msg/s  ({summary.fetched} msgs in {poll_time:.2f}s)")
    print(f"ratio poller/bare     : {poll_rate / bare_rate:8.2f}  (target >= 0.50)")
    return 0 if summary.new_cases == args.messages else 1


if __name__ == "__main__":
    raise SystemExit(main())
