"""The event log and the letters partitioned by year on the real PostgreSQL server: the migration keeps every
row both ways, rows land in their year, a missing year is created ahead, the keys that triggers keep hold, and a
year is detached and archived while another connection goes on inserting without waiting."""
from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from cases import demo, intake, partitions
from cases.db import make_engine, make_session_factory, migrate, upgrade
from cases.drafts import Channel, LetterDraft
from cases.events import record
from cases.files.store import LocalFileStore
from cases.models import Attachment, Case, Letter
from cases.actors import SYSTEM
from cases.policy import Policy
from tests.conftest import login, make_app
from web.app_state import state
from web.auth import Argon2idHasher

YEAR = datetime.now(timezone.utc).year
OLD = YEAR - 2  # a past year with rows: the first year of the office in these tests
WAIT = 30.0  # seconds: the longest any wait for another connection's state may take before the test fails


def _at(year: int, month: int = 6, day: int = 15) -> datetime:
    return datetime(year, month, day, 12, tzinfo=timezone.utc)


def _open_case(sessions: Any, policy: Policy, received: datetime, **extra: Any) -> int:
    with sessions() as session:
        draft = LetterDraft(channel=Channel.EMAIL, subject="Broken street light", body="It has been dark a week.",
                            sender_email="resident@example.org", received_at=received, **extra)
        case = intake.receive(session, policy, draft).case
        session.commit()
        return case.id


def _fill(engine: Engine, tmp_path: Path) -> None:
    """Demo data, plus cases and events in OLD (the first year), this year, and letters dated far off."""
    sessions = make_session_factory(engine)
    policy = Policy(store=LocalFileStore(tmp_path / "files"))
    with sessions() as session:
        demo.load(session, policy, Argon2idHasher("CHEAPEST"))
        session.commit()
    old_case = _open_case(sessions, policy, _at(OLD), external_id="<old@example.org>")
    _open_case(sessions, policy, _at(1970, 1, 1), external_id="<epoch@example.org>")
    _open_case(sessions, policy, _at(2999), external_id="<future@example.org>")
    with sessions() as session:
        case = session.get(Case, old_case)
        record(session, case, SYSTEM, "note", note="first year").at = _at(OLD, 3)
        record(session, case, SYSTEM, "note", note="next year").at = _at(OLD + 1, 3)
        session.flush()
        letter = session.scalars(select(Letter).where(Letter.case_id == old_case)).one()
        session.add(Attachment(case_id=old_case, letter_id=letter.id, filename="photo.jpg",
                               content_type="image/jpeg", size=3, sha256="0" * 64))
        session.commit()


def _snapshot(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
                for table in ("event", "letter", "attachment")}


def _kind(engine: Engine, table: str) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}).scalar()


def _where(engine: Engine, table: str, column: str, value: Any) -> str:
    """The partition holding the row of ``table`` whose ``column`` is ``value``."""
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT tableoid::regclass::text FROM {table} WHERE {column} = :v"),
                            {"v": value}).scalar_one()


@pytest.fixture()
def filled(fresh_postgres_database: Callable[[], str], tmp_path: Path) -> Iterator[Engine]:
    """A database at 0020 filled with rows of several years, then migrated to the head (partitioned)."""
    engine = make_engine(fresh_postgres_database())
    migrate(engine, "upgrade", "0020")
    _fill(engine, tmp_path)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_the_migration_partitions_both_ways_and_keeps_every_row(fresh_postgres_database, tmp_path) -> None:
    engine = make_engine(fresh_postgres_database())
    try:
        migrate(engine, "upgrade", "0020")
        _fill(engine, tmp_path)
        before = _snapshot(engine)
        assert all(before.values())
        upgrade(engine)
        assert _kind(engine, "event") == _kind(engine, "letter") == "p"
        assert _snapshot(engine) == before
        with engine.connect() as conn:
            assert partitions.years(conn, "event") == list(range(OLD, YEAR + 3))
        migrate(engine, "downgrade", "0020")
        assert _kind(engine, "event") == _kind(engine, "letter") == "r"
        assert _snapshot(engine) == before
        with engine.connect() as conn:  # the plain tables' keys are back
            unique = conn.execute(text("SELECT indisunique FROM pg_index WHERE indexrelid = 'ix_letter_dedup_key'"
                                       "::regclass")).scalar()
            fkey = conn.execute(text("SELECT count(*) FROM pg_constraint WHERE conname = "
                                     "'attachment_letter_id_fkey'")).scalar()
        assert unique is True and fkey == 1
        upgrade(engine)
        assert _snapshot(engine) == before
    finally:
        engine.dispose()


