"""Benchmark: email intake through our poller vs. a bare imapclient batched fetch of the same folder, same run.

Loads N messages (a share with a large attachment) into a Dovecot this script starts itself, then times:
  bare    - imapclient UID SEARCH + FETCH BODY.PEEK[] in batches, nothing else (the ceiling, and the figure's base);
  bare, trace off - the same, after switching off imaplib's protocol trace the way the poller does (imapclient
            sets imaplib's debug level to 5, so imaplib formats every fetched message for a log nobody reads);
            printed for reference only;
  poller  - mailbox.poll_folder: sizes, then batches fetched, stored, keyed and parsed by worker processes
            (each on its own IMAP connection), dedup, store.accept, flagging.
  app     - the same poll through the real app store (``--store app``): SQLite in a temporary instance, every
            message registered as a case (raw kept, dedup key, letter, event, acknowledgement queued, index
            hand-off as an outbox row); one commit per fetch batch, the batch's new cases inserted together, raw
            messages written by the workers as one pack per batch and synced (attachments stay inside them);
  app-loose - the same with one loose file per raw message (``--store app,app-loose`` compares the two formats).
The figure is poller msg/s divided by bare msg/s (target >= 0.5). Each run also shows the CPU seconds of this
process (the poller; its workers are other processes) and of the whole machine. Stores are pluggable and compared in one run on the
same folder: --store memory,app (default) or module:factory. ``--profile`` prints the app path's top functions
(cProfile).

    .venv/bin/python bench/mail_ingest.py [--messages 5000] [--store memory,app] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mailbox import MailSettings, poll_folder  # noqa: E402
from mailbox.imap import quiet_protocol_log  # noqa: E402
from tests.mail_corpus import make_plain, make_with_attachment  # noqa: E402
from tests.servers.dovecot import DovecotServer  # noqa: E402


STORES = {"memory": "tests.mail_corpus.memory_store:MemoryStore"}


def app_store(instance: Path, packs: bool = True):
    """The app's database store on a fresh SQLite database in ``instance`` (migrated, as in production), raw mail
    written as packs (the SQLite default) or as one loose file per message (``packs=False``, the PostgreSQL
    default, whose files may live on a folder shared by several machines)."""
    from cases.db import upgrade
    from web import create_app
    from web.mail.intake import intake_store
    from web.app_state import state

    os.environ["MAILBOX_INSTANCE_PATH"] = str(instance)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{instance / 'mailbox.db'}",
                      "HUEY_IMMEDIATE": True, "MAIL_FROM": "Mayor <mailbox@city.example>",
                      "RATELIMIT_STORAGE_URI": "memory://", "MAIL_RAW_PACKS": packs})
    upgrade(state(app).engine)
    return intake_store(app)


def load_store(spec: str, workdir: Path):
    """``memory``, ``app``, ``app-loose`` or ``module:factory`` -> a new store (any object implementing
    ``mailbox.IntakeStore``)."""
    if spec in ("app", "app-loose"):
        instance = workdir / "instance"
        instance.mkdir()
        return app_store(instance, packs=spec == "app")
    module, _, name = STORES.get(spec, spec).partition(":")
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


def bare_fetch(server: DovecotServer, folder: str, batch_size: int, quiet: bool = False) -> tuple[int, float, float]:
    """(messages, seconds, CPU seconds) of a plain imapclient batched fetch of ``folder``."""
    start = time.perf_counter()
    cpu = time.process_time()
    count = 0
    with server.client() as client:
        if quiet:
            quiet_protocol_log(client)
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        label = "bare imapclient fetch" + (", trace off" if quiet else "")
        with tqdm(total=len(uids), desc=label, unit="msg") as bar:
            for i in range(0, len(uids), batch_size):
                batch = uids[i:i + batch_size]
                response = client.fetch(batch, ["BODY.PEEK[]"])
                count += sum(1 for data in response.values() if data.get(b"BODY[]") is not None)
                bar.update(len(batch))
    return count, time.perf_counter() - start, time.process_time() - cpu


def machine_busy() -> float:
    """CPU seconds all processes of this machine have used so far (from /proc/stat): the poller's parse workers
    and the IMAP server included."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    ticks = sum(int(value) for value in fields) - int(fields[3]) - int(fields[4])  # less idle and iowait
    return ticks / os.sysconf("SC_CLK_TCK")


