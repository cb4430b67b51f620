"""Exactly-once IMAP intake: fetch new mail in batches, store it raw, parse it, hand it to the store, mark it done.

Order per message, each step safe to crash after:
  1. the raw bytes are stored (content-addressed) before anything else (by the poller, or by the worker process
     that fetched the batch, before it parses it, when the store offers a raw writer);
  2. a message that is a duplicate (dedup key already accepted) is skipped, otherwise it is parsed and accepted
     (or quarantined with the reason) — each commit is the store's;
  3. only after the letters of a batch are committed are the messages flagged or moved;
  4. then the folder state (UIDVALIDITY, last UID done) is saved. A store that commits a whole batch together
     with its folder state (``accepts_batches``) commits first and flags after; mail a crash left unflagged
     in between is flagged at the start of the next poll.
A rerun after a crash finds the unfinished messages again (state not yet advanced) and the dedup key turns them
into "duplicate" skips. A changed UIDVALIDITY rescans the folder, again deduplicated.
"""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from imapclient import IMAPClient

from cases.drafts import LetterDraft

from .errors import MailConnectionError, MailParseError
from .imap import IMAP_ERRORS, UidFinder, connect, ensure_folder, logout_quietly, mark_done
from .settings import MailSettings
from .store import IntakeStore
from .summary import PollSummary
from .workers import ParsePool

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
Checkpoint = Callable[[str], None]
# Named points the ``checkpoint`` hook is called at (tests crash the poller there).
CHECKPOINTS = ("selected", "raw_stored", "parsed", "accepted", "duplicate", "quarantined", "marked_done",
               "state_saved")
SIZE_CHUNK = 1000  # UIDs per RFC822.SIZE fetch


def poll_all(
    settings: MailSettings,
    store: IntakeStore,
    *,
    on_progress: ProgressCallback | None = None,
    checkpoint: Checkpoint | None = None,
) -> PollSummary:
    """Poll every folder in ``settings.imap_folders`` over one connection; returns the total summary.

    A folder that fails (missing, server error) is reported in ``errors`` and the others are still polled.
    Raises ``MailConnectionError`` when the server cannot be reached at all.
    """
    total = PollSummary(account=settings.account, folder="*")
    client = connect(settings)
    finder = UidFinder(settings.search_charset)
    try:
        for folder in settings.imap_folders:
            try:
                summary = _poll(settings, store, folder, client, finder, on_progress, checkpoint)
            except (MailConnectionError, *IMAP_ERRORS) as exc:
                summary = PollSummary(account=settings.account, folder=folder, errors=[str(exc)])
                log.warning("polling %s failed: %s", folder, exc)
                if isinstance(exc, OSError):  # the connection is gone: later folders would fail the same way
                    total.add(summary)
                    break
            total.add(summary)
    finally:
        logout_quietly(client)
    return total


def poll_folder(
    settings: MailSettings,
    store: IntakeStore,
    folder: str = "INBOX",
    *,
    client: IMAPClient | None = None,
    on_progress: ProgressCallback | None = None,
    checkpoint: Checkpoint | None = None,
) -> PollSummary:
    """Fetch and hand over every new message of one folder, exactly once; returns what was done.

    ``client``: an existing logged-in connection to reuse (otherwise one is opened and closed).
    ``on_progress(done, total)`` is called after each batch. ``checkpoint(name)`` is called at each of
    ``CHECKPOINTS`` (a test hook; an exception raised there aborts the poll like a crash would).
    Raises ``MailConnectionError`` (or an imapclient error) when the server fails mid-poll.
    """
    own = client is None
    client = client or connect(settings)
    try:
        return _poll(settings, store, folder, client, UidFinder(settings.search_charset), on_progress, checkpoint)
    finally:
        if own:
            logout_quietly(client)