def test_rows_land_in_their_years_partition_and_far_dates_in_the_catch_alls(filled: Engine) -> None:
    assert _where(filled, "letter", "external_id", "<old@example.org>") == f"letter_y{OLD}"
    assert _where(filled, "letter", "external_id", "<epoch@example.org>") == "letter_before"
    assert _where(filled, "letter", "external_id", "<future@example.org>") == "letter_later"
    assert _where(filled, "event", "note", "next year") == f"event_y{OLD + 1}"
    with filled.begin() as conn:
        # The bounds are UTC: 07:59 on New Year's day in Shanghai is still the old year.
        conn.execute(text("INSERT INTO event (case_id, at, action, note, internal, data) SELECT id, "
                          f"'{YEAR}-01-01 07:59:59+08', 'note', 'shanghai new year', true, '{{}}' FROM case_file "
                          "LIMIT 1"))
    assert _where(filled, "event", "note", "shanghai new year") == f"event_y{YEAR - 1}"


def test_a_missing_year_is_created_ahead_and_its_rows_moved_out_of_the_catch_all(filled: Engine) -> None:
    far = YEAR + 5
    with filled.begin() as conn:
        conn.execute(text("INSERT INTO event (case_id, at, action, note, internal, data) SELECT id, :at, 'note', "
                          "'early', true, '{}' FROM case_file LIMIT 1"), {"at": _at(far)})
    assert _where(filled, "event", "note", "early") == "event_later"
    created = partitions.ensure_years(filled, far)
    assert created == {"event": list(range(YEAR + 3, far + 1)), "letter": list(range(YEAR + 3, far + 1))}
    assert _where(filled, "event", "note", "early") == f"event_y{far}"
    assert _where(filled, "letter", "external_id", "<future@example.org>") == "letter_later"
    assert partitions.ensure_years(filled, far) == {}


def test_creating_years_ahead_gives_up_rather_than_wait_behind_a_long_query(filled: Engine) -> None:
    with psycopg.connect(_conninfo(filled)) as reader:
        reader.execute("SELECT count(*) FROM event").fetchone()  # a long report, its transaction still open
        with pytest.raises(OperationalError, match="lock timeout"):
            partitions.ensure_years(filled, YEAR + 4)
        with filled.connect() as conn:
            assert partitions.years(conn, "event")[-1] == YEAR + 2  # nothing half done
        reader.commit()
    assert partitions.ensure_years(filled, YEAR + 4)["event"] == [YEAR + 3, YEAR + 4]


def test_letter_keys_stay_unique_across_partitions_and_attachments_keep_their_letter(filled: Engine) -> None:
    sessions = make_session_factory(filled)
    with sessions() as session:
        old = session.scalars(select(Letter).where(Letter.external_id == "<old@example.org>")).one()
        old.raw_sha256 = "a" * 64
        session.commit()
        copy = {c: getattr(old, c) for c in ("case_id", "channel", "raw_sha256", "external_id")}
        session.add(Letter(**copy, received_at=_at(YEAR)))  # same Message-ID and bytes, another year
        with pytest.raises(IntegrityError, match="uq_letter_external_raw"):
            session.flush()
        session.rollback()
        session.add(Letter(case_id=old.case_id, channel=Channel.EMAIL, dedup_key="k1", received_at=_at(OLD)))
        session.commit()
        session.add(Letter(case_id=old.case_id, channel=Channel.EMAIL, dedup_key="k1", received_at=_at(YEAR)))
        with pytest.raises(IntegrityError, match="ix_letter_dedup_key"):
            session.flush()
        session.rollback()
        session.add(Attachment(case_id=old.case_id, letter_id=10**9, filename="x", content_type="text/plain",
                               size=1, sha256="1" * 64))
        with pytest.raises(IntegrityError, match="attachment_letter_id_fkey"):
            session.flush()
        session.rollback()
        with pytest.raises(IntegrityError, match="attachment_letter_id_fkey"):
            session.execute(text("DELETE FROM letter WHERE id = :id"), {"id": old.id})
        session.rollback()
        # Moving a letter to another year keeps its id, so its attachment still has its letter.
        session.execute(text("UPDATE letter SET received_at = :at WHERE id = :id"), {"at": _at(YEAR), "id": old.id})
        session.commit()
    assert _where(filled, "letter", "id", old.id) == f"letter_y{YEAR}"


