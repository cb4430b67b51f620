"""Packs: many stored files written as one, for intake that stores a whole batch at once (raw email).

Creating a file costs the kernel far more than writing its bytes, and that cost depends on what else the disk is
doing: one file per raw message would make storing a mail batch cost more than parsing it. A pack is one file
holding a batch's blobs back to back; a small index (SQLite, next to the packs) says where each sha256 lies. The
files stay content-addressed: ``LocalFileStore`` answers for a packed digest as for a loose file.

Durability: ``PackWriter.sync()`` flushes the pack, then commits its index rows (synchronous=FULL). A digest is
findable only once both are on disk, so a crash before leaves an unindexed pack behind and nothing refers to it.
The index is SQLite in the store's folder: packs are for a folder one machine writes, not one shared over NFS.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
import uuid
from datetime import datetime, timezone
from collections.abc import Iterable
from pathlib import Path

PACKS = "packs"
INDEX = "index.sqlite3"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS blob (sha256 TEXT PRIMARY KEY, pack TEXT NOT NULL, "
           "offset INTEGER NOT NULL, length INTEGER NOT NULL) WITHOUT ROWID")


# This process's connection to each index it writes, kept open (one thread at a time): closing a connection
# checkpoints the index, two more fsyncs per batch. Keyed by process too, as parse
# workers are forked.
_writing: dict[tuple[int, Path], tuple[sqlite3.Connection, threading.Lock]] = {}
_writing_lock = threading.Lock()


def _index_for_writing(folder: Path) -> tuple[sqlite3.Connection, threading.Lock]:
    key = (os.getpid(), folder)
    with _writing_lock:
        if key not in _writing:
            connection = sqlite3.connect(folder / INDEX, timeout=30, isolation_level=None, check_same_thread=False)
            # Switching to WAL needs the database to itself and SQLite does not wait for that: parse workers
            # opening a new index at the same moment take turns on a file lock instead.
            with open(folder / (INDEX + ".lock"), "a") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(_SCHEMA)
            connection.execute("PRAGMA synchronous=FULL")  # the commit makes a packed digest count as stored
            _writing[key] = (connection, threading.Lock())
        return _writing[key]


class PackWriter:
    """Appends blobs to one new pack per ``sync()`` round under ``<root>/packs``; picklable (for parse workers,
    each of which then writes its own packs).

    ``put(data)`` returns the sha256 at once; the blob is findable, and durable, after ``sync()``.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = str(root)
        self._reset()

    def _reset(self) -> None:
        self._fd: int | None = None
        self._name = ""
        self._offset = 0
        self._entries: list[tuple[str, str, int, int]] = []

    def __getstate__(self) -> dict:
        return {"root": self.root}  # an open pack belongs to the process that opened it

    def __setstate__(self, state: dict) -> None:
        self.root = state["root"]
        self._reset()

    def put(self, data: bytes) -> str:
        """Append ``data`` to the current pack; returns its sha256 hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        if self._fd is None:
            self._open_pack()
        length = len(data)
        view = memoryview(data)
        while view:  # a write to a regular file may be short
            view = view[os.write(self._fd, view):]
        self._entries.append((digest, self._name, self._offset, length))
        self._offset += length
        return digest

    def _open_pack(self) -> None:
        month = datetime.now(timezone.utc).strftime("%Y-%m")
        folder = Path(self.root, PACKS, month)
        folder.mkdir(parents=True, exist_ok=True)
        self._name = f"{month}/{uuid.uuid4().hex}.pack"
        self._fd = os.open(Path(self.root, PACKS, self._name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                           0o640)
        self._offset = 0

    def sync(self) -> None:
        """Make everything put since the last ``sync()`` durable and findable; the next ``put`` starts a new pack."""
        if self._fd is None:
            return
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)
        _fsync_dir(Path(self.root, PACKS, self._name).parent)  # the pack's name, not only its bytes
        connection, lock = _index_for_writing(Path(self.root, PACKS))
        with lock:
            with connection:  # a digest packed twice keeps its first place (the bytes are the same)
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT OR IGNORE INTO blob VALUES (?, ?, ?, ?)", self._entries)
                placed = _places(connection, [entry[0] for entry in self._entries])
            # The second copy of a digest (a batch re-run after a crash, a message twice in a batch) is in no
            # index row: zeroed now, so that erasing the digest later (``erase``) leaves no copy behind.
            again = [(offset, length) for digest, pack, offset, length in self._entries
                     if placed.get(digest) != (pack, offset)]
            if again:
                _zero(Path(self.root, PACKS, self._name), again)
        self._reset()


def _places(connection: sqlite3.Connection, digests: list[str]) -> dict[str, tuple[str, int]]:
    """Where the index has each of ``digests``: ``{sha256: (pack, offset)}``."""
    places: dict[str, tuple[str, int]] = {}
    for start in range(0, len(digests), 500):
        chunk = digests[start:start + 500]
        places.update((row[0], (row[1], int(row[2]))) for row in connection.execute(
            f"SELECT sha256, pack, offset FROM blob WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk))
    return places


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def packed(root: str | os.PathLike[str], sha256: str) -> bytes | None:
    """The blob packed under ``sha256`` in the store at ``root`` (checked against its digest), or None."""
    location = _locate(root, sha256)
    if location is None:
        return None
    pack, offset, length = location
    try:
        with open(Path(root, PACKS, pack), "rb") as fh:
            fh.seek(offset)
            data = fh.read(length)
    except FileNotFoundError:
        return None  # erased meanwhile: its last blob went, and the pack with it (``erase``)
    if hashlib.sha256(data).hexdigest() != sha256:
        if not data.strip(b"\0"):
            return None  # zeroed by ``erase``, whose index update did not happen (a crash) or is under way
        raise OSError(f"pack {pack} is damaged at {offset}: the bytes there do not match {sha256}")
    return data


def erase(root: str | os.PathLike[str], digests: Iterable[str]) -> int:
    """Erase the packed blobs ``digests`` in the store at ``root``: their bytes are overwritten with zeros in
    place (and flushed), then their index rows go, and a pack left with no indexed blob is deleted. Returns how
    many blobs were erased.

    Zeros first, index after: a crash in between leaves index rows over zeros, which ``packed`` treats as absent
    and the next ``erase`` of the same digests finishes. Overwriting in place keeps every other blob where the
    index says it is, so readers of the rest of the pack are never disturbed (rewriting the pack would move
    them under a concurrent reader). A second copy of a digest was zeroed when its pack was indexed
    (``PackWriter.sync``), so the indexed copy is the only one."""
    wanted = sorted(set(digests))
    folder = Path(root, PACKS)
    if not wanted or not (folder / INDEX).exists():
        return 0
    connection, lock = _index_for_writing(folder)
    with lock:
        rows = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows += connection.execute(f"SELECT sha256, pack, offset, length FROM blob WHERE sha256 IN "
                                       f"({','.join('?' * len(chunk))})", chunk).fetchall()
        packs = sorted({row[1] for row in rows})
        for pack in packs:
            _zero(folder / pack, [(int(row[2]), int(row[3])) for row in rows if row[1] == pack])
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("DELETE FROM blob WHERE sha256 = ?", [(row[0],) for row in rows])
            emptied = [pack for pack in packs
                       if connection.execute("SELECT 1 FROM blob WHERE pack = ? LIMIT 1", (pack,)).fetchone() is None]
        for pack in emptied:
            (folder / pack).unlink(missing_ok=True)
            _fsync_dir((folder / pack).parent)
    return len(rows)


def _zero(path: Path, spans: list[tuple[int, int]]) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        for offset, length in spans:
            done = 0
            while done < length:
                done += os.pwrite(fd, bytes(min(length - done, 1 << 20)), offset + done)
        os.fsync(fd)
    finally:
        os.close(fd)


def is_packed(root: str | os.PathLike[str], sha256: str) -> bool:
    """Whether a blob is packed under ``sha256`` in the store at ``root``."""
    return _locate(root, sha256) is not None


def remove_unindexed(root: str | os.PathLike[str], older_than_seconds: float = 3600.0) -> list[str]:
    """Delete packs no index row refers to (a worker died between writing and indexing them) that are older than
    ``older_than_seconds`` (a pack being written right now is not indexed yet); returns their names.

    Nothing refers to such a pack: the batch it belonged to was never committed, and its rerun wrote its own."""
    folder = Path(root, PACKS)
    index = folder / INDEX
    if not folder.is_dir():
        return []
    indexed: set[str] = set()
    if index.exists():
        connection = sqlite3.connect(index, timeout=30)
        try:
            indexed = {row[0] for row in connection.execute("SELECT DISTINCT pack FROM blob")}
        finally:
            connection.close()
    cutoff = datetime.now(timezone.utc).timestamp() - older_than_seconds
    removed = []
    for path in sorted(folder.glob("*/*.pack")):
        name = path.relative_to(folder).as_posix()
        if name not in indexed and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(name)
    return removed


def _locate(root: str | os.PathLike[str], sha256: str) -> tuple[str, int, int] | None:
    index = Path(root, PACKS, INDEX)
    if not index.exists():
        return None
    connection = sqlite3.connect(index, timeout=30)
    try:
        row = connection.execute("SELECT pack, offset, length FROM blob WHERE sha256 = ?", (sha256,)).fetchone()
    finally:
        connection.close()
    return (row[0], int(row[1]), int(row[2])) if row else None
