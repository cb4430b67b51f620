"""Fetching ahead on a second IMAP connection, in a thread, while the poller commits and flags on the first.

One connection does one command at a time: the poller used to wait for each batch's bodies, then for its parse
results, then flag the batch, then fetch the next one, so the parse workers sat idle while it waited on the
socket and the socket sat idle while it committed. Here a thread fetches the batches (sizes, then bodies) on its
own read-only connection a few batches ahead and hands them to the parse workers at once; the poller takes them
in UID order and does everything that changes state (commits, flags, folder state) on its own connection, as
before. Socket waits release the GIL, so the thread costs the poller little CPU.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from imapclient import IMAPClient

T = TypeVar("T")
_DONE = object()
_POLL_SECONDS = 0.2  # how often a blocked thread looks whether the poll was abandoned


class ReadAhead(Generic[T]):
    """Iterate over ``produce(client)`` run in a thread on a connection of its own, at most ``depth`` items ahead.

    ``open_client()`` connects (and logs in); ``produce`` selects what it needs and yields the items. An exception
    in the thread is raised by the iteration, in order (after the items produced before it). ``close()`` (or
    leaving the ``with`` block) stops the thread and logs its connection out, whether or not all was read.
    """

    def __init__(self, open_client: Callable[[], IMAPClient], produce: Callable[[IMAPClient], Iterable[T]],
                 depth: int = 2):
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(open_client, produce), name="imap-read-ahead",
                                        daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, open_client: Callable[[], IMAPClient], produce: Callable[[IMAPClient], Iterable[T]]) -> None:
        client = None
        try:
            client = open_client()
            for item in produce(client):
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as exc:  # handed to the poller's thread, which raises it
            self._put(exc)
        finally:
            if client is not None:
                try:
                    client.logout()
                except Exception:  # the connection may be dead already; nothing to keep
                    pass

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    def close(self) -> None:
        """Stop fetching and wait for the thread to log out."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=_POLL_SECONDS)  # unblock a put
            except queue.Empty:
                pass
        self._thread.join()

    def __enter__(self) -> "ReadAhead[T]":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