def _waiting(conninfo: str, pid: int) -> bool:
    """Whether backend ``pid`` waits for a lock (heavyweight or advisory)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s",
                            (pid,)).fetchone()[0] is True


def _until(condition: Callable[[], bool]) -> None:
    deadline = datetime.now(timezone.utc).timestamp() + WAIT
    while not condition():
        assert datetime.now(timezone.utc).timestamp() < deadline, "the other connection never got there"


def _a_case(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Case.id).limit(1)).scalar_one()


def _conninfo(engine: Engine) -> str:
    url = engine.url
    return f"host={url.host} port={url.port} user={url.username} dbname={url.database}"


def test_two_racing_inserts_of_one_dedup_key_register_it_once(filled: Engine) -> None:
    conninfo = _conninfo(filled)
    case_id = _a_case(filled)
    insert = ("INSERT INTO letter (case_id, channel, subject, body, sender_name, sender_email, sender_phone, "
              "sender_address, received_at, dedup_key, automatic, notes) VALUES (%s, 'EMAIL', '', '', '', '', '', "
              "'', %s, 'race', false, '[]')")
    outcome: list[BaseException | None] = []
    with psycopg.connect(conninfo) as first, psycopg.connect(conninfo) as second:
        first.execute(insert, (case_id, _at(OLD)))
        pid = second.info.backend_pid

        def run() -> None:
            try:
                second.execute(insert, (case_id, _at(YEAR)))
                outcome.append(None)
            except psycopg.Error as error:
                outcome.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        _until(lambda: _waiting(conninfo, pid))  # the second waits on the key's lock, in another partition
        first.commit()
        thread.join(WAIT)
    assert isinstance(outcome[0], psycopg.errors.UniqueViolation)


def _insert_event(conn: psycopg.Connection, case_id: int, note: str) -> None:
    conn.execute("INSERT INTO event (case_id, at, action, note, internal, data) VALUES (%s, now(), 'note', %s, "
                 "true, '{}')", (case_id, note))


@pytest.mark.parametrize("concurrently", [True, False])
def test_detaching_a_year_keeps_inserts_going(filled: Engine, tmp_path: Path, concurrently: bool) -> None:
    """A reader holds the event log open (a long report); the year is detached meanwhile. With CONCURRENTLY an
    insert of this year goes through at once (under a 1 s lock_timeout); the plain DETACH, shown for contrast,
    queues an ACCESS EXCLUSIVE lock and the same insert times out."""
    conninfo = _conninfo(filled)
    case_id = _a_case(filled)
    errors: list[BaseException] = []
    with psycopg.connect(conninfo) as reader, psycopg.connect(conninfo) as detacher:
        reader.execute("SELECT count(*) FROM event").fetchone()  # its transaction stays open
        pid = detacher.info.backend_pid

        def run() -> None:
            try:
                if concurrently:
                    detacher.autocommit = True
                    detacher.execute(f"ALTER TABLE event DETACH PARTITION event_y{OLD} CONCURRENTLY")
                else:
                    detacher.execute(f"ALTER TABLE event DETACH PARTITION event_y{OLD}")
                    detacher.commit()
            except psycopg.Error as error:
                errors.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        _until(lambda: _waiting(conninfo, pid))  # the detach waits for the reader
        with psycopg.connect(conninfo) as inserter:
            inserter.execute("SET lock_timeout = '1s'")
            if concurrently:
                _insert_event(inserter, case_id, "during the detach")
                inserter.commit()
            else:
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    _insert_event(inserter, case_id, "during the detach")
        reader.commit()
        thread.join(WAIT)
    assert not errors and not thread.is_alive()
    with filled.connect() as conn:
        assert f"event_y{OLD}" not in {p.name for p in partitions.partitions(conn, "event")}
        notes = set(conn.execute(text("SELECT note FROM event")).scalars())
    assert ("during the detach" in notes) is concurrently
    assert "first year" not in notes and "next year" in notes


def test_the_archive_command_detaches_dumps_and_drops_a_year(filled: Engine, tmp_path: Path) -> None:
    app = make_app(tmp_path / "instance", filled.url.render_as_string(hide_password=False))
    runner = app.test_cli_runner()
    assert "say what to do" in runner.invoke(args=["partitions", "archive", str(OLD)]).output
    assert "not over yet" in runner.invoke(args=["partitions", "archive", str(YEAR), "--yes"]).output
    result = runner.invoke(args=["partitions", "archive", str(OLD), "--dump", str(tmp_path / "archive")])
    assert result.exit_code == 0, result.output
    assert f"detaching event_y{OLD} (CONCURRENTLY)" in result.output
    assert f"letter_y{OLD} dropped" in result.output
    with gzip.open(tmp_path / "archive" / f"event_y{OLD}.csv.gz", "rt") as dump:
        assert "first year" in dump.read()
    with gzip.open(tmp_path / "archive" / f"letter_y{OLD}.csv.gz", "rt") as dump:
        assert "<old@example.org>" in dump.read()
    with filled.connect() as conn:
        assert conn.execute(text("SELECT to_regclass(:n)"), {"n": f"event_y{OLD}"}).scalar() is None
        assert conn.execute(text("SELECT count(*) FROM letter WHERE external_id = '<old@example.org>'")).scalar() == 0
    with filled.connect() as conn:  # each table's year is in the access log, with what became of it
        targets = set(conn.execute(text("SELECT target FROM access_log WHERE action = 'archive_year'")).scalars())
    assert targets == {f"{name}: 1 row(s), dumped to {tmp_path / 'archive' / name}.csv.gz, dropped"
                       for name in (f"event_y{OLD}", f"letter_y{OLD}")}
    kept = runner.invoke(args=["partitions", "archive", str(OLD + 1), "--table", "event", "--keep", "--json"])
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.output) == [{"table": "event", "partition": f"event_y{OLD + 1}", "rows": 1, "kept": True,
                                        "dump": None}]
    with filled.connect() as conn:  # a table of its own now, outside the event log
        assert conn.execute(text(f"SELECT note FROM event_y{OLD + 1}")).scalars().all() == ["next year"]
    dropped = runner.invoke(args=["partitions", "archive", str(OLD + 1), "--table", "event", "--yes"])
    assert f"event_y{OLD + 1} detached, 1 row(s)" in dropped.output and "detaching" not in dropped.output
    with filled.connect() as conn:  # the kept year, dropped later
        assert conn.execute(text("SELECT to_regclass(:n)"), {"n": f"event_y{OLD + 1}"}).scalar() is None
    ahead = runner.invoke(args=["partitions", "ahead", "--years", "4"])
    assert f"event: created event_y{YEAR + 3}, event_y{YEAR + 4}" in ahead.output


def test_the_worker_creates_the_coming_years_daily(filled: Engine, tmp_path: Path, app_factory) -> None:
    app = make_app(tmp_path / "instance", filled.url.render_as_string(hide_password=False), PARTITION_YEARS_AHEAD=3)
    task = state(app).tasks.partitions_ahead
    assert task.task_class().validate_datetime(datetime(2026, 5, 1, 3, 40))  # daily, at 03:40
    assert not task.task_class().validate_datetime(datetime(2026, 5, 1, 14, 40))
    task()  # immediate mode in tests: runs now, as the worker runs it
    with filled.connect() as conn:
        assert partitions.years(conn, "letter")[-1] == YEAR + 3
    plain = app_factory()
    if state(plain).engine.dialect.name == "sqlite":  # no partitions to keep
        assert state(plain).tasks.partitions_ahead is None


def test_the_app_reads_a_case_whose_events_and_letters_span_years(app, client, demo_data) -> None:
    """Case page, case list and statistics read across the yearly partitions (the PostgreSQL pass) as across the
    plain tables (SQLite)."""
    with state(app).sessions() as session:
        draft = LetterDraft(channel=Channel.EMAIL, subject="Cracked pavement on Elm Road",
                            body="Written last December.", sender_email="elm@example.org",
                            received_at=_at(YEAR - 1, 12))
        case = intake.receive(session, state(app).policy, draft).case
        record(session, case, SYSTEM, "note", note="noted last year").at = _at(YEAR - 1, 12, 20)
        record(session, case, SYSTEM, "return", note="returned last year",
               data={"unit_id": case.unit_id or 1}).at = _at(YEAR - 1, 12, 21)
        record(session, case, SYSTEM, "note", note="noted this year")
        session.commit()
        number = case.number
    login(client, "supervisor")
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert all(text_ in page for text_ in ("Written last December.", "noted last year", "noted this year"))
    assert number in client.get("/supervisor/?q=Elm").get_data(as_text=True)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["stats", "rebuild"]).exit_code == 0
    checked = runner.invoke(args=["stats", "check"])
    assert checked.exit_code == 0, checked.output
    engine = state(app).engine
    if engine.dialect.name == "postgresql":  # a database migrated empty has years from this one on
        assert _where(engine, "event", "note", "noted last year") == "event_before"
        assert _where(engine, "event", "note", "noted this year") == f"event_y{YEAR}"
        assert _where(engine, "letter", "body", "Written last December.") == "letter_before"


def test_the_list_command_shows_the_years_or_says_there_are_none(app_factory) -> None:
    app = app_factory()
    result = app.test_cli_runner().invoke(args=["partitions", "list"])
    if app.config["DATABASE_URL"].startswith("postgresql"):
        assert result.exit_code == 0 and f"event_y{YEAR}" in result.output and "letter_later" in result.output
    else:
        assert result.exit_code != 0 and "no partitioned tables" in result.output
