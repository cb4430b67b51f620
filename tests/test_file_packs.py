"""Packs: a batch of blobs stored as one file, found by digest through the ordinary local file store."""
from __future__ import annotations

import hashlib
import multiprocessing
import pickle

import pytest

from cases.files import packs as file_packs
from cases.files.packs import PackWriter
from cases.files.store import LocalFileStore


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _packs(root) -> list:
    return sorted((root / file_packs.PACKS).rglob("*.pack"))


def test_a_synced_batch_is_one_file_and_every_blob_is_found_whole(tmp_path):
    store = LocalFileStore(tmp_path)
    writer = PackWriter(tmp_path)
    blobs = [f"message {i}\r\n".encode() * (i + 1) for i in range(50)] + [bytes(range(256)) * 800]
    digests = [writer.put(blob) for blob in blobs]
    assert digests == [_sha(blob) for blob in blobs]
    assert not any(store.exists(d) for d in digests)  # not stored until synced
    writer.sync()
    assert len(_packs(tmp_path)) == 1
    assert [store.get(d) for d in digests] == blobs and all(store.exists(d) for d in digests)
    # The next round goes into a pack of its own.
    writer.put(b"next batch")
    writer.sync()
    assert len(_packs(tmp_path)) == 2 and store.get(_sha(b"next batch")) == b"next batch"


def test_loose_files_and_packed_blobs_live_side_by_side(tmp_path):
    store = LocalFileStore(tmp_path)
    loose = store.put(b"a scan")
    writer = PackWriter(tmp_path)
    packed = writer.put(b"an email")
    writer.sync()
    assert store.get(loose) == b"a scan" and store.get(packed) == b"an email"
    missing = _sha(b"never stored")
    assert not store.exists(missing)
    with pytest.raises(FileNotFoundError):
        store.get(missing)


def test_an_unsynced_pack_is_never_found(tmp_path):
    """A worker that dies between writing and syncing leaves bytes nobody refers to, never a half-found blob."""
    writer = PackWriter(tmp_path)
    digest = writer.put(b"lost with the worker")
    del writer
    store = LocalFileStore(tmp_path)
    assert not store.exists(digest)
    with pytest.raises(FileNotFoundError):
        store.get(digest)


def test_the_same_blob_packed_twice_keeps_its_first_place(tmp_path):
    first, second = PackWriter(tmp_path), PackWriter(tmp_path)
    assert first.put(b"re-delivered") == second.put(b"re-delivered")
    first.sync()
    second.sync()
    assert LocalFileStore(tmp_path).get(_sha(b"re-delivered")) == b"re-delivered"


def test_a_damaged_pack_is_an_error_not_wrong_bytes(tmp_path):
    writer = PackWriter(tmp_path)
    digest = writer.put(b"the original text")
    writer.sync()
    pack = _packs(tmp_path)[0]
    pack.write_bytes(b"THE original text")
    with pytest.raises(OSError, match="damaged"):
        LocalFileStore(tmp_path).get(digest)


def _write_in_child(writer: PackWriter, blobs: list[bytes]) -> None:
    for blob in blobs:
        writer.put(blob)
    writer.sync()


def test_writers_sent_to_other_processes_write_their_own_packs(tmp_path):
    """As the poller's parse workers do: each process appends to its own pack and they index side by side."""
    writer = PackWriter(tmp_path)
    writer.put(b"put by the parent before pickling")  # an open pack does not travel with the writer
    sent = pickle.loads(pickle.dumps(writer))
    assert sent.root == writer.root
    batches = [[f"worker {w} message {i}".encode() for i in range(40)] for w in range(3)]
    context = multiprocessing.get_context("forkserver")
    children = [context.Process(target=_write_in_child, args=(writer, batch)) for batch in batches]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    store = LocalFileStore(tmp_path)
    assert all(store.get(_sha(blob)) == blob for batch in batches for blob in batch)
    assert len(_packs(tmp_path)) == 4  # three children, and the parent's own open pack
    assert not store.exists(_sha(b"put by the parent before pickling"))
    writer.sync()
    assert store.get(_sha(b"put by the parent before pickling")) == b"put by the parent before pickling"


def test_only_old_unindexed_packs_are_cleaned_up(tmp_path, app_factory):
    """A worker that died between writing a pack and indexing it leaves bytes nothing refers to; the clean-up
    removes those once they are old, never an indexed pack or one that may still be being written."""
    import os
    import time

    from cases.files.mail import local_store
    from web.app_state import state

    app = app_factory()
    root = local_store(state(app).policy.store).root
    kept = PackWriter(root)
    kept_digest = kept.put(b"indexed")
    kept.sync()
    for blob in (b"died before indexing", b"still being written"):
        PackWriter(root).put(blob)
    by_content = {path.read_bytes(): path for path in _packs(root)}
    indexed, old, young = (by_content[b"indexed"], by_content[b"died before indexing"],
                           by_content[b"still being written"])
    hours_ago = time.time() - 3 * 3600
    for path in (indexed, old):
        os.utime(path, (hours_ago, hours_ago))
    result = app.test_cli_runner().invoke(args=["files", "clean-packs"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("1 unindexed pack(s) removed")
    assert old.relative_to(root / file_packs.PACKS).as_posix() in result.output
    assert sorted(_packs(root)) == sorted([indexed, young])
    assert LocalFileStore(root).get(kept_digest) == b"indexed"


def test_the_worker_cleans_packs_nightly_where_mail_is_polled_with_packs(app_factory):
    import os
    import time

    from cases.files.mail import local_store
    from web.app_state import state

    polled = dict(IMAP_HOST="127.0.0.1", IMAP_USER="mailbox", MAIL_POLL_MINUTES=5)
    assert state(app_factory(**polled, MAIL_RAW_PACKS=False)).tasks.clean_packs is None
    app = app_factory(**polled, MAIL_RAW_PACKS=True)
    root = local_store(state(app).policy.store).root
    PackWriter(root).put(b"died before indexing")
    (left,) = _packs(root)
    hours_ago = time.time() - 3 * 3600
    os.utime(left, (hours_ago, hours_ago))
    state(app).tasks.clean_packs()  # immediate mode in tests: runs now
    assert _packs(root) == []


def _sync_when_released(root, gate, blob: bytes) -> None:
    writer = PackWriter(root)
    writer.put(blob)
    gate.wait(30)
    writer.sync()


def test_parse_workers_opening_a_new_index_at_the_same_moment_all_succeed(tmp_path):
    """A fresh store's first batch: every worker process creates and switches the same new index to WAL at once."""
    context = multiprocessing.get_context("fork")
    for attempt in range(8):
        root = tmp_path / str(attempt)
        gate = context.Barrier(8)
        children = [context.Process(target=_sync_when_released, args=(root, gate, f"{attempt}/{n}".encode()))
                    for n in range(8)]
        for child in children:
            child.start()
        for child in children:
            child.join(60)
        assert [child.exitcode for child in children] == [0] * 8
        store = LocalFileStore(root)
        assert all(store.get(_sha(f"{attempt}/{n}".encode())) == f"{attempt}/{n}".encode() for n in range(8))
