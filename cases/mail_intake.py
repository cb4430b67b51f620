"""The database behind exactly-once email intake: the ``IntakeStore`` the mail poller writes through.

Folder state and a lease lock per account and folder, content-addressed raw storage, a unique dedup key per
letter (two pollers racing create each case once), and quarantine idempotent per raw sha256. Every method that
writes commits before it returns, as the poller's crash-safety relies on it.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, text, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cases import intake, new_cases
from cases.actors import SYSTEM, Actor
from cases.policy import Policy
from cases.drafts import LetterDraft
from cases.errors import CaseError
from cases.files.packs import PackWriter
from cases.folder_lease import FolderLease, LockRefused, ensure_folder_row
from cases.models import Letter, MailFolderState, QuarantineItem, utcnow
from cases.files.mail import BatchSyncedFiles, FileWriter, RawHeldAttachments, local_store

log = logging.getLogger(__name__)

# Called in the transaction that opens a new case from an email, before it commits (e.g. the acknowledgement).
# What a new case opened from mail adds to the outbox besides its indexing (the acknowledgement): the rows of
# ``cases.new_cases.OutboxRows``, written in the case's own transaction.
NewCaseHook = new_cases.OutboxRows
EXTERNAL_ID_MAX = 500  # Letter.external_id


class FolderLeaseLost(RuntimeError):
    """Our lease on a folder ran out and another poller took it: stop, the other one carries on."""


class DatabaseIntakeStore:
    """``mailbox.IntakeStore`` on the case database.

    ``lease``: how long a folder lock lasts without renewal (renewed by a heartbeat while the poller lives, and at
    every saved folder state); a killed poller's lock lapses after it. ``on_new_case``: see ``NewCaseHook``.

    ``batch_commits``: keep one transaction open per fetch batch (each message in its own savepoint) and commit
    it together with the folder state, instead of one commit per message. Exactly once still holds because the
    folder state is saved in that same commit: a crash before it loses the whole batch, and the rerun fetches it
    again. Only with MAIL_DONE_ACTION flag or leave: mail is marked done after the batch's commit, and flags a
    crash left unset are set at the next poll (a move could not be redone that way). On SQLite writers queue
    anyway; on PostgreSQL a batch that opens cases holds the case number row until it commits, so concurrent
    batches that open cases run one after the other, and a racing batch that loses on the unique dedup key is
    redone message by message as duplicates.

    ``raw_packs``: the parse workers write a batch's raw messages as one pack (``cases.files.packs``), else a
    file each; packs are for a file store one machine writes.
    """

    def __init__(self, sessions: sessionmaker[Session], policy: Policy, *, actor: Actor = SYSTEM,
                 lease: timedelta = timedelta(seconds=30), on_new_case: NewCaseHook | None = None,
                 batch_commits: bool = False, raw_packs: bool = True) -> None:
        self.sessions = sessions
        self.policy = policy
        self.actor = actor
        self.lease = lease
        self.on_new_case = on_new_case
        self.batch_commits = batch_commits
        self._files: BatchSyncedFiles | None = None
        # The policy letters are registered with: with batch_commits on a local store, attachments are named but
        # not written (they are inside the raw message, stored and synced before the commit; see
        # cases.files.mail). Letters without a stored raw message always go through self.policy.
        self._letters_policy = self.policy
        local = local_store(policy.store)
        if batch_commits and local is not None:
            self._files = BatchSyncedFiles(local, packs=raw_packs)
            self.policy = replace(policy, store=self._files)
            self._letters_policy = replace(policy, store=RawHeldAttachments(self._files))
        self._leases: dict[tuple[str, str], FolderLease] = {}  # the leases we hold
        self._batch: Session | None = None  # the open batch transaction (batch_commits only)

    # --- transactions ----------------------------------------------------------------------------------------
    @contextmanager
    def _unit(self) -> Iterator[Session]:
        """The session a write goes through: the open batch, or a new one committed at the end."""
        if self.batch_commits:
            if self._batch is None:
                self._batch = self.sessions()
            yield self._batch
            return
        with self.sessions() as session:
            yield session
            session.commit()

    def _end_batch(self, commit: bool) -> None:
        session, self._batch = self._batch, None
        if session is None:
            return
        try:
            if commit:
                self._sync_files()
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()

    # --- the folder lock -------------------------------------------------------------------------------------
    @contextmanager
    def lock_folder(self, account: str, folder: str) -> Iterator[bool | LockRefused]:
        """Take the folder's lease (``cases.folder_lease``), renewed while the block runs; yields True, or at once
        a false ``LockRefused`` naming the holder if another poller has it."""
        key = (account, folder)
        lease = FolderLease(self.sessions, account, folder, self.lease)
        got = lease.take()
        if got:
            self._leases[key] = lease
        try:
            yield got
        finally:
            self._end_batch(commit=False)  # still open: the poll died mid-batch, and its state was not saved
            if got:
                self._leases.pop(key, None)
                lease.release()

    # --- folder state ----------------------------------------------------------------------------------------
    def folder_state(self, account: str, folder: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last UID done), or None if the folder was never polled."""
        with self.sessions() as session:
            row = session.execute(select(MailFolderState.uidvalidity, MailFolderState.last_uid).where(
                MailFolderState.account == account, MailFolderState.folder == folder)).first()
        if row is None or not row.uidvalidity:
            return None
        return int(row.uidvalidity), int(row.last_uid)

    def save_folder_state(self, account: str, folder: str, uidvalidity: int, last_uid: int) -> None:
        """Save the state and renew our lease; raises ``FolderLeaseLost`` if another poller took the folder."""
        key = (account, folder)
        held = self._leases.get(key)
        values = {"uidvalidity": uidvalidity, "last_uid": last_uid, "updated_at": utcnow()}
        where = [MailFolderState.account == account, MailFolderState.folder == folder]
        if held is not None:
            session = self._batch or self.sessions()
            self._batch = None
            try:
                if not held.renew_in(session, **values):
                    session.rollback()
                    self._leases.pop(key, None)
                    raise FolderLeaseLost(f"{account} {folder}: the folder lease expired and was taken over")
                self._sync_files()
                session.commit()  # the batch's letters and the state that says they are done, together
            finally:
                session.close()
            return
        self._end_batch(commit=True)
        with self.sessions() as session:
            ensure_folder_row(session, account, folder)
            session.execute(update(MailFolderState).where(*where).values(**values))
            session.commit()

    def _sync_files(self) -> None:
        if self._files is not None:
            self._files.sync()


    # --- messages --------------------------------------------------------------------------------------------
    def raw_writer(self) -> PackWriter | FileWriter | None:
        """With ``batch_commits`` on a local file store: a picklable writer the poller's parse worker stores a
        batch's raw messages with (as one pack, with ``raw_packs``) and syncs before handing the batch back (so
        before this store commits); else None."""
        return self._files.writer() if self._files is not None else None

    def store_raw(self, data: bytes) -> str:
        """Keep the raw message in the file store (content-addressed); returns its sha256."""
        return self.policy.store.put(data)

    def is_duplicate(self, dedup_key: str) -> bool:
        """Whether a letter with this dedup key is on file (or in the open batch)."""
        if self._batch is not None:
            session = self._batch
            return session.scalar(select(Letter.id).where(Letter.dedup_key == dedup_key).limit(1)) is not None
        with self.sessions() as session:
            return session.scalar(select(Letter.id).where(Letter.dedup_key == dedup_key).limit(1)) is not None

    def duplicate_keys(self, dedup_keys: Sequence[str]) -> set[str]:
        """Which of these dedup keys are on file (or in the open batch): one query for a whole fetch batch."""
        keys = list(dict.fromkeys(dedup_keys))
        if not keys:
            return set()
        with self._reading() as session:
            return set(session.scalars(select(Letter.dedup_key).where(Letter.dedup_key.in_(keys))))

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        if self._batch is not None:
            yield self._batch
            return
        with self.sessions() as session:
            yield session

    def accept(self, draft: LetterDraft, dedup_key: str) -> str:
        """Register the draft (new case or attached to the case it answers) and commit; "duplicate" if the key is
        already on file, including when a racing poller committed it first (the unique index decides).

        A draft the case services refuse is quarantined with the reason (and reported as "duplicate": nothing new).
        """
        draft = _fit(draft)
        with self._unit() as session:
            try:
                with session.begin_nested():  # one message's failure undoes only that message
                    result = intake.receive(session, self._policy_for([draft]), draft, actor=self.actor,
                                            dedup_key=dedup_key, dedup_guarded=True, extra_outbox=self.on_new_case)
                if self.batch_commits:
                    session.expunge_all()  # the batch's objects are not needed again; keep the session small
                return result.outcome
            except IntegrityError:
                if session.scalar(select(Letter.id).where(Letter.dedup_key == dedup_key).limit(1)) is not None:
                    return "duplicate"  # a racing poller committed it first
                raise
            except (CaseError, DataError) as exc:
                reason = f"refused by the case system: {exc}"
        log.warning("email %s quarantined: %s", draft.external_id, reason)
        if draft.raw_sha256:
            self.quarantine("email", draft.raw_sha256, reason)
        return "duplicate"

    @property
    def accepts_batches(self) -> bool:
        """Whether ``accept_many`` registers a batch at once (batch_commits); the poller then hands it whole."""
        return self.batch_commits

    def accept_many(self, entries: Sequence[tuple[LetterDraft, str]]) -> Iterator[str]:
        """``accept`` for several drafts, yielding each outcome in order.

        With ``batch_commits`` the drafts that plainly open new cases (they answer none of ours) are registered
        together in one savepoint by ``cases.new_cases.open_cases``. If that fails (a dedup key already on file, a
        refused value) the savepoint is undone and every draft goes through ``accept`` one by one, so outcomes
        are the same. Otherwise each draft is accepted (and committed) before its outcome is yielded.
        """
        if not self.batch_commits or len(entries) < 2:
            for draft, key in entries:
                yield self.accept(draft, key)
            return
        fitted = [(_fit(draft), key) for draft, key in entries]
        outcomes: dict[int, str] = {}
        seen: set[str] = set()
        fast = []
        for i, (draft, key) in enumerate(fitted):
            if key in seen:
                outcomes[i] = "duplicate"  # the same message twice in one batch: the first one counts
            elif not intake.may_answer_case(draft):
                fast.append(i)
            seen.add(key)
        if len(fast) > 1:
            with self._unit() as session:
                try:
                    with session.begin_nested():
                        batch = [fitted[i] for i in fast]
                        new_cases.open_cases(session, self._policy_for([d for d, _ in batch]), batch,
                                             actor=self.actor, extra_outbox=self.on_new_case)
                    outcomes.update((i, "new_case") for i in fast)
                except (IntegrityError, CaseError, DataError) as exc:
                    log.info("batch intake fell back to one message at a time: %s", exc)
                    outcomes = {}
                session.expunge_all()
        for i, (draft, key) in enumerate(fitted):
            yield outcomes[i] if i in outcomes else self.accept(draft, key)

    def _policy_for(self, drafts: Sequence[LetterDraft]) -> Policy:
        """The policy to register these drafts with: attachments left in the raw message only when every draft
        has one (the poller stores it in this store, through ``store_raw`` or ``raw_writer``, before it parses)."""
        if self._files is not None and all(d.raw_sha256 for d in drafts):
            return self._letters_policy
        return self.policy

    def quarantine(self, source: str, raw_sha256: str, reason: str) -> None:
        """Keep an item that could not become a letter; a second call for the same raw bytes does nothing.

        ``source`` from the poller is the message's IMAP address; it is kept in the item's data.
        """
        with self._unit() as session:
            if session.get_bind().dialect.name == "postgresql":
                # Serialise quarantining of the same bytes across processes (SQLite writers queue anyway).
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                {"k": int(raw_sha256[:15], 16)})
            exists = session.scalar(select(QuarantineItem.id).where(QuarantineItem.raw_sha256 == raw_sha256)
                                    .limit(1))
            if exists is None:
                origin = source if source != "email" else ""
                session.add(QuarantineItem(source="email", reason=reason[:4000], raw_sha256=raw_sha256,
                                           filename="message.eml", data={"origin": origin} if origin else {}))
                session.flush()


def _fit(draft: LetterDraft) -> LetterDraft:
    """Clip values the columns cannot hold (an absurd Message-ID) rather than fail the whole message."""
    if draft.external_id and len(draft.external_id) > EXTERNAL_ID_MAX:
        draft = replace(draft, external_id=draft.external_id[:EXTERNAL_ID_MAX],
                        notes=[*draft.notes, "Message-ID clipped to 500 characters"])
    return draft
