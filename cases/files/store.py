"""Stored files (raw emails, scans, attachments, PDFs), content-addressed by sha256.

One small interface so a second store (object storage) can replace the local folder by configuration.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from cases.files import packs as file_packs


class FileStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its sha256 hex digest."""

    def get(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``; ``FileNotFoundError`` when absent."""

    def exists(self, sha256: str) -> bool:
        """Whether ``sha256`` is stored."""

    def delete(self, sha256: str) -> bool:
        """Erase what is stored under ``sha256`` (a file of its own or bytes in a pack); whether there was any."""


class LocalFileStore:
    """Files under one folder, as ``ab/cdef...`` by digest; written atomically so a crash leaves no half file.

    A digest may also be inside a pack (``cases.files.packs``: email intake writes a batch's raw mail as one file);
    ``get`` and ``exists`` answer for those alike.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise FileNotFoundError(sha256)
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if os.path.exists(path):
            return digest
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except FileNotFoundError:  # the first file of its folder (every web letter stores its post here)
            os.makedirs(path.parent, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            data = file_packs.packed(self.root, sha256)
            if data is None:
                raise
            return data

    def exists(self, sha256: str) -> bool:
        try:
            return self._path(sha256).exists() or file_packs.is_packed(self.root, sha256)
        except FileNotFoundError:
            return False

    def delete(self, sha256: str) -> bool:
        try:
            path = self._path(sha256)
        except FileNotFoundError:
            return False
        try:
            path.unlink()
            loose = True
        except FileNotFoundError:
            loose = False
        return bool(file_packs.erase(self.root, [sha256])) or loose