def run_poller(server: DovecotServer, folder: str, store, batch_size: int, workers: int, label: str,
               profile: bool = False) -> tuple[object, float, float, float]:
    settings = MailSettings(
        imap_host=server.host, imap_port=server.port, imap_security="none", imap_user=server.user,
        imap_password=server.password, imap_folders=(folder,), batch_size=batch_size, parse_workers=workers,
    )
    bar = tqdm(desc=f"poller, store {label}", unit="msg")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    cpu = time.process_time()
    busy = machine_busy()
    if profiler:
        profiler.enable()
    summary = poll_folder(settings, store, folder, on_progress=progress)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    busy = machine_busy() - busy
    bar.close()
    if profiler:
        out = io.StringIO()
        for order in ("cumulative", "tottime"):
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(20)
        print(out.getvalue())
    return summary, elapsed, cpu, busy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--attachment-every", type=int, default=10, help="every Nth message has an attachment")
    parser.add_argument("--attachment-kb", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--parse-workers", type=int, default=MailSettings().parse_workers)
    parser.add_argument("--store", default="memory,app",
                        help="comma-separated: memory, app, or module:factory returning an IntakeStore")
    parser.add_argument("--profile", action="store_true", help="cProfile the app store's run")
    args = parser.parse_args(argv)
    specs = [spec.strip() for spec in args.store.split(",") if spec.strip()]

    runs = []
    with DovecotServer.create() as server, tempfile.TemporaryDirectory() as tmp:
        folder = server.new_folder("bench")
        size = load_messages(server, folder, args.messages, args.attachment_every, args.attachment_kb)
        bare = [bare_fetch(server, folder, args.batch_size)]
        quiet = [bare_fetch(server, folder, args.batch_size, quiet=True)]
        for n, spec in enumerate(specs):
            # Each store starts with no folder state, so it polls the same messages from the first UID.
            workdir = Path(tmp) / f"store{n}"
            workdir.mkdir()
            store = load_store(spec, workdir)
            summary, poll_time, poll_cpu, busy = run_poller(server, folder, store, args.batch_size, args.parse_workers,
                                                      spec, args.profile and spec == "app")
            runs.append((spec, summary, poll_time, poll_cpu, busy))
        bare.append(bare_fetch(server, folder, args.batch_size))
        quiet.append(bare_fetch(server, folder, args.batch_size, quiet=True))

    bare_count, bare_time, bare_cpu = min(bare, key=lambda run: run[1])
    quiet_count, quiet_time, quiet_cpu = min(quiet, key=lambda run: run[1])
    bare_rate, quiet_rate = bare_count / bare_time, quiet_count / quiet_time
    print()
    print(f"messages: {args.messages} ({size / 1e6:.1f} MB, every {args.attachment_every}th with "
          f"{args.attachment_kb} KB attachment), batch size {args.batch_size}, parse workers "
          f"{args.parse_workers}")
    print(f"bare imapclient fetch : {bare_rate:8.1f} msg/s  ({bare_count} msgs, runs "
          f"{' and '.join(f'{run[1]:.2f}s' for run in bare)}; the faster counts; CPU {bare_cpu:.2f}s)")
    print(f"  same, trace off     : {quiet_rate:8.1f} msg/s  (runs {' and '.join(f'{run[1]:.2f}s' for run in quiet)};"
          f" CPU {quiet_cpu:.2f}s; reference only)")
    ok = True
    for spec, summary, poll_time, poll_cpu, busy in runs:
        poll_rate = summary.fetched / poll_time
        print(f"poller, store {spec:<7}: {poll_rate:8.1f} msg/s  ({summary.fetched} msgs in {poll_time:.2f}s, poller "
              f"CPU {poll_cpu:.2f}s, machine CPU {busy:.2f}s of {os.cpu_count() * poll_time:.2f}s; new_cases={summary.new_cases} duplicates={summary.duplicates} "
              f"quarantined={summary.quarantined})")
        print(f"  ratio to bare {poll_rate / bare_rate:5.2f}  (target >= 0.50);  to bare with trace off "
              f"{poll_rate / quiet_rate:5.2f}")
        ok = ok and summary.new_cases == args.messages
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
