"""The retention period: finished cases older than it lose their personal data (citizen, sender details, files,
raw originals, also inside packs) while the case, its redacted text and its statistics remain; nightly in the
worker, and from the command line with a dry run."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from cases import audit
from cases.files.packs import PackWriter
from cases.models import Case, Letter
from cases.models_privacy import AccessLog, CaseErasure
from cases.workflow import Status
from tests.conftest import login
from tests.privacy_cases import case_row, finish, letter_case
from web.app_state import state

BODY = "I am Ana Ruiz, call me on 13912345678. The pavement on Elm Street is broken."


def _pack_raw(app: Flask, number: str, raw: bytes) -> str:
    """Store ``number``'s original inside a pack, as email intake does, beside other mail."""
    writer = PackWriter(app.config["FILES_DIR"])
    writer.put(b"From: someone@example.org\r\n\r\nsomeone else's message")
    digest = writer.put(raw)
    writer.sync()
    with state(app).sessions() as session:
        session.execute(update(Letter).where(Letter.case_id == select(Case.id).where(Case.number == number)
                                             .scalar_subquery()).values(raw_sha256=digest))
        session.commit()
    return digest


def _packs_bytes(app: Flask) -> bytes:
    return b"".join(p.read_bytes() for p in Path(app.config["FILES_DIR"], "packs").rglob("*.pack"))


def _setup(app: Flask) -> dict[str, str]:
    client = app.test_client()
    old = letter_case(client, photo=b"shared photo", body=BODY, subject="Broken pavement at Ana Ruiz's door")
    recent = letter_case(client, photo=b"shared photo", name="Bo Chen", email="bo@example.org")
    still_open = letter_case(client, name="Cai Lun", email="cai@example.org")
    finish(app, old, days_ago=400)
    finish(app, recent, days_ago=10)
    with state(app).sessions() as session:  # open, however old: never purged
        session.execute(update(Case).where(Case.number == still_open).values(updated_at=case_row(
            app, old).updated_at))
        session.commit()
    return {"old": old, "recent": recent, "open": still_open}


def test_dry_run_lists_without_erasing_then_the_purge_erases_personal_data_only(app_factory):
    app = app_factory(PRIVACY_RETENTION_DAYS=365)
    cases = _setup(app)
    raw = b"From: ana@example.org\r\nSubject: pavement\r\n\r\nI am Ana Ruiz, ID 110101199003077777"
    raw_sha = _pack_raw(app, cases["old"], raw)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["privacy", "purge", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    listed = json.loads(dry.output)
    assert listed["dry_run"] is True and listed["days"] == 365
    assert [c["number"] for c in listed["cases"]] == [cases["old"]]
    assert listed["cases"][0]["attachments"] == 1 and listed["cases"][0]["files"] >= 2
    assert case_row(app, cases["old"]).citizen is not None and raw in _packs_bytes(app)  # nothing erased

    text = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert f"{cases['old']}  1 attachment(s)" in text.output and "1 case(s) would be erased" in text.output

    done = runner.invoke(args=["privacy", "purge", "--json"])
    assert done.exit_code == 0, done.output
    assert [c["number"] for c in json.loads(done.output)["cases"]] == [cases["old"]]

    case = case_row(app, cases["old"])
    assert case.citizen is None and case.attachments == []
    letter = case.letters[0]
    assert (letter.sender_name, letter.sender_email, letter.sender_phone) == ("", "", "")
    assert "Ana Ruiz" not in letter.body and "13912345678" not in letter.body and "Elm Street" in letter.body
    assert "Ana Ruiz" not in case.subject and "pavement" in case.subject.lower()
    # The statistics stay.
    assert case.status == Status.CLOSED and case.satisfaction.value == "satisfied" and case.kind.value == "report"
    # The original is gone from its pack; the other message of the pack is still there.
    packed = _packs_bytes(app)
    assert b"110101199003077777" not in packed and b"someone else's message" in packed
    assert not state(app).policy.store.exists(raw_sha)
    # The photo is shared with a case still within retention: it stays for that one.
    recent = case_row(app, cases["recent"])
    assert recent.citizen.name == "Bo Chen" and state(app).policy.store.exists(recent.attachments[0].sha256)
    assert case_row(app, cases["open"]).citizen.name == "Cai Lun"

    with state(app).sessions() as session:
        assert session.get(CaseErasure, case.id).reason == "retention"
        assert [e.action for e in case.events][-1] == "personal_data_erased"
        rows = session.scalars(select(AccessLog).where(AccessLog.action == audit.ERASE_RETENTION)).all()
        assert [(r.case_number, r.actor) for r in rows] == [(cases["old"], "command line")]

    again = runner.invoke(args=["privacy", "purge", "--json"])
    assert json.loads(again.output)["count"] == 0
    photo = recent.attachments[0].sha256
    shown = runner.invoke(args=["privacy", "purge", "--days", "5"])  # now the recent one, with a progress bar
    assert "1/1" in shown.stderr and "1 case(s) erased (retention 5 days)" in shown.stdout
    assert not state(app).policy.store.exists(photo)  # its last user is erased: the shared photo goes too


def test_search_forgets_what_was_erased_and_the_case_page_still_opens(app_factory):
    app = app_factory(PRIVACY_RETENTION_DAYS=365)
    cases = _setup(app)
    supervisor = app.test_client()
    login_demo(app, supervisor)
    assert cases["old"] in supervisor.get("/search/?q=Ruiz").get_data(as_text=True)
    assert app.test_cli_runner().invoke(args=["privacy", "purge"]).exit_code == 0
    assert cases["old"] not in supervisor.get("/search/?q=Ruiz").get_data(as_text=True)
    page = supervisor.get(f"/cases/{cases['old']}")
    assert page.status_code == 200 and "Ana Ruiz" not in page.get_data(as_text=True)


def login_demo(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    from cases import demo
    from web.auth import hasher

    with state(app).sessions() as session:
        demo.load(session, state(app).policy, hasher())
        session.commit()
    login(client, "supervisor")


def test_the_worker_purges_nightly_only_with_a_retention_period(app_factory):
    assert state(app_factory()).tasks.privacy_purge is None
    app = app_factory(PRIVACY_RETENTION_DAYS=365)
    cases = _setup(app)
    task = state(app).tasks.privacy_purge
    assert task.task_class().validate_datetime(datetime(2026, 5, 1, 2, 20))  # nightly, at 02:20
    assert not task.task_class().validate_datetime(datetime(2026, 5, 1, 14, 20))
    task()  # immediate mode in tests: runs now, as the worker runs it
    assert case_row(app, cases["old"]).citizen is None and case_row(app, cases["recent"]).citizen is not None


def test_without_a_retention_period_the_command_asks_for_one(app_factory):
    app = app_factory()
    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code != 0 and "PRIVACY_RETENTION_DAYS" in result.output
    _setup(app)
    listed = app.test_cli_runner().invoke(args=["privacy", "purge", "--dry-run", "--days", "5", "--json"])
    assert json.loads(listed.output)["count"] == 2  # the old and the recent closed case, never the open one
