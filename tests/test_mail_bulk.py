"""The mail store's batch path: Core bulk inserts write what the case services write, and raw messages and
attachments stored by the parse worker processes are all there, whole, after a poll."""
from __future__ import annotations

import hashlib
import io
import pickle
from datetime import datetime, timezone

import pytest
from PIL import Image
from sqlalchemy import select

from cases import demo, intake, new_cases
from cases.actors import SYSTEM
from cases.drafts import AttachmentDraft, HeldBytes
from cases.files.packs import PackWriter
from cases.files.mail import BatchSyncedFiles, local_store
from cases.sniff import sniff
from cases.models import Attachment, Case, Citizen, Event, Letter, OutboxItem
from cases.files.store import LocalFileStore
from mailbox import dedup_key, parse_message
from mailbox.dedup import raw_message_id
from mailbox.workers import MIN_MESSAGES_FOR_POOL, store_key_and_parse
from tests.conftest import login
from tests.mail_corpus import CORPUS, make_plain, make_with_attachment
from web.auth import hasher
from web.mail.acknowledgement import acknowledgement_hook
from web.mail.intake import poll
from web.mail.settings import mail_settings
from web.app_state import state

MAIL_FROM = "Mayor's Mailbox <mailbox@city.example>"
# Columns that differ between two registrations of the same mail by nature: clock readings and random codes.
VARYING = {"created_at", "updated_at", "at", "tracking_code"}
TABLES = (Citizen, Case, Letter, Event, Attachment, OutboxItem)


def _drafts(raws: list[bytes]) -> list[tuple]:
    drafts = []
    for i, raw in enumerate(raws):
        draft = parse_message(raw)
        draft.received_at = draft.received_at or datetime(2026, 3, 2, 8, i, tzinfo=timezone.utc)
        draft.raw_sha256 = hashlib.sha256(raw).hexdigest()
        drafts.append((draft, dedup_key(raw_message_id(raw), raw)))
    assert not any(intake.may_answer_case(draft) for draft, _ in drafts)
    return drafts


def _rows(app) -> dict[str, list[dict]]:
    with state(app).sessions() as s:
        return {model.__tablename__: [{k: v for k, v in row._mapping.items() if k not in VARYING}
                                      for row in s.execute(select(model.__table__).order_by(model.id))]
                for model in TABLES}


def _unordered(rows: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in row.items() if k != "id"} for row in rows), key=lambda r: (r["topic"], r["key"]))


def test_a_batch_writes_the_rows_of_one_message_at_a_time(app_factory):
    one_by_one, batched = app_factory(MAIL_FROM=MAIL_FROM), app_factory(MAIL_FROM=MAIL_FROM)
    raws = [make_plain(1), make_with_attachment(2, 3000), CORPUS["attachments"], CORPUS["html_only"],
            CORPUS["auto_submitted"], CORPUS["gbk"], make_plain(3, subject="x" * 400)]
    with state(one_by_one).sessions() as s:
        hook = acknowledgement_hook(one_by_one)
        for draft, key in _drafts(raws):
            assert intake.receive(s, state(one_by_one).policy, draft, actor=SYSTEM, dedup_key=key,
                                  extra_outbox=hook).outcome == "new_case"
        s.commit()
    with state(batched).sessions() as s:
        opened = new_cases.open_cases(s, state(batched).policy, _drafts(raws), actor=SYSTEM,
                                      extra_outbox=acknowledgement_hook(batched))
        s.commit()
    expected, got = _rows(one_by_one), _rows(batched)
    assert [case.id for case in opened] == [case["id"] for case in got["case_file"]] and len(opened) == 7
    for table in expected:
        if table == "outbox":  # a batch writes its indexing items first, then the acknowledgements
            assert _unordered(got[table]) == _unordered(expected[table])
        else:
            assert got[table] == expected[table], table
    assert len(got["attachment"]) >= 3 and any(row["key"].startswith("ack:") for row in got["outbox"])
    store = state(batched).policy.store
    assert all(store.exists(row["sha256"]) for row in got["attachment"])


def test_batch_files_are_written_whole_and_synced(tmp_path):
    files = BatchSyncedFiles(LocalFileStore(tmp_path / "files"))
    data = make_with_attachment(5, 10_000)
    sha = files.put(data)
    assert files.put(data) == sha == hashlib.sha256(data).hexdigest()
    assert files.get(sha) == data and files.exists(sha)
    # What another process writes with the handed-out writer lands in the same store, once that writer synced.
    other = pickle.loads(pickle.dumps(files.writer()))
    assert isinstance(other, PackWriter) and other.put(b"raw") == hashlib.sha256(b"raw").hexdigest()
    assert not files.exists(hashlib.sha256(b"raw").hexdigest())
    other.sync()
    assert files.get(hashlib.sha256(b"raw").hexdigest()) == b"raw"
    files.sync()
    assert not [p for p in (tmp_path / "files").rglob(".tmp-*")]  # no temporary file left behind


class RecordingWriter(PackWriter):
    """The real writer, also noting the order of its calls."""

    def __init__(self, root) -> None:
        super().__init__(root)
        self.calls: list[str] = []

    def put(self, data: bytes) -> str:
        self.calls.append("put")
        return super().put(data)

    def sync(self) -> None:
        self.calls.append("sync")
        super().sync()


