"""Parsing off the poller's process, so the next batch is fetched while this one is parsed.

Parsing is pure CPU (the stdlib parser is Python), fetching is mostly waiting and response parsing: overlapping
them in a separate process roughly doubles intake speed on two cores. Workers store the raw message when the
store offers a writer for that (its files are made durable by the store before the batch commits), compute the
dedup key and parse; every commit stays in the poller, in UID order, so the exactly-once steps are unchanged. A whole fetch batch is one task: per-message tasks cost the poller more in queue traffic and thread
switches than the parsing they moved away.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from typing import Protocol
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from cases.drafts import LetterDraft

from .dedup import dedup_key, raw_message_id
from .errors import MailParseError
from .parse import parse_or_error

ParseResult = LetterDraft | MailParseError
MIN_MESSAGES_FOR_POOL = 200  # below this, starting a process costs more than it saves


class RawWriter(Protocol):
    """Stores a raw message content-addressed, returning its sha256 hex digest; picklable (sent to workers).
    ``sync()`` makes everything it wrote durable."""

    def put(self, data: bytes) -> str: ...

    def sync(self) -> None: ...


WorkResult = tuple[str | None, str, ParseResult]


def store_key_and_parse(raws: Sequence[bytes], writer: RawWriter | None) -> list[WorkResult]:
    """(raw sha256 if ``writer`` stored it, dedup key, draft or parse error) of each raw message, in order.

    Each message is stored before it is parsed, so nothing is made of a message whose raw bytes are not kept.
    Its attachments are not written on their own: they are inside the stored raw message (``cases.mail_files``).
    What ``writer`` stored is made durable (``writer.sync()``) before the results are returned: the store commits
    nothing referring to it before it has them. Syncing after the parsing lets the disk catch up meanwhile.
    """
    results = []
    for raw in raws:
        sha = writer.put(raw) if writer is not None else None
        result = parse_or_error(raw)
        results.append((sha, dedup_key(raw_message_id(raw), raw), result))
    if writer is not None and raws:
        writer.sync()
    return results


class _Inline:
    """Computes when the result is asked for, in the calling process."""

    def __init__(self, raws: Sequence[bytes], writer: RawWriter | None):
        self.raws = raws
        self.writer = writer

    def result(self) -> list[WorkResult]:
        return store_key_and_parse(self.raws, self.writer)


class ParsePool:
    """``submit(raws, writer)`` returns something whose ``result()`` is ``store_key_and_parse(raws, writer)``:
    computed in a worker process when that pays off, else in the caller when asked for."""

    def __init__(self, workers: int, expected: int):
        self.executor: Executor | None = None
        self.workers = 0  # worker processes (0: computed in the caller)
        if workers > 0 and expected >= MIN_MESSAGES_FOR_POOL:
            self.workers = workers
            # forkserver: the poller may run in a threaded web or job process, where fork is unsafe. The server
            # imports the parser once and forks ready workers from it: a worker importing it for itself took
            # 0.4 s, a quarter of a 5,000-message poll. (No effect if the forkserver already runs.)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["__main__", __name__])
            self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def submit(self, raws: Sequence[bytes], writer: RawWriter | None = None) -> Future | _Inline:
        if self.executor is None:
            return _Inline(raws, writer)
        return self.executor.submit(store_key_and_parse, list(raws), writer)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
