"""Parsing off the poller's process, so the next batch is fetched while this one is parsed.

Parsing is pure CPU (the stdlib parser is Python), fetching is mostly waiting and response parsing: overlapping
them in a separate process roughly doubles intake speed on two cores. Workers only parse; every commit stays in
the poller, in UID order, so the exactly-once steps are unchanged.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from cases.drafts import LetterDraft

from .errors import MailParseError
from .parse import parse_or_error

ParseResult = LetterDraft | MailParseError
MIN_MESSAGES_FOR_POOL = 200  # below this, starting a process costs more than it saves


class _Inline:
    """Parses when the result is asked for, in the calling process."""

    def __init__(self, raw: bytes):
        self.raw = raw

    def result(self) -> ParseResult:
        return parse_or_error(self.raw)


class ParsePool:
    """``submit(raw)`` returns something with ``result()``; a process pool when it pays off, inline otherwise."""

    def __init__(self, workers: int, expected: int):
        self.executor: Executor | None = None
        if workers > 0 and expected >= MIN_MESSAGES_FOR_POOL:
            # forkserver: the poller may run in a threaded web or job process, where fork is unsafe.
            context = multiprocessing.get_context("forkserver")
            self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def submit(self, raw: bytes) -> Future | _Inline:
        if self.executor is None:
            return _Inline(raw)
        return self.executor.submit(parse_or_error, raw)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
