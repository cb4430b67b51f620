"""Erasing stored files: a file of its own is deleted; a blob inside a pack is overwritten with zeros in place and
forgotten by the index, the other blobs of the pack staying where they are; an emptied pack goes."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest

from cases.files import packs as file_packs
from cases.files.packs import PackWriter
from cases.files.store import LocalFileStore


def _packs(root) -> list:
    return sorted((root / file_packs.PACKS).rglob("*.pack"))


def _indexed(root) -> set[str]:
    connection = sqlite3.connect(root / file_packs.PACKS / file_packs.INDEX)
    try:
        return {row[0] for row in connection.execute("SELECT sha256 FROM blob")}
    finally:
        connection.close()


def test_erasing_a_packed_message_zeroes_its_bytes_and_keeps_its_neighbours(tmp_path):
    store = LocalFileStore(tmp_path)
    writer = PackWriter(tmp_path)
    before = writer.put(b"From: a@example.org\r\n\r\nfirst message")
    secret = writer.put(b"From: wang.fang@example.org\r\n\r\nMy ID is 110101199003077777")
    after = writer.put(b"From: c@example.org\r\n\r\nlast message")
    writer.sync()
    (pack,) = _packs(tmp_path)
    size = pack.stat().st_size

    assert store.delete(secret) is True
    raw = pack.read_bytes()
    assert b"wang.fang" not in raw and b"110101199003077777" not in raw
    assert pack.stat().st_size == size  # in place: every other blob is still where the index says
    assert not store.exists(secret) and secret not in _indexed(tmp_path)
    assert store.get(before).endswith(b"first message") and store.get(after).endswith(b"last message")
    assert store.delete(secret) is False  # nothing left to erase

    store.delete(before), store.delete(after)
    assert _packs(tmp_path) == []  # a pack with nothing indexed in it is deleted


def test_an_erasure_interrupted_before_the_index_update_reads_as_absent_and_finishes(tmp_path):
    store = LocalFileStore(tmp_path)
    writer = PackWriter(tmp_path)
    digest = writer.put(b"the citizen's letter")
    keep = writer.put(b"another letter")
    writer.sync()
    (pack,) = _packs(tmp_path)
    # What a crash between the zeroing and the index update leaves: zeros under a live index row.
    file_packs._zero(pack, [(0, len(b"the citizen's letter"))])
    assert digest in _indexed(tmp_path)
    assert file_packs.packed(tmp_path, digest) is None
    with pytest.raises(FileNotFoundError):
        store.get(digest)
    assert file_packs.erase(tmp_path, [digest]) == 1
    assert digest not in _indexed(tmp_path) and store.get(keep) == b"another letter"


def test_a_file_of_its_own_is_deleted(tmp_path):
    store = LocalFileStore(tmp_path)
    digest = store.put(b"scan of a letter")
    assert store.delete(digest) is True
    assert not store.exists(digest) and store.delete(digest) is False
    assert store.delete("not-a-digest") is False
    assert hashlib.sha256(b"scan of a letter").hexdigest() == digest


def test_a_second_copy_of_a_message_is_zeroed_so_erasing_it_leaves_none(tmp_path):
    store = LocalFileStore(tmp_path)
    first, rerun = PackWriter(tmp_path), PackWriter(tmp_path)
    message = b"From: wang.fang@example.org\r\n\r\nre-delivered after a crash"
    first.put(message)
    first.sync()
    digest = rerun.put(message)
    rerun.put(message)  # and twice in the same batch
    other = rerun.put(b"a message fetched for the first time")
    rerun.sync()
    assert b"".join(p.read_bytes() for p in _packs(tmp_path)).count(b"wang.fang") == 1
    assert store.get(digest) == message and store.get(other) == b"a message fetched for the first time"
    store.delete(digest)
    assert all(b"wang.fang" not in p.read_bytes() for p in _packs(tmp_path))
    assert store.get(other) == b"a message fetched for the first time"
