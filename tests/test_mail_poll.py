"""IMAP intake against a real Dovecot: batches, over-size, quarantine, exactly once across crashes, concurrency."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from mailbox import CHECKPOINTS, MailSettings, poll_all, poll_folder
from tests.mail_corpus import CORPUS, make_plain, make_with_attachment
from tests.mail_corpus.memory_store import MemoryStore, NoLockStore


class Crash(Exception):
    """Stands in for the process dying at a checkpoint."""


def crash_at(step: str, nth: int = 1):
    """A checkpoint hook that raises at the ``nth`` time ``step`` is reached."""
    seen = {"n": 0}

    def hook(name: str) -> None:
        if name == step:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Crash(step)

    return hook


@pytest.fixture
def settings(dovecot):
    folder = dovecot.new_folder()
    return MailSettings(
        imap_host=dovecot.host, imap_port=dovecot.port, imap_security="none", imap_user=dovecot.user,
        imap_password=dovecot.password, imap_folders=(folder,), mail_from="Mayor <mailbox@city.example>",
        batch_size=3,
    )


def folder_of(settings: MailSettings) -> str:
    return settings.imap_folders[0]


def test_poll_creates_one_case_per_message_in_batches(dovecot, settings):
    folder = folder_of(settings)
    dovecot.append(folder, [make_plain(i) for i in range(7)])
    store = MemoryStore()
    progress = []
    summary = poll_folder(settings, store, folder, on_progress=lambda done, total: progress.append((done, total)))
    assert (summary.fetched, summary.new_cases, summary.duplicates, summary.quarantined) == (7, 7, 0, 0)
    assert progress == [(0, 7), (3, 7), (6, 7), (7, 7)]
    assert store.subjects() == sorted(f"Pothole report {i}" for i in range(7))
    assert all(draft.raw_sha256 in store.raw for _, draft, _ in store.letters)
    assert all(b"$Processed" in flags for flags in dovecot.flags(folder).values())
    # Nothing new: a second poll fetches nothing.
    again = poll_folder(settings, store, folder)
    assert (again.fetched, again.new_cases) == (0, 0)
    dovecot.append(folder, [make_plain(99)])
    assert poll_folder(settings, store, folder).new_cases == 1


def test_replies_attach_and_garbage_is_quarantined(dovecot, settings):
    folder = folder_of(settings)
    store = MemoryStore()
    store.cases["2026-000123"] = []
    dovecot.append(folder, [CORPUS["reply_subject_token"], CORPUS["garbage_text"], CORPUS["bounce"],
                            CORPUS["no_from_date_body"]])
    summary = poll_folder(settings, store, folder)
    assert (summary.fetched, summary.new_cases, summary.attached, summary.quarantined) == (4, 2, 1, 1)
    [(source, reason)] = store.quarantined.values()
    assert "no header fields" in reason and ";UID=2" in source
    assert store.raw[next(iter(store.quarantined))] == CORPUS["garbage_text"].replace(b"\n", b"\r\n")
    # A message without Date gets the server's arrival time.
    no_date = next(d for _, d, _ in store.letters if d.subject == "empty")
    assert no_date.received_at is not None
    assert any("arrival time" in note for note in no_date.notes)


def test_over_size_message_is_not_downloaded_whole(dovecot, settings):
    folder = folder_of(settings)
    settings = replace(settings, max_bytes=50_000)
    big = make_with_attachment(1, size=200_000)
    dovecot.append(folder, [make_plain(1), big])
    store = MemoryStore()
    summary = poll_folder(settings, store, folder)
    assert (summary.new_cases, summary.quarantined) == (1, 1)
    [(sha, (source, reason))] = store.quarantined.items()
    assert "over-size" in reason and str(len(big)) in reason
    kept = store.raw[sha]
    assert len(kept) == 50_000 and big.startswith(kept)
    assert b"Subject: Photo of the broken bench 1" in kept


def test_move_action_moves_only_after_commit(dovecot, settings):
    folder = folder_of(settings)
    settings = replace(settings, done_action="move", done_folder=folder + "-done")
    dovecot.append(folder, [make_plain(i) for i in range(4)])
    store = MemoryStore()
    with pytest.raises(Crash):
        poll_folder(settings, store, folder, checkpoint=crash_at("accepted", 2))
    assert len(dovecot.uids(folder)) == 4  # nothing moved: the batch was not finished
    summary = poll_folder(settings, store, folder)
    assert (summary.new_cases, summary.duplicates) == (2, 2)  # the crash came after the 2nd commit
    assert dovecot.uids(folder) == [] and len(dovecot.uids(folder + "-done")) == 4
    assert len(store.letters) == 4


@pytest.mark.parametrize("step", [s for s in CHECKPOINTS if s not in ("duplicate",)])
@pytest.mark.parametrize("nth", [1, 2, 4])
def test_exactly_once_when_killed_at_any_step(dovecot, settings, step, nth):
    """Crash at each named step (in the first and in a later batch), rerun: every message once, none lost."""
    folder = folder_of(settings)
    messages = [make_plain(i) for i in range(5)] + [CORPUS["garbage_text"]]
    dovecot.append(folder, messages)
    store = MemoryStore()
    crashed = True
    try:
        poll_folder(settings, store, folder, checkpoint=crash_at(step, nth))
        crashed = False
    except Crash:
        pass
    if step in ("selected",) and nth > 1 or step == "quarantined" and nth > 1:
        assert not crashed  # the step is reached fewer times than nth
    poll_folder(settings, store, folder)
    poll_folder(settings, store, folder)
    assert store.subjects() == sorted(f"Pothole report {i}" for i in range(5))
    assert len(store.quarantined) == 1
    assert store.folder_state(settings.account, folder)[1] == max(dovecot.uids(folder))


def test_crash_at_duplicate_step_then_rerun(dovecot, settings):
    folder = folder_of(settings)
    dovecot.append(folder, [make_plain(i) for i in range(3)])
    store = MemoryStore()
    with pytest.raises(Crash):
        poll_folder(settings, store, folder, checkpoint=crash_at("marked_done"))
    with pytest.raises(Crash):  # the rerun meets the committed letters as duplicates and dies there too
        poll_folder(settings, store, folder, checkpoint=crash_at("duplicate"))
    summary = poll_folder(settings, store, folder)
    assert summary.duplicates == 3 and len(store.letters) == 3


def test_redelivery_and_copies_are_deduplicated(dovecot, settings):
    folder = folder_of(settings)
    original = make_plain(1, message_id="<same@example.org>")
    redelivered = b"Received: from mx2.example.org by mx.city.example; Mon, 2 Mar 2026 11:00:00 +0800\r\n" + original
    other_content_same_id = make_plain(2, message_id="<same@example.org>")
    dovecot.append(folder, [original, redelivered, other_content_same_id])
    store = MemoryStore()
    summary = poll_folder(settings, store, folder)
    assert (summary.new_cases, summary.duplicates) == (2, 1)


def test_uidvalidity_change_rescans_without_duplicates(dovecot, settings):
    folder = folder_of(settings)
    old = [make_plain(i) for i in range(3)]
    dovecot.append(folder, old)
    store = MemoryStore()
    poll_folder(settings, store, folder)
    validity_before = store.folder_state(settings.account, folder)[0]
    dovecot.recreate_folder(folder, old + [make_plain(10)])
    summary = poll_folder(settings, store, folder)
    assert summary.uidvalidity_changed
    assert store.folder_state(settings.account, folder)[0] != validity_before
    assert (summary.fetched, summary.duplicates, summary.new_cases) == (4, 3, 1)
    assert len(store.letters) == 4


def test_server_rejecting_search_charset_still_works(dovecot, settings):
    """Dovecot answers ``NO [BADCHARSET]`` to a charset it does not know; the poller falls back to a plain search."""
    folder = folder_of(settings)
    settings = replace(settings, search_charset="X-NO-SUCH-CHARSET")
    dovecot.append(folder, [make_plain(i) for i in range(2)])
    store = MemoryStore()
    summary = poll_folder(settings, store, folder)
    assert summary.search_strategy == "plain" and summary.new_cases == 2
    normal = poll_folder(replace(settings, search_charset="UTF-8"), MemoryStore(), folder)
    assert normal.search_strategy == "charset"


def test_two_pollers_at_once_create_each_case_once(dovecot, settings):
    folder = folder_of(settings)
    dovecot.append(folder, [make_plain(i) for i in range(12)])
    for store in (MemoryStore(), NoLockStore()):  # with the folder lock, then with only the unique key
        start = threading.Barrier(2)
        summaries = []

        def run(st=store, barrier=start):
            barrier.wait()
            summaries.append(poll_folder(settings, st, folder))

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(summaries) == 2
        assert store.subjects() == sorted(f"Pothole report {i}" for i in range(12))
        assert sum(s.new_cases for s in summaries) == 12


def test_poll_all_reports_a_missing_folder_and_goes_on(dovecot, settings):
    folder = folder_of(settings)
    dovecot.append(folder, [make_plain(1)])
    settings = replace(settings, imap_folders=("No-Such-Folder", folder))
    summary = poll_all(settings, MemoryStore())
    assert summary.new_cases == 1
    assert len(summary.errors) == 1 and summary.errors[0].startswith("No-Such-Folder")
    assert [f.folder for f in summary.folders] == ["No-Such-Folder", folder]


def test_wrong_password_is_a_connection_error(dovecot, settings):
    from mailbox import MailConnectionError

    with pytest.raises(MailConnectionError):
        poll_all(replace(settings, imap_password="wrong"), MemoryStore())


@pytest.mark.parametrize("step, nth", [("accepted", 120), ("raw_stored", 130)])
def test_parse_worker_pipeline_is_exactly_once_too(dovecot, settings, step, nth):
    """With enough mail, worker processes fetch and parse on connections of their own (the poller stores the raw
    mail they hand back for a store without a raw writer); a crash at any step still loses nothing."""
    from mailbox.workers import MIN_MESSAGES_FOR_POOL

    folder = folder_of(settings)
    count = MIN_MESSAGES_FOR_POOL + 10
    dovecot.multiappend(folder, [make_plain(i) for i in range(count)] + [CORPUS["garbage_text"]])
    settings = replace(settings, batch_size=50, parse_workers=1)
    store = MemoryStore()
    with pytest.raises(Crash):
        poll_folder(settings, store, folder, checkpoint=crash_at(step, nth))
    summary = poll_folder(settings, store, folder)
    # Killed while accepting, the rest of that batch was committed already; killed while storing a batch's raw
    # mail, the batches before it were committed and none after it.
    assert summary.duplicates >= 20 if step == "accepted" else summary.duplicates == 0
    assert summary.quarantined == 1
    assert store.subjects() == sorted(f"Pothole report {i}" for i in range(count))
    assert poll_folder(settings, store, folder).fetched == 0


def test_a_worker_fetches_on_its_own_connection_and_checks_uidvalidity(dovecot, settings, tmp_path):
    """What a parse worker does with a batch, run here: fetch, store as one pack, key, parse; a folder whose
    UIDVALIDITY is not the poll's any more is a connection error, not a batch of other messages."""
    import hashlib

    from cases.files.packs import PackWriter
    from cases.files.store import LocalFileStore
    from mailbox import MailConnectionError
    from mailbox.workers import _forget_connection, fetch_store_key_and_parse

    folder = folder_of(settings)
    raws = [make_plain(1), make_with_attachment(2, 5000), CORPUS["garbage_text"]]
    dovecot.append(folder, raws)
    with dovecot.client() as client:
        info = client.select_folder(folder, readonly=True)
        uidvalidity, uids = int(info[b"UIDVALIDITY"]), client.search("ALL")
    try:
        got = fetch_store_key_and_parse(settings, folder, uidvalidity, uids + [max(uids) + 50],
                                        PackWriter(tmp_path))
        assert [uid for uid, *_ in got] == sorted(uids)  # a UID the server no longer has is left out
        assert all(raw is None for _, raw, *_ in got)  # stored by the writer: not sent back
        store = LocalFileStore(tmp_path)
        assert all(hashlib.sha256(store.get(sha)).hexdigest() == sha for _, _, sha, _, _ in got)
        assert got[0][4].subject == "Pothole report 1" and type(got[2][4]).__name__ == "MailParseError"
        # Without a writer the raw bytes come back, for the poller to store first; the connection is reused.
        again = fetch_store_key_and_parse(settings, folder, uidvalidity, uids[:1], None)
        assert hashlib.sha256(again[0][1]).hexdigest() == got[0][2] and again[0][2] is None
        with pytest.raises(MailConnectionError, match="UIDVALIDITY"):
            fetch_store_key_and_parse(settings, folder, uidvalidity + 1, uids, None)
    finally:
        _forget_connection()


