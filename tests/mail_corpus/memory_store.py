"""An in-memory ``IntakeStore`` for tests and the benchmark (the app implements the real one on its database).

It keeps the same promises as a database store: a folder lock others cannot take, a unique dedup key, idempotent
raw storage and quarantine. ``accept`` attaches a reply to an existing case when its case token or In-Reply-To
ids match, like the app will.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from cases.drafts import LetterDraft


@dataclass
class MemoryStore:
    raw: dict[str, bytes] = field(default_factory=dict)
    states: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    letters: list[tuple[str, LetterDraft, str]] = field(default_factory=list)  # (dedup key, draft, case number)
    quarantined: dict[str, tuple[str, str]] = field(default_factory=dict)  # raw sha -> (source, reason)
    cases: dict[str, list[LetterDraft]] = field(default_factory=dict)
    sent_message_ids: dict[str, str] = field(default_factory=dict)  # our outbound Message-ID -> case number
    keep_bodies: bool = True

    def __post_init__(self) -> None:
        self._mutex = threading.Lock()
        self._folder_locks: dict[tuple[str, str], threading.Lock] = {}
        self._keys: set[str] = set()

    @contextmanager
    def lock_folder(self, account: str, folder: str) -> Iterator[bool]:
        with self._mutex:
            lock = self._folder_locks.setdefault((account, folder), threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()

    def folder_state(self, account: str, folder: str) -> tuple[int, int] | None:
        return self.states.get((account, folder))

    def save_folder_state(self, account: str, folder: str, uidvalidity: int, last_uid: int) -> None:
        self.states[(account, folder)] = (uidvalidity, last_uid)

    def store_raw(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        with self._mutex:
            self.raw.setdefault(sha, data if self.keep_bodies else b"")
        return sha

    def is_duplicate(self, dedup_key: str) -> bool:
        return dedup_key in self._keys

    def accept(self, draft: LetterDraft, dedup_key: str) -> str:
        with self._mutex:  # the unique constraint of a real database
            if dedup_key in self._keys:
                return "duplicate"
            self._keys.add(dedup_key)
            case = self._case_for(draft)
            result = "attached" if case else "new_case"
            if case is None:
                case = f"2026-{len(self.cases) + 1:06d}"
                self.cases[case] = []
            self.cases[case].append(draft)
            if not self.keep_bodies:
                draft.attachments = []
            self.letters.append((dedup_key, draft, case))
            return result

    def _case_for(self, draft: LetterDraft) -> str | None:
        if draft.case_token and draft.case_token in self.cases:
            return draft.case_token
        for message_id in draft.in_reply_to:
            if message_id in self.sent_message_ids:
                return self.sent_message_ids[message_id]
        return None

    def quarantine(self, source: str, raw_sha256: str, reason: str) -> None:
        with self._mutex:
            self.quarantined.setdefault(raw_sha256, (source, reason))

    # --- for assertions ---
    def subjects(self) -> list[str]:
        return sorted(draft.subject for _, draft, _ in self.letters)


class NoLockStore(MemoryStore):
    """A store whose folder lock never excludes anyone: only the unique dedup key stands between two pollers."""

    @contextmanager
    def lock_folder(self, account: str, folder: str) -> Iterator[bool]:
        yield True
