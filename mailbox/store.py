"""What the poller needs from persistence. The app implements ``IntakeStore`` against its database."""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from cases.drafts import LetterDraft

ACCEPT_RESULTS = ("new_case", "attached", "duplicate")


@runtime_checkable
class IntakeStore(Protocol):
    """Persistence for exactly-once mail intake. Every method that writes commits before it returns.

    Optional: a store whose writes commit with ``save_folder_state`` may set ``accepts_batches = True`` and offer
    ``accept_many(entries: Sequence[tuple[LetterDraft, str]]) -> Iterable[str]`` (one outcome per entry, in
    order); the poller then hands each batch's drafts over in one call, and asks
    ``duplicate_keys(keys: Sequence[str]) -> set[str]`` (if offered) once per batch instead of ``is_duplicate``.

    Optional: ``raw_writer() -> RawWriter | None`` (see ``mailbox.workers``): a picklable object whose ``put`` the
    parse worker stores each raw message with, instead of the poller calling ``store_raw``, and whose ``sync``
    it calls once per batch, before handing the batch back: what it wrote is durable before the store commits.
    """

    def lock_folder(self, account: str, folder: str) -> AbstractContextManager[bool]:
        """Hold an exclusive lock on (account, folder) while the block runs; yields a false value if another poller
        has it (which may tell, as ``holder`` and ``until``, who and until when, for the report).

        Must not block for long: the second poller skips the folder rather than wait.
        """

    def folder_state(self, account: str, folder: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last UID done) saved for the folder, or None if it was never polled."""

    def save_folder_state(self, account: str, folder: str, uidvalidity: int, last_uid: int) -> None:
        """Remember the folder's UIDVALIDITY and the highest UID whose message is fully handled."""

    def store_raw(self, data: bytes) -> str:
        """Keep the raw message content-addressed; returns its sha256 hex. Storing the same bytes again is a no-op."""

    def is_duplicate(self, dedup_key: str) -> bool:
        """True if a letter (or quarantined item) with this dedup key was already accepted."""

    def accept(self, draft: LetterDraft, dedup_key: str) -> str:
        """Register the draft (new case, or attach to the case it answers) and commit, unique on ``dedup_key``.

        Returns "new_case", "attached" or "duplicate" (the key was already there: nothing written).
        """

    def quarantine(self, source: str, raw_sha256: str, reason: str) -> None:
        """Record an item that could not become a letter, with its reason; commit. Idempotent per ``raw_sha256``."""
