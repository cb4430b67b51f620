"""Fetching and parsing off the poller's process, so the poller only commits, in UID order.

Parsing is pure CPU (the stdlib parser is Python), and so is reading a FETCH response: done in the poller's
process, in a thread, they fought the poller's database work for one interpreter lock, and every raw message was
copied to a worker and back. A worker takes a whole fetch batch: it fetches the bodies on an IMAP connection of
its own (opened once per worker, the folder selected read-only with the poll's UIDVALIDITY checked), stores the
raw messages when the store offers a writer for that (made durable before the batch is handed back), computes
the dedup keys and parses. Every commit, flag and folder state stays in the poller, in UID order, so the
exactly-once steps are unchanged. Per-message tasks cost the poller more in queue traffic and thread switches
than the work they moved away.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import replace
from typing import Any, Protocol

from imapclient import IMAPClient

from cases.drafts import HeldBytes, LetterDraft

from .dedup import dedup_key, raw_message_id
from .errors import MailConnectionError, MailParseError
from .imap import IMAP_ERRORS, connect, logout_quietly
from .lifeline import die_with_parent
from .parse import parse_or_error
from .settings import MailSettings

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
    Its attachments are not written on their own: they are inside the stored raw message (``cases.files.mail``),
    and only their digest, length and first bytes come back (``HeldBytes``).
    What ``writer`` stored is made durable (``writer.sync()``) before the results are returned: the store commits
    nothing referring to it before it has them. Syncing after the parsing lets the disk catch up meanwhile.
    """
    results = []
    for raw in raws:
        sha = writer.put(raw) if writer is not None else None
        result = parse_or_error(raw)
        if sha is not None and isinstance(result, LetterDraft):
            # The attachments are inside the stored raw message: only what registering them needs goes back.
            result.attachments = [replace(item, data=HeldBytes.of(item.data)) for item in result.attachments]
        results.append((sha, dedup_key(raw_message_id(raw), raw), result))
    if writer is not None and raws:
        writer.sync()
    return results


# (uid, raw bytes if no writer stored them else None, raw sha256 if stored, dedup key, draft or parse error)
FetchResult = tuple[int, bytes | None, str | None, str, ParseResult]


def fetch_store_key_and_parse(settings: MailSettings, folder: str, uidvalidity: int, uids: Sequence[int],
                              writer: RawWriter | None) -> list[FetchResult]:
    """Fetch ``uids`` of ``folder`` (BODY.PEEK[], one command) on this process's connection, then
    ``store_key_and_parse`` them; one result per message the server still had, in UID order.

    The raw bytes come back only when there is no ``writer`` (the poller then stores them itself, first).
    Raises ``MailConnectionError`` if the folder's UIDVALIDITY is not the poll's any more.
    """
    client = _connection(settings, folder, uidvalidity)
    try:
        response = client.fetch(list(uids), ["BODY.PEEK[]"])
    except IMAP_ERRORS as exc:
        _forget_connection()
        raise MailConnectionError(f"{folder}: fetch failed: {exc}") from exc
    fetched = [(uid, response[uid][b"BODY[]"]) for uid in sorted(response)
               if response[uid].get(b"BODY[]") is not None]  # expunged meanwhile, or an unsolicited FETCH
    results = store_key_and_parse([raw for _, raw in fetched], writer)
    return [(uid, raw if writer is None else None, sha, key, result)
            for (uid, raw), (sha, key, result) in zip(fetched, results)]


# This worker process's IMAP connection: (what it is for, the client). A worker serves one poll of one folder
# (the pool is made per poll), so it is opened at the first batch and logged out when the worker exits.
_held: dict[str, Any] = {}


def _connection(settings: MailSettings, folder: str, uidvalidity: int) -> IMAPClient:
    purpose = (settings, folder, uidvalidity)
    if _held.get("purpose") == purpose:
        return _held["client"]
    _forget_connection()
    client = connect(settings)
    try:
        info = client.select_folder(folder, readonly=True)
    except IMAP_ERRORS as exc:
        logout_quietly(client)
        raise MailConnectionError(f"{folder}: {exc}") from exc
    if int(info[b"UIDVALIDITY"]) != uidvalidity:
        logout_quietly(client)
        raise MailConnectionError(f"{folder}: UIDVALIDITY changed during the poll; the next poll rescans")
    _held.update(purpose=purpose, client=client)
    if not _held.get("finalizer"):
        # Worker processes end without running atexit handlers; multiprocessing's own finalizers do run.
        _held["finalizer"] = multiprocessing.util.Finalize(None, _forget_connection, exitpriority=10)
    return client


def _forget_connection() -> None:
    client = _held.pop("client", None)
    _held.pop("purpose", None)
    if client is not None:
        logout_quietly(client)



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
            # imports the parser once and forks ready workers from it, so no worker pays for importing it on its own.
            # (No effect if the forkserver already runs.)
            # Each of them dies with the poller (mailbox.lifeline): a killed poll leaves no process behind.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["__main__", __name__, "mailbox.forkserver_lifeline"])
            self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=die_with_parent, initargs=(os.getpid(),))

    def submit(self, raws: Sequence[bytes], writer: RawWriter | None = None) -> Future | _Inline:
        if self.executor is None:
            return _Inline(raws, writer)
        return self.executor.submit(store_key_and_parse, list(raws), writer)

    def submit_fetch(self, settings: MailSettings, folder: str, uidvalidity: int, uids: Sequence[int],
                     writer: RawWriter | None = None) -> Future:
        """``fetch_store_key_and_parse`` in a worker process (only when there are workers)."""
        if self.executor is None:
            raise RuntimeError("fetching in a worker needs worker processes")
        return self.executor.submit(fetch_store_key_and_parse, settings, folder, uidvalidity, list(uids), writer)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
