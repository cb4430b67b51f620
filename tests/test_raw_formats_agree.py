"""The two raw-mail formats (a pack per batch, or a file per message; bench/raw_mail_formats.py says why both
exist) are one store to their readers: for any batches of messages, duplicates and erasures included, the local
file store answers get, exists and delete the same whichever writer stored them."""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.files.mail import FileWriter, sync_folder
from cases.files.packs import PackWriter
from cases.files.store import LocalFileStore

messages = st.binary(min_size=0, max_size=3000)
batches = st.lists(st.lists(messages, min_size=1, max_size=8), min_size=1, max_size=5)


def _write(kind: str, root: Path, rounds: list[list[bytes]]) -> list[str]:
    digests = []
    for batch in rounds:
        writer = PackWriter(root) if kind == "pack" else FileWriter(str(root))
        digests += [writer.put(message) for message in batch]
        writer.sync() if kind == "pack" else sync_folder(root)
    return digests


def _answers(store: LocalFileStore, digests: list[str], erase: set[str], absent: str) -> list[object]:
    seen: list[object] = []
    for digest in digests + [absent]:
        seen.append(store.exists(digest))
        try:
            seen.append(store.get(digest))
        except FileNotFoundError:
            seen.append(FileNotFoundError)
    for digest in sorted(erase):
        seen.append(store.delete(digest))
    for digest in digests:
        seen.append((store.exists(digest), digest in erase))
    return seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds=batches, erase_every=st.integers(min_value=2, max_value=5), absent=messages)
def test_packed_and_loose_messages_read_and_erase_alike(rounds: list[list[bytes]], erase_every: int,
                                                       absent: bytes) -> None:
    every = [message for batch in rounds for message in batch]
    erase = {hashlib.sha256(m).hexdigest() for m in every[::erase_every]}
    missing = hashlib.sha256(b"never stored" + absent).hexdigest()
    if any(hashlib.sha256(m).hexdigest() == missing for m in every):
        return
    answers = {}
    for kind in ("pack", "loose"):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            digests = _write(kind, root, rounds)
            assert digests == [hashlib.sha256(m).hexdigest() for m in every]
            answers[kind] = _answers(LocalFileStore(root), digests, erase, missing)
    assert answers["pack"] == answers["loose"]
