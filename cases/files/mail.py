"""The file store as email intake uses it: made durable once per batch, not once per file.

An fsync per file, and a file per raw message, would cost more than parsing the mail (bench/mail_ingest.py,
bench/raw_mail_formats.py). The poller's parse workers write a fetch batch's raw messages as one pack
(``cases.files.packs.PackWriter``, handed out by ``BatchSyncedFiles.writer()``), flushed and indexed once per batch
before the poller gets the batch back, so before the commit that refers to them, and overlapping the poller's
fetching and database work. Where packs are off (a folder several machines write), and for what the poller stores
itself (an over-size message it quarantines), each file is written atomically (temporary name, then rename, so a
crash leaves no half file under a digest) and made durable by one ``syncfs`` of the store's file system per batch
(``FileWriter``).

An email's attachments are not written as files of their own at intake (``RawHeldAttachments``): they are in the
raw message already, and ``AttachmentsFromRaw`` (the app's file store) extracts one from there when it is read.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.drafts import HeldBytes
from cases.files.packs import PackWriter
from cases.models import Attachment, Letter
from cases.files.store import FileStore, LocalFileStore


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

    def sync(self) -> None:
        """Make every file written so far durable (one ``syncfs`` of the folder's file system).

        The parse worker calls this once per batch before it returns the batch, so the store never waits for
        the disk at its commit for what the workers wrote, and the wait overlaps the poller's other work.
        """
        sync_folder(self.root)


def sync_folder(root: str | os.PathLike[str]) -> None:
    """``syncfs`` of the file system ``root`` is on (``sync`` where that is not available)."""
    fd = os.open(root, os.O_RDONLY)
    try:
        if _syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


class BatchSyncedFiles:
    """A ``FileStore`` over a ``LocalFileStore`` whose writes become durable at ``sync()``, once per batch.

    ``writer()`` hands out a ``PackWriter`` (or, without ``packs``, a ``FileWriter``) for another process, whose
    user makes what it wrote durable with the writer's own ``sync()`` before handing back the digests
    (``mailbox.workers`` does, once per batch). A pack's index is a SQLite file in the store's folder: only for
    a store one machine writes (``cases.files.packs``).
    """

    def __init__(self, store: LocalFileStore, *, packs: bool = True):
        self.store = store
        self.packs = packs
        self._writer = FileWriter(str(store.root))
        self._dirty = False

    def writer(self) -> PackWriter | FileWriter:
        """A writer for another process, durable at its ``sync()``: a batch's files go into one pack, or (without
        ``packs``) each into a file of its own, synced with one ``syncfs``."""
        return PackWriter(self.store.root) if self.packs else self._writer

    def put(self, data: bytes) -> str:
        self._dirty = True
        return self._writer.put(data)

    def get(self, sha256: str) -> bytes:
        return self.store.get(sha256)

    def exists(self, sha256: str) -> bool:
        return self.store.exists(sha256)

    def delete(self, sha256: str) -> bool:
        return self.store.delete(sha256)

    def sync(self) -> None:
        """Make every file written since the last sync durable (one ``syncfs`` of the store's file system)."""
        if not self._dirty:
            return
        sync_folder(self.store.root)
        self._dirty = False


def _syncfs(fd: int) -> int:
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs(fd)
    except (OSError, AttributeError):  # not Linux
        return -1


class RawHeldAttachments:
    """The store an email's attachments are registered through: ``put`` only names them (sha256), as they are
    inside the letter's raw message, which the mail store keeps (durable before the commit) already.

    Writing each attachment a second time doubled the bytes email intake wrote for mail with attachments; staff
    still download them through ``AttachmentsFromRaw``, which finds them in the raw message.
    """

    def __init__(self, store: FileStore):
        self.store = store

    def put(self, data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def hold(self, held: HeldBytes) -> str:
        """Register an attachment the parse worker left in its raw message (only its digest came back)."""
        return held.sha256

    def get(self, sha256: str) -> bytes:
        return self.store.get(sha256)

    def exists(self, sha256: str) -> bool:
        return self.store.exists(sha256)

    def delete(self, sha256: str) -> bool:
        return self.store.delete(sha256)


# The attachments of a raw email, as the parser gives them (the bytes whose sha256 the attachment rows hold).
AttachmentExtractor = Callable[[bytes], Iterable[bytes]]


class AttachmentsFromRaw:
    """A ``FileStore`` over ``inner`` that also answers for email attachments that were never written on their
    own (``RawHeldAttachments``): it finds a letter with that attachment, takes the letter's stored raw message,
    extracts the attachment and checks its sha256; the file is then written to ``inner``, so this happens once.

    Every other file goes straight to ``inner``. A digest that neither holds raises ``FileNotFoundError``, as a
    missing file does. ``reading()`` gives the session to look the letter up with: the caller's own when it has
    one open (on SQLite every transaction takes the write turn, so a second one in the same thread would wait
    for the first).
    """

    def __init__(self, inner: FileStore, reading: Callable[[], AbstractContextManager[Session]],
                 extract: AttachmentExtractor):
        self.inner = inner
        self.reading = reading
        self.extract = extract

    def put(self, data: bytes) -> str:
        return self.inner.put(data)

    def get(self, sha256: str) -> bytes:
        try:
            return self.inner.get(sha256)
        except FileNotFoundError:
            data = self._from_raw(sha256)
            if data is None:
                raise
            self.inner.put(data)
            return data

    def exists(self, sha256: str) -> bool:
        return self.inner.exists(sha256) or bool(self._raw_messages(sha256))

    def delete(self, sha256: str) -> bool:
        """Erase ``sha256`` from ``inner`` (an attachment extracted once is stored there; one still inside its
        raw message goes when that message is deleted)."""
        return self.inner.delete(sha256)

    def _raw_messages(self, sha256: str) -> list[str]:
        with self.reading() as session:
            return list(session.scalars(
                select(Letter.raw_sha256).join(Attachment, Attachment.letter_id == Letter.id)
                .where(Attachment.sha256 == sha256, Letter.raw_sha256.is_not(None)).distinct().limit(5)))

    def _from_raw(self, sha256: str) -> bytes | None:
        for raw_sha in self._raw_messages(sha256):
            try:
                raw = self.inner.get(raw_sha)
            except FileNotFoundError:
                continue
            for data in self.extract(raw):
                if hashlib.sha256(data).hexdigest() == sha256:
                    return data
        return None


def local_store(store: FileStore) -> LocalFileStore | None:
    """The ``LocalFileStore`` under ``store`` (itself, or the one an ``AttachmentsFromRaw`` reads through)."""
    if isinstance(store, AttachmentsFromRaw):
        store = store.inner
    return store if isinstance(store, LocalFileStore) else None
