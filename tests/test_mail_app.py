"""Email intake through the app: real Dovecot, the database store, exactly once across crashes and racing pollers,
acknowledgements over a real SMTP server, replies joining their case, SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from cases.db import make_engine, upgrade
from cases.mail_intake import DatabaseIntakeStore
from cases.models import Case, Letter, MailFolderState, OutboxItem, QuarantineItem, utcnow
from mailbox import CHECKPOINTS, poll_all
from tests.mail_corpus import CORPUS, make_plain
from web.mail.acknowledgement import acknowledgement_hook
from web.mail.intake import intake_store, poll
from web.mail.settings import mail_settings
from web.app_state import state
from tests.helpers.mail import mail_config


class Crash(Exception):
    """Stands in for the poller process dying at a checkpoint."""


def crash_at(step: str, nth: int = 1) -> Callable[[str], None]:
    seen = {"n": 0}

    def hook(name: str) -> None:
        if name == step:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Crash(step)

    return hook


@pytest.fixture
def mail_app(app_factory, dovecot, smtp_server) -> Iterator[tuple[Flask, str]]:
    folder = dovecot.new_folder()
    smtp_server.envelopes.clear()
    yield app_factory(**mail_config(dovecot, smtp_server, folder)), folder


def letters(app: Flask) -> list[tuple[str, str, bool]]:
    """(case number, subject, automatic) of every letter."""
    with state(app).sessions() as s:
        return sorted(s.execute(select(Case.number, Letter.subject, Letter.automatic).join(Letter.case)).all())


def count(app: Flask, model, *where) -> int:
    with state(app).sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def acknowledged(smtp_server) -> list[str]:
    """Recipients of the acknowledgements captured by the SMTP server."""
    return sorted(r for e in smtp_server.envelopes if b"Auto-Submitted: auto-replied" in e.data for r in e.rcpt_tos)


def test_fetch_command_registers_acknowledges_and_quarantines(mail_app, dovecot, smtp_server):
    app, folder = mail_app
    dovecot.append(folder, [make_plain(1), make_plain(2), CORPUS["garbage_text"], CORPUS["auto_submitted"]])
    result = app.test_cli_runner().invoke(args=["mailbox", "fetch", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (summary["fetched"], summary["new_cases"], summary["quarantined"]) == (4, 3, 1)

    subjects = [(subject, automatic) for _, subject, automatic in letters(app)]
    assert sorted(subjects) == [("Out of office", True), ("Pothole report 1", False), ("Pothole report 2", False)]
    # The automatic mail is on file but never answered; the two citizens got one acknowledgement each.
    assert acknowledged(smtp_server) == ["citizen1@example.org", "citizen2@example.org"]
    with state(app).sessions() as s:
        case = s.scalar(select(Case).join(Letter).where(Letter.subject == "Pothole report 1"))
        [ack] = case.replies
        assert (ack.template, ack.status) == ("acknowledgement", "sent") and ack.message_id.startswith("<2026-")
        [sent] = [e for e in case.events if e.action == "mail_sent"]
        assert state(app).policy.store.exists(sent.data["raw_sha256"])
        letter = case.letters[0]
        assert letter.dedup_key and letter.raw_sha256 and letter.external_id.endswith("@citizen.example>")
        assert state(app).policy.store.get(letter.raw_sha256).startswith(b"From: Citizen 1")
        number, code, message_id = case.number, case.tracking_code, ack.message_id
    envelope = next(e for e in smtp_server.envelopes if e.rcpt_tos == ["citizen1@example.org"])
    text = envelope.data.decode()
    assert f"[Case {number}]" in text and f"Message-ID: {message_id}" in text
    assert f"/track?number=3D{number}&code=3D{code}" in text  # quoted-printable '='
    assert "In-Reply-To: <" in text and "text/html" in text
    # Indexing was handed over and drained; the quarantined garbage is kept with its reason and origin.
    assert count(app, OutboxItem, OutboxItem.done_at.is_(None)) == 0
    with state(app).sessions() as s:
        [item] = s.scalars(select(QuarantineItem)).all()
        assert item.source == "email" and "unparseable" in item.reason and "imap://" in item.data["origin"]
    # A second fetch finds nothing new; the plain summary line is printed.
    again = app.test_cli_runner().invoke(args=["mailbox", "fetch"])
    assert "fetched 0: 0 new case(s)" in again.output


def test_answers_to_our_mail_join_their_case(mail_app, dovecot, smtp_server):
    app, folder = mail_app
    dovecot.append(folder, [make_plain(5)])
    poll(app)
    with state(app).sessions() as s:
        case = s.scalar(select(Case))
        ack_id, number = case.replies[0].message_id, case.number
    # The citizen answers the acknowledgement from a client that drops the subject token: In-Reply-To decides.
    answer = make_plain(5, subject="Re: thanks", extra_headers=f"In-Reply-To: {ack_id}\r\nReferences: {ack_id}\r\n")
    stranger = make_plain(6, subject=f"Re: [Case {number}] hijack")  # token, but not the case's citizen
    dovecot.append(folder, [answer, stranger])
    summary = poll(app)
    assert (summary.attached, summary.new_cases) == (1, 1)
    by_subject = {subject: num for num, subject, _ in letters(app)}
    assert by_subject["Re: thanks"] == number and by_subject[f"Re: [Case {number}] hijack"] != number
    # The answer is not acknowledged again: only the two new cases got one.
    assert acknowledged(smtp_server) == ["citizen5@example.org", "citizen6@example.org"]


@pytest.mark.parametrize("step", [s for s in CHECKPOINTS if s != "duplicate"])
def test_exactly_once_when_the_poller_dies_at_any_step(mail_app, dovecot, smtp_server, step):
    app, folder = mail_app
    dovecot.append(folder, [make_plain(i) for i in range(4)] + [CORPUS["garbage_text"], CORPUS["auto_submitted"]])
    nth = 1 if step in ("selected", "quarantined") else 2
    with pytest.raises(Crash):
        poll(app, checkpoint=crash_at(step, nth))
    poll(app)
    poll(app)
    subjects = [subject for _, subject, _ in letters(app)]
    assert sorted(subjects) == ["Out of office"] + [f"Pothole report {i}" for i in range(4)]
    assert count(app, QuarantineItem) == 1
    assert acknowledged(smtp_server) == [f"citizen{i}@example.org" for i in range(4)]
    with state(app).sessions() as s:
        row = s.get(MailFolderState, (mail_settings(app).account, folder))
        assert row.last_uid == max(dovecot.uids(folder)) and row.locked_until is None


class NoLockStore(DatabaseIntakeStore):
    """A store whose folder lock excludes nobody: only the unique dedup key stands between two pollers."""

    @contextmanager
    def lock_folder(self, account: str, folder: str) -> Iterator[bool]:
        yield True


def race(app: Flask, stores: list[DatabaseIntakeStore]) -> list:
    settings = mail_settings(app)
    barrier = threading.Barrier(len(stores))
    summaries, errors = [], []

    def run(store):
        barrier.wait()
        try:
            summaries.append(poll_all(settings, store))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return summaries


def no_lock_stores(app: Flask, batch_commits: bool) -> list[DatabaseIntakeStore]:
    hook = acknowledgement_hook(app)
    return [NoLockStore(state(app).sessions, state(app).policy, on_new_case=hook, batch_commits=batch_commits)
            for _ in range(2)]


@pytest.mark.parametrize("batch_commits", [False, True], ids=["per_message", "per_batch"])
def test_two_pollers_at_once_create_each_case_once(mail_app, dovecot, batch_commits):
    app, folder = mail_app
    dovecot.append(folder, [make_plain(i) for i in range(8)])
    summaries = race(app, [intake_store(app), intake_store(app)])
    assert sum(s.new_cases for s in summaries) == 8 and sum(s.skipped_locked for s in summaries[0].folders +
                                                            summaries[1].folders) <= 1
    # Without the folder lock both read everything; the unique key still lets each message in once.
    folder2 = dovecot.new_folder()
    dovecot.append(folder2, [make_plain(i, subject=f"Noise {i}") for i in range(8)])
    app.config["IMAP_FOLDERS"] = folder2
    summaries = race(app, no_lock_stores(app, batch_commits))
    assert sum(s.new_cases for s in summaries) == 8
    # How many messages the slower poller still saw depends on when the faster one saved the folder state, so
    # the duplicates it skipped vary (0 to 8); what never varies is one case per message.
    assert 0 <= sum(s.duplicates for s in summaries) <= 8
    assert len([s for _, s, _ in letters(app) if s.startswith("Noise")]) == 8
    assert count(app, OutboxItem, OutboxItem.key.like("ack:%")) == 16  # one acknowledgement queued per case


def test_folder_lock_is_a_lease(mail_app, dovecot):
    app, folder = mail_app
    dovecot.append(folder, [make_plain(1)])
    store = intake_store(app)
    account = mail_settings(app).account
    with store.lock_folder(account, folder) as first:
        with intake_store(app).lock_folder(account, folder) as second:
            assert first and not second  # the second poller gives up at once
            assert second.holder == f"pid {os.getpid()} on {socket.gethostname()}"
    # A poller killed while holding the lock leaves the lease behind: others skip until it runs out.
    with state(app).sessions() as s:
        s.execute(update(MailFolderState).where(MailFolderState.folder == folder)
                  .values(locked_until=utcnow() + timedelta(minutes=5), locked_by="pid 4242 on elsewhere #0"))
        s.commit()
    skipped = poll(app)
    assert skipped.skipped_locked and skipped.folders[0].skipped_locked and skipped.folders[0].locked_by == \
        "pid 4242 on elsewhere"
    # The command says so, in text and JSON, with an exit status of its own.
    text = app.test_cli_runner().invoke(args=["mailbox", "fetch"])
    assert text.exit_code == 75 and f"skipped: {folder} locked by pid 4242 on elsewhere until 20" in text.output
    as_json = app.test_cli_runner().invoke(args=["mailbox", "fetch", "--json"])
    summary = json.loads(as_json.output.strip().splitlines()[-1])
    assert as_json.exit_code == 75 and summary["skipped_locked"] and summary["folders"][0]["locked_by"] == \
        "pid 4242 on elsewhere" and summary["folders"][0]["locked_until"].startswith("20")
    with state(app).sessions() as s:
        s.execute(update(MailFolderState).where(MailFolderState.folder == folder)
                  .values(locked_until=utcnow() - timedelta(seconds=1)))
        s.commit()
    assert poll(app).new_cases == 1


def test_a_live_pollers_lease_is_renewed_by_its_heartbeat(app_factory, dovecot, smtp_server):
    folder = dovecot.new_folder()
    app = app_factory(**mail_config(dovecot, smtp_server, folder, MAIL_LOCK_SECONDS=0.5))
    account = mail_settings(app).account

    def lease() -> tuple:
        with state(app).sessions() as s:
            return s.execute(select(MailFolderState.locked_by, MailFolderState.locked_until)
                             .where(MailFolderState.folder == folder)).one()

    with intake_store(app).lock_folder(account, folder) as held:
        assert held
        holder, first_until = lease()
        # A poll far longer than the lease: the lease is renewed meanwhile, and nobody else gets the folder.
        renewals = 0
        while renewals < 3:
            until = lease()[1]
            if until > first_until:
                renewals += 1
                first_until = until
                assert until - utcnow().replace(tzinfo=until.tzinfo) <= timedelta(seconds=0.5)
            with intake_store(app).lock_folder(account, folder) as other:
                assert not other and other.holder == holder.split(" #")[0]
    assert lease() == (None, None)  # given back at the end


def test_periodic_poll_task_only_when_configured(app_factory, dovecot, smtp_server):
    folder = dovecot.new_folder()
    dovecot.append(folder, [make_plain(1)])
    app = app_factory(**mail_config(dovecot, smtp_server, folder, MAIL_POLL_MINUTES=5))
    task = state(app).tasks.mail_poll
    task()  # immediate mode in tests: runs the poll now
    assert count(app, Letter) == 1
    assert state(app_factory(MAIL_POLL_MINUTES=5)).tasks.mail_poll is None  # no IMAP_HOST
    assert state(app_factory(**mail_config(dovecot, smtp_server, folder))).tasks.mail_poll is None


def test_exactly_once_on_postgresql(app_factory, dovecot, smtp_server, fresh_postgres_database):
    url = fresh_postgres_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    folder = dovecot.new_folder()
    smtp_server.envelopes.clear()
    app = app_factory(DATABASE_URL=url, **mail_config(dovecot, smtp_server, folder))
    dovecot.append(folder, [make_plain(i) for i in range(5)] + [CORPUS["garbage_text"]])
    with pytest.raises(Crash):
        poll(app, checkpoint=crash_at("accepted", 3))
    with pytest.raises(Crash):
        poll(app, checkpoint=crash_at("marked_done", 1))
    poll(app)
    assert sorted(s for _, s, _ in letters(app)) == [f"Pothole report {i}" for i in range(5)]
    assert count(app, QuarantineItem) == 1
    assert acknowledged(smtp_server) == [f"citizen{i}@example.org" for i in range(5)]
    assert intake_store(app).batch_commits  # the crashes above hit the batch path (one commit per fetch batch)
    # Racing pollers without the lock on PostgreSQL: the unique index turns the loser's insert into "duplicate",
    # whether each message commits alone or a whole batch commits at once.
    for batch_commits in (False, True):
        folder2 = dovecot.new_folder()
        dovecot.append(folder2, [make_plain(i, subject=f"Race {batch_commits} {i}") for i in range(6)])
        app.config["IMAP_FOLDERS"] = folder2
        summaries = race(app, no_lock_stores(app, batch_commits))
        assert sum(s.new_cases for s in summaries) == 6
        assert len([s for _, s, _ in letters(app) if s.startswith(f"Race {batch_commits}")]) == 6


def test_a_batch_is_flagged_only_after_its_commit_and_a_flag_a_crash_missed_is_set_next_time(mail_app, dovecot):
    """The issue's order: mail is marked done only after its letter is committed. A batch commits with its folder
    state, then is flagged; a crash in between leaves committed mail unflagged, which the next poll flags."""
    app, folder = mail_app
    dovecot.append(folder, [make_plain(i) for i in range(3)])
    assert intake_store(app).batch_commits
    with pytest.raises(Crash):
        poll(app, checkpoint=crash_at("state_saved", 1))  # the first batch (two messages) committed, not flagged
    assert count(app, Letter) == 2
    flags = dovecot.flags(folder)
    assert not any(b"$Processed" in f for f in flags.values())
    summary = poll(app)
    assert (summary.fetched, summary.new_cases, summary.duplicates) == (1, 1, 0)  # nothing fetched twice
    assert count(app, Letter) == 3
    assert all(b"$Processed" in f for f in dovecot.flags(folder).values())
