"""The file store as email intake uses it: written without a flush per file, made durable once per batch.

One fsync per file was the largest cost of email intake. Here files are still written atomically (temporary
name, then rename, so a crash leaves no half file under a digest), but made durable by one ``syncfs`` of the
store's file system before the commit that refers to them. The writing may happen in the poller's parse worker
process (``FileWriter``, picklable), overlapping the poller's fetching and database work: creating a file costs
the kernel more than the poller's Python work on a small message.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
from dataclasses import dataclass

from cases.storage import LocalFileStore


@dataclass(frozen=True)
class FileWriter:
    """Writes content-addressed files into a ``LocalFileStore``'s folder, without flushing them to disk."""

    root: str

    def put(self, data: bytes) -> str:
        """Store ``data`` under its sha256 (nothing to do if it is there); returns the hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        parent = os.path.join(self.root, digest[:2])
        path = os.path.join(parent, digest[2:])
        if os.path.exists(path):
            return digest
        try:
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-")
        except FileNotFoundError:  # the first file of its folder (asking every time cost a system call per file)
            os.makedirs(parent, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return digest


class BatchSyncedFiles:
    """A ``FileStore`` over a ``LocalFileStore`` whose writes become durable at ``sync()``, once per batch.

    ``writer()`` hands out a ``FileWriter`` for another process; files it writes are covered by the next
    ``sync()`` as well (``syncfs`` makes the whole file system durable).
    """

    def __init__(self, store: LocalFileStore):
        self.store = store
        self._writer = FileWriter(str(store.root))
        self._dirty = False
        self._handed_out = False

    def writer(self) -> FileWriter:
        # What another process writes with it cannot be tracked here: from now on every sync() syncs.
        self._handed_out = True
        return self._writer

    def put(self, data: bytes) -> str:
        self._dirty = True
        return self._writer.put(data)

    def get(self, sha256: str) -> bytes:
        return self.store.get(sha256)

    def exists(self, sha256: str) -> bool:
        return self.store.exists(sha256)

    def sync(self) -> None:
        """Make every file written since the last sync durable (one ``syncfs`` of the store's file system)."""
        if not (self._dirty or self._handed_out):
            return
        fd = os.open(self.store.root, os.O_RDONLY)
        try:
            if _syncfs(fd) != 0:
                os.sync()
        finally:
            os.close(fd)
        self._dirty = False


def _syncfs(fd: int) -> int:
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs(fd)
    except (OSError, AttributeError):  # not Linux
        return -1