def _poll(settings, store, folder, client, finder, on_progress, checkpoint) -> PollSummary:
    checkpoint = checkpoint or (lambda name: None)
    account = settings.account
    summary = PollSummary(account=account, folder=folder)
    with store.lock_folder(account, folder) as locked:
        if not locked:
            summary.skipped_locked = True
            summary.locked_by = getattr(locked, "holder", None)
            until = getattr(locked, "until", None)
            summary.locked_until = until.isoformat() if until is not None else None
            return summary
        info = client.select_folder(folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        checkpoint("selected")
        state = store.folder_state(account, folder)
        last_uid = 0
        if state is not None and state[0] == uidvalidity:
            last_uid = state[1]
        elif state is not None:
            summary.uidvalidity_changed = True
            log.warning("%s %s: UIDVALIDITY changed %s -> %s, rescanning", account, folder, state[0], uidvalidity)
        if settings.done_action == "move":
            ensure_folder(client, settings.done_folder)
        if getattr(store, "accepts_batches", False):
            _flag_missed(client, settings, last_uid)
        uids = finder.after(client, last_uid)
        summary.search_strategy = finder.used
        total = len(uids)
        done = 0
        if on_progress:
            on_progress(0, total)
        with ParsePool(settings.parse_workers, total) as pool:
            # Batches are committed in UID order, each once the next ones are handed out: with workers, each
            # fetches one batch while the next waits for it, so they stay busy while the poller commits.
            ahead = 2 * pool.workers or 1
            writer = None if not hasattr(store, "raw_writer") else store.raw_writer()
            pending: deque[_Staged] = deque()
            for batch, oversize, sizes in _batches(client, settings, uids):
                if pool.workers and not oversize:
                    pending.append(_Staged(batch, False, [], pool.submit_fetch(settings, folder, uidvalidity, batch,
                                                                               writer), sizes))
                else:
                    pending.append(_fetch_and_stage(settings, store, client, folder, uidvalidity, batch, oversize,
                                                    sizes, pool, summary, checkpoint))
                while len(pending) > ahead:
                    done += _commit(settings, store, client, folder, uidvalidity, pending.popleft(), summary,
                                    checkpoint)
                    if on_progress:
                        on_progress(done, total)
            while pending:
                done += _commit(settings, store, client, folder, uidvalidity, pending.popleft(), summary, checkpoint)
                if on_progress:
                    on_progress(done, total)
        if not uids and state is not None and state[0] != uidvalidity:
            store.save_folder_state(account, folder, uidvalidity, 0)
    return summary


@dataclass
class _Item:
    uid: int
    raw: bytes
    sha: str
    source: str
    size: int


@dataclass
class _Staged:
    batch: list[int]
    oversize: bool
    items: list[_Item]
    # Fetched here: result() -> [(raw sha256 or None, dedup key, LetterDraft | MailParseError)] per item; None if
    # over-size. Fetched by a worker (items empty until then): result() -> [mailbox.workers.FetchResult].
    parsed: object | None
    sizes: dict[int, int] | None = None  # set when a worker fetches the batch


def _batches(client: IMAPClient, settings: MailSettings,
             uids: Sequence[int]) -> Iterator[tuple[list[int], bool, dict[int, int]]]:
    """Groups of UIDs to fetch in one command: at most batch_size messages and batch_bytes bytes each, with
    their sizes.

    Sizes are read first (RFC822.SIZE) so an over-size message is never downloaded whole; those come in their own
    groups flagged ``True``.
    """
    for start in range(0, len(uids), SIZE_CHUNK):
        chunk = list(uids[start:start + SIZE_CHUNK])
        sizes = {uid: int(data.get(b"RFC822.SIZE", 0)) for uid, data in client.fetch(chunk, ["RFC822.SIZE"]).items()}
        # Groups stay in UID order (the saved state is "everything up to the last UID of the last group done").
        batch: list[int] = []
        big: list[int] = []
        batch_bytes = 0
        for uid in chunk:
            if uid not in sizes:
                continue  # expunged meanwhile
            size = sizes[uid]
            if size > settings.max_bytes:
                if batch:
                    yield batch, False, sizes
                    batch, batch_bytes = [], 0
                big.append(uid)
                if len(big) >= settings.batch_size:
                    yield big, True, sizes
                    big = []
                continue
            if big:
                yield big, True, sizes
                big = []
            if batch and (len(batch) >= settings.batch_size or batch_bytes + size > settings.batch_bytes):
                yield batch, False, sizes
                batch, batch_bytes = [], 0
            batch.append(uid)
            batch_bytes += size
        if big:
            yield big, True, sizes
        if batch:
            yield batch, False, sizes


def _fetch_and_stage(settings, store, client, folder, uidvalidity, batch, oversize, sizes, pool, summary,
                     checkpoint) -> _Staged:
    """Fetch one batch and start storing and parsing it: in the parse worker when the store offers a raw writer
    (``raw_writer()``), else each raw message is stored here first."""
    # Only the bodies: the server's arrival time is asked for later, for the few messages without a usable Date.
    part = f"BODY.PEEK[]<0.{settings.max_bytes}>" if oversize else "BODY.PEEK[]"
    response = client.fetch(batch, [part])
    key = b"BODY[]<0>" if oversize else b"BODY[]"
    writer = None if oversize or not hasattr(store, "raw_writer") else store.raw_writer()
    items = []
    for uid in sorted(response):
        raw = response[uid].get(key)
        if raw is None:
            continue  # expunged meanwhile, or an unsolicited FETCH
        summary.fetched += 1
        sha = ""
        if writer is None:
            sha = store.store_raw(raw)
            checkpoint("raw_stored")
        items.append(_Item(uid, raw, sha, _source(settings, folder, uidvalidity, uid), sizes.get(uid) or len(raw)))
    parsed = None if oversize or not items else pool.submit([item.raw for item in items], writer)
    return _Staged(batch, oversize, items, parsed)


def _source(settings: MailSettings, folder: str, uidvalidity: int, uid: int) -> str:
    """The IMAP address of a message (kept with quarantined items and in the letter's notes)."""
    return f"imap://{settings.account}/{folder};UIDVALIDITY={uidvalidity}/;UID={uid}"


def _fetched_by_worker(settings, store, folder, uidvalidity, staged: _Staged, summary, checkpoint) -> list:
    """The (dedup key, draft or error) of each message a worker fetched, filling ``staged.items``; a raw message
    the worker did not store (the store has no raw writer) is stored here before anything else is done with it."""
    results = []
    for uid, raw, sha, key, result in staged.parsed.result():
        summary.fetched += 1
        if sha is None:
            sha = store.store_raw(raw)
        checkpoint("raw_stored")
        size = staged.sizes.get(uid) or len(raw or b"")
        staged.items.append(_Item(uid, b"", sha, _source(settings, folder, uidvalidity, uid), size))
        results.append((key, result))
    return results


def _commit(settings, store, client, folder, uidvalidity, staged: _Staged, summary, checkpoint) -> int:
    """Hand each message of a staged batch to the store, then mark the batch done, then save the folder state.

    A store that ``accepts_batches`` (its batch commits together with the folder state) gets the batch's drafts in
    one ``accept_many`` call; otherwise each message is accepted before the next is looked at.
    """
    batched = bool(getattr(store, "accepts_batches", False))
    if staged.parsed is None:
        for item in staged.items:
            store.quarantine(item.source, item.sha, f"over-size: {item.size} bytes > limit {settings.max_bytes}; "
                                                     f"only the first {len(item.raw)} bytes were fetched and kept")
            summary.quarantined += 1
            checkpoint("quarantined")
        results = []
    elif staged.sizes is not None:
        results = _fetched_by_worker(settings, store, folder, uidvalidity, staged, summary, checkpoint)
    else:
        results = []
        for item, (sha, key, result) in zip(staged.items, staged.parsed.result()):
            if sha is not None:  # stored by the worker, before it parsed
                item.sha = sha
                checkpoint("raw_stored")
            results.append((key, result))
    entries: list[tuple[LetterDraft, str]] = []
    # A batch store answers for the whole batch in one query; what it misses within the batch, accept_many catches.
    known = (store.duplicate_keys([key for key, _ in results])
             if results and batched and hasattr(store, "duplicate_keys") else None)
    arrival = _arrival_times(client, staged.items, results, known)
    for item, (key, result) in zip(staged.items, results):
        entry = _prepare(store, item, key, result, arrival.get(item.uid), known, summary, checkpoint)
        if entry is None:
            continue
        if batched:
            entries.append(entry)
        else:
            _count(store.accept(*entry), summary, checkpoint)
    if entries:
        for outcome in store.accept_many(entries):
            _count(outcome, summary, checkpoint)
    uids = [item.uid for item in staged.items]
    if batched:
        # The batch's letters commit with the folder state, and mail is marked done only after that; a crash in
        # between leaves it unflagged, and the next poll flags it (_flag_missed).
        store.save_folder_state(settings.account, folder, uidvalidity, max(staged.batch))
        checkpoint("state_saved")
        mark_done(client, settings, uids)
        checkpoint("marked_done")
    else:
        mark_done(client, settings, uids)
        checkpoint("marked_done")
        store.save_folder_state(settings.account, folder, uidvalidity, max(staged.batch))
        checkpoint("state_saved")
    return len(staged.batch)


def _flag_missed(client: IMAPClient, settings: MailSettings, last_uid: int) -> None:
    """Flag mail up to ``last_uid`` (committed) that is not flagged yet: a batch store marks its mail after the
    commit, so a crash right after the commit left that batch unflagged."""
    if settings.done_action != "flag" or last_uid <= 0:
        return
    missed = client.search(["UID", f"1:{last_uid}", "UNKEYWORD", settings.done_keyword])
    if missed:
        log.info("flagging %d message(s) committed by an interrupted poll", len(missed))
        mark_done(client, settings, missed)


def _arrival_times(client: IMAPClient, items: list[_Item], results: list, known: set[str] | None) -> dict:
    """INTERNALDATE of the messages whose draft has no date (one FETCH for the batch, only if there are any)."""
    wanted = [item.uid for item, (key, result) in zip(items, results)
              if isinstance(result, LetterDraft) and result.received_at is None and not (known and key in known)]
    if not wanted:
        return {}
    return {uid: data.get(b"INTERNALDATE") for uid, data in client.fetch(wanted, ["INTERNALDATE"]).items()}


def _prepare(store: IntakeStore, item: _Item, key: str, result: LetterDraft | MailParseError,
             internal_date: object, known: set[str] | None, summary: PollSummary,
             checkpoint: Checkpoint) -> tuple[LetterDraft, str] | None:
    """The draft and dedup key to accept, or None when the message is a duplicate or was quarantined.

    ``known``: the batch's keys already on file, when the store told them at once (else asked per message).
    """
    if (key in known) if known is not None else store.is_duplicate(key):
        summary.duplicates += 1
        checkpoint("duplicate")
        return None
    if isinstance(result, MailParseError):
        store.quarantine(item.source, item.sha, f"unparseable: {result.reason}")
        summary.quarantined += 1
        checkpoint("quarantined")
        return None
    checkpoint("parsed")
    draft: LetterDraft = result
    draft.raw_sha256 = item.sha
    if draft.received_at is None and isinstance(internal_date, datetime):
        draft.received_at = internal_date
        draft.notes.append("received_at from the server's arrival time (no usable Date header)")
    draft.notes.append(f"source: {item.source}")
    return draft, key


def _count(outcome: str, summary: PollSummary, checkpoint: Checkpoint) -> None:
    checkpoint("accepted")
    if outcome == "new_case":
        summary.new_cases += 1
    elif outcome == "attached":
        summary.attached += 1
    else:
        summary.duplicates += 1