def test_over_size_message_after_normal_ones_keeps_uid_order(dovecot, settings):
    """The saved state must never jump past messages not yet committed, whatever their size."""
    folder = folder_of(settings)
    settings = replace(settings, max_bytes=50_000, batch_size=5)
    dovecot.append(folder, [make_plain(1), make_plain(2), make_with_attachment(3, size=100_000)])
    store = MemoryStore()
    with pytest.raises(Crash):
        poll_folder(settings, store, folder, checkpoint=crash_at("state_saved", 1))
    poll_folder(settings, store, folder)
    assert store.subjects() == ["Pothole report 1", "Pothole report 2"] and len(store.quarantined) == 1


def test_imaplib_protocol_trace_only_when_its_logger_listens(dovecot, settings, caplog):
    """imapclient turns imaplib's trace on (debug level 5), which formats every fetched message; the poller's
    connection turns it off unless the ``imapclient.imaplib`` logger is enabled for DEBUG."""
    import logging

    from mailbox.imap import connect

    client = connect(settings)
    try:
        assert client._imap.debug == 0
    finally:
        client.logout()
    with caplog.at_level(logging.DEBUG, logger="imapclient.imaplib"):
        client = connect(settings)
        try:
            assert client._imap.debug == 5
            client.select_folder(folder_of(settings))
        finally:
            client.logout()
    assert any(record.name == "imapclient.imaplib" for record in caplog.records)