def test_worker_syncs_what_it_stored_before_handing_the_batch_back(tmp_path):
    writer = RecordingWriter(str(tmp_path))
    raws = [make_plain(1), make_with_attachment(2, 3000), CORPUS["garbage_text"]]
    results = store_key_and_parse(raws, writer)
    assert writer.calls == ["put", "put", "put", "sync"]
    assert [sha for sha, _, _ in results] == [hashlib.sha256(raw).hexdigest() for raw in raws]
    store = LocalFileStore(tmp_path)
    assert all(store.get(sha) == raw for (sha, _, _), raw in zip(results, raws))
    # The attachment stays in the stored raw message: its digest, length and type (sniffed from the whole
    # file while the worker had it) come back, not itself.
    data = parse_message(raws[1]).attachments[0].data
    held = results[1][2].attachments[0]
    assert held.data == HeldBytes(hashlib.sha256(data).hexdigest(), len(data), sniff(data))
    assert (held.size, held.content_type()) == (len(data), sniff(data))
    # Without a writer nothing was stored, so the bytes come back whole.
    assert store_key_and_parse(raws[1:2], None)[0][2].attachments[0].data == data


def test_a_held_attachment_is_refused_by_a_store_that_cannot_read_it_back(tmp_path):
    """Only the raw-message-aware store registers held bytes; any other refuses them (the email is then
    quarantined with its raw message kept) rather than record a file it could not give back."""
    from cases.policy import Policy
    from cases.errors import CaseError
    from cases.new_cases import store_file
    from cases.files.mail import RawHeldAttachments

    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(photo, "JPEG")
    held = AttachmentDraft("photo.jpg", HeldBytes.of(photo.getvalue()))
    with pytest.raises(CaseError, match="raw message"):
        store_file(Policy(store=LocalFileStore(tmp_path)), held)
    raw_aware = Policy(store=RawHeldAttachments(LocalFileStore(tmp_path)))
    assert store_file(raw_aware, held) == ("image/jpeg", held.data.sha256)


def test_pool_poll_keeps_every_raw_message_and_attachment(app_factory, dovecot, smtp_server):
    """Enough mail for the parse worker processes (which store the raw mail themselves on SQLite)."""
    folder = dovecot.new_folder()
    raws = [make_with_attachment(i, 20_000) if i % 10 == 0 else make_plain(i)
            for i in range(MIN_MESSAGES_FOR_POOL + 20)]
    dovecot.multiappend(folder, raws)
    app = app_factory(IMAP_HOST=dovecot.host, IMAP_PORT=dovecot.port, IMAP_SECURITY="none",
                      IMAP_USER=dovecot.user, IMAP_PASSWORD=dovecot.password, IMAP_FOLDERS=folder,
                      MAIL_FROM=MAIL_FROM, MAIL_ACKNOWLEDGE=False, MAIL_POLL_MINUTES=0, MAIL_PARSE_WORKERS=1,
                      MAIL_BATCH_SIZE=50)
    assert mail_settings(app).parse_workers == 1
    summary = poll(app)
    assert (summary.fetched, summary.new_cases, summary.errors) == (len(raws), len(raws), [])
    store = state(app).policy.store
    disk = local_store(store)
    wanted = {hashlib.sha256(raw).hexdigest() for raw in raws}
    with state(app).sessions() as s:
        assert set(s.scalars(select(Letter.raw_sha256))) == wanted
        attachments = s.execute(select(Attachment.id, Attachment.sha256, Attachment.size, Case.number)
                                .join(Case, Attachment.case_id == Case.id)).all()
    assert all(hashlib.sha256(disk.get(sha)).hexdigest() == sha for sha in wanted)  # every raw message on disk
    # One pack per fetch batch with SQLite (one machine); a file per message with PostgreSQL, whose FILES_DIR may
    # be shared by several machines and must not hold a SQLite index.
    packs = sorted((disk.root / "packs").rglob("*.pack"))
    if state(app).engine.dialect.name == "sqlite":
        assert len(packs) == len(raws) // 50 + 1
        assert not any((disk.root / sha[:2] / sha[2:]).exists() for sha in wanted)
    else:
        assert packs == [] and all((disk.root / sha[:2] / sha[2:]).exists() for sha in wanted)
    assert len(attachments) == len(range(0, len(raws), 10))
    # Attachments are not written a second time: they are read out of their stored raw message.
    assert not any(disk.exists(sha) for _, sha, _, _ in attachments)
    assert all(store.exists(sha) for _, sha, _, _ in attachments)
    first_id, first_sha, _, number = attachments[0]
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    client = app.test_client()
    login(client, "admin")
    response = client.get(f"/cases/{number}/files/{first_id}")
    assert response.status_code == 200 and hashlib.sha256(response.data).hexdigest() == first_sha
    assert disk.exists(first_sha)  # extracted once, then kept
    assert all(len(store.get(sha)) == size == 20_000 for _, sha, size, _ in attachments)
    assert all(hashlib.sha256(store.get(sha)).hexdigest() == sha for _, sha, _, _ in attachments)
    assert poll(app).fetched == 0


def test_raw_packs_follow_the_database_unless_configured(app_factory):
    from web.mail.settings import raw_packs

    app = app_factory()
    assert raw_packs(app) == (state(app).engine.dialect.name == "sqlite")
    assert raw_packs(app_factory(MAIL_RAW_PACKS=False)) is False
    assert raw_packs(app_factory(MAIL_RAW_PACKS=True)) is True


def test_reading_a_file_no_letter_holds_fails_as_missing(app_factory):
    store = state(app_factory()).policy.store
    with pytest.raises(FileNotFoundError):
        store.get(hashlib.sha256(b"nowhere").hexdigest())
    assert not store.exists(hashlib.sha256(b"nowhere").hexdigest())
