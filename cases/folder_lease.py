"""The mail poller's lease on a folder: short, renewed by a heartbeat while its holder lives.

A lease is the folder row's ``locked_by`` (who holds it: process, machine and a random token) and ``locked_until``.
It is taken with one conditional UPDATE (free, or run out), renewed by a heartbeat thread every third of its length
and at every saved folder state, and given back at the end. A holder that dies (SIGKILL, power cut) stops renewing,
so its lease lapses within one lease length and the next poll carries on; a live holder keeps it however long
its poll takes.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cases.models import MailFolderState, utcnow

log = logging.getLogger(__name__)
HOLDER_MAX = 120  # MailFolderState.locked_by


@dataclass(frozen=True)
class LockRefused:
    """Another poller holds the folder: who, and until when its lease runs unless renewed. False in a test."""

    holder: str
    until: datetime | None

    def __bool__(self) -> bool:
        return False


def holder_name(token: str) -> str:
    """What a report shows of a ``locked_by`` value (without its random token): "pid 123 on host"."""
    return token.split(" #", 1)[0]


def ensure_folder_row(session: Session, account: str, folder: str) -> None:
    """Make the folder's state row if it is not there yet (committed), so it can be locked and updated."""
    where = and_(MailFolderState.account == account, MailFolderState.folder == folder)
    if session.scalar(select(MailFolderState.account).where(where)) is not None:
        return
    try:
        # uidvalidity 0 means "never polled" (a real UIDVALIDITY is never 0).
        session.execute(insert(MailFolderState).values(account=account, folder=folder, uidvalidity=0, last_uid=0,
                                                       updated_at=utcnow()))
        session.commit()
    except IntegrityError:  # another poller inserted it first
        session.rollback()


class FolderLease:
    """One held lease on (account, folder); ``take`` it, then ``renew`` it or let the heartbeat do so, ``release``."""

    def __init__(self, sessions: sessionmaker[Session], account: str, folder: str, length: timedelta) -> None:
        self.sessions = sessions
        self.account = account
        self.folder = folder
        self.length = length
        self.token = f"pid {os.getpid()} on {socket.gethostname()}"[:HOLDER_MAX - 10] + f" #{secrets.token_hex(4)}"
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    @property
    def where(self):
        return and_(MailFolderState.account == self.account, MailFolderState.folder == self.folder)

    def take(self) -> bool | LockRefused:
        """True if the lease is ours now (the heartbeat then runs), else who holds it."""
        with self.sessions() as session:
            ensure_folder_row(session, self.account, self.folder)
            now = utcnow()
            result = session.execute(
                update(MailFolderState)
                .where(self.where, or_(MailFolderState.locked_until.is_(None), MailFolderState.locked_until < now))
                .values(locked_by=self.token, locked_until=now + self.length))
            session.commit()
            if result.rowcount == 1:
                self._start_heartbeat()
                return True
            row = session.execute(select(MailFolderState.locked_by, MailFolderState.locked_until)
                                  .where(self.where)).first()
        return LockRefused(holder_name(row.locked_by or "another poller") if row else "another poller",
                           row.locked_until if row else None)

    def renew_in(self, session: Session, **values: object) -> bool:
        """Renew the lease in ``session`` (with other ``values`` of the row); False if it is not ours any more."""
        result = session.execute(update(MailFolderState).where(self.where, MailFolderState.locked_by == self.token)
                                 .values(**values, locked_until=utcnow() + self.length))
        return result.rowcount == 1

    def release(self) -> None:
        """Stop the heartbeat and give the lease back (if it is still ours)."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
        with self.sessions() as session:
            session.execute(update(MailFolderState).where(self.where, MailFolderState.locked_by == self.token)
                            .values(locked_until=None, locked_by=None))
            session.commit()

    def _start_heartbeat(self) -> None:
        self._heartbeat = threading.Thread(target=self._beat, name=f"lease {self.folder}", daemon=True)
        self._heartbeat.start()

    def _beat(self) -> None:
        pace = max(self.length.total_seconds() / 3, 0.05)
        while not self._stop.wait(pace):
            try:
                with self.sessions() as session:
                    ours = self.renew_in(session)
                    session.commit()
            except OperationalError as exc:  # the database is away for a moment: try again at the next beat
                log.warning("renewing the lease on %s failed: %s", self.folder, exc)
                continue
            if not ours:
                log.warning("the lease on %s %s was taken over", self.account, self.folder)
                return
