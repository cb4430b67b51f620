"""Connections to the PostgreSQL search database: URL conversion and a small per-process pool."""

from __future__ import annotations

import os
import queue
import threading
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg

from search_index.errors import IndexUnavailableError


def libpq_url(url: str) -> str:
    """``postgresql+psycopg://...`` (SQLAlchemy style) as a libpq URI."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise IndexUnavailableError(f"not a PostgreSQL URL: {url!r}")
    return urlunsplit(("postgresql", *parts[1:]))


class Pool:
    """A few reusable connections per process; forgotten (not closed) after a fork, because closing the
    parent's connection from a child would end the parent's session."""

    def __init__(self, conninfo: str, size: int, connect_timeout: int) -> None:
        self.conninfo = conninfo
        self.size = size
        self.connect_timeout = connect_timeout
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.conninfo, connect_timeout=self.connect_timeout)
        except psycopg.Error as exc:
            raise IndexUnavailableError(f"cannot connect to the PostgreSQL search database: {exc}") from exc

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A connection in a transaction committed at the end (rolled back and discarded on error)."""
        with self._lock:
            if self._pid != os.getpid():
                self._idle = queue.LifoQueue()
                self._pid = os.getpid()
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._connect()
        try:
            yield conn
            conn.commit()
        except BaseException:
            try:
                conn.rollback()
            except psycopg.Error:
                conn.close()
            if conn.closed or conn.broken:
                raise
            self._put(conn)
            raise
        self._put(conn)

    def _put(self, conn: psycopg.Connection) -> None:
        if conn.closed or conn.broken or self._idle.qsize() >= self.size or self._pid != os.getpid():
            conn.close()
        else:
            self._idle.put(conn)

    def close(self) -> None:
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return
            if self._pid == os.getpid():
                conn.close()
