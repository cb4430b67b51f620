"""Outages answered as outages: a real PostgreSQL stopped and started again, and a real full disk (a small tmpfs
under the stored files). Each answers 503 with Retry-After and a translated page saying what happened,
``/healthz`` names the fault, a web letter sent during a database outage is kept and registered exactly once when
the database is back (nothing left unreferenced), and everything works again without a restart."""
from __future__ import annotations

import errno
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from cases.db import make_engine, upgrade
from cases.models import Case, Letter
from tests.conftest import make_app
from tests.servers.postgres import create_database, stoppable_postgres
from tests.helpers.web_forms import letter_form
from web.public.posts import spool
from web.app_state import state

KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def _key(client, lang: str = "en") -> str:
    return KEY.search(client.get("/write", headers={"Accept-Language": lang}).get_data(as_text=True)).group(1)


def _cases(app) -> list[tuple[str, str]]:
    with state(app).sessions() as s:
        return s.execute(select(Case.number, Letter.raw_sha256).join(Letter.case)).all()


@pytest.mark.timeout(240)
def test_database_outage_answers_503_keeps_letters_and_recovers(tmp_path: Path) -> None:
    with stoppable_postgres() as postgres:
        url = create_database(postgres.server, "outage")
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        app = make_app(tmp_path / "instance", url)
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        keys = {"en": _key(client), "zh": _key(client, "zh")}

        postgres.stop()
        health = client.get("/healthz")
        assert health.status_code == 503 and health.headers["Retry-After"] == "30"
        assert health.json["database"].startswith("unreachable") and health.json["files"] == "ok"
        answers = {lang: client.post("/write", data=letter_form(submission_key=key, subject=f"Outage {lang}"),
                                     headers={"Accept-Language": lang}, content_type="multipart/form-data")
                   for lang, key in keys.items()}
        for lang, answer in answers.items():
            assert answer.status_code == 503 and int(answer.headers["Retry-After"]) >= 30  # or the rate limit's reset
        assert "will be registered as soon as the database is back" in answers["en"].get_data(as_text=True)
        assert "数据库" in answers["zh"].get_data(as_text=True)
        track = client.get("/track", query_string={"number": "2026-000001", "code": "ABCDEFGH"})
        assert track.status_code == 503 and "case database" in track.get_data(as_text=True)
        kept = spool(app).pending()
        assert len(kept) == 2
        raws = {json.loads(path.read_text())["raw_sha256"] for path in kept}
        assert all(state(app).policy.store.exists(raw) for raw in raws)
        saved = {path.name: path.read_bytes() for path in kept}

        postgres.start()
        assert client.get("/healthz").status_code == 200  # recovered without a restart
        drain = state(app).tasks.drain_letter_spool
        drain()
        assert spool(app).pending() == []
        registered = _cases(app)
        assert {raw for _, raw in registered} == raws  # every kept post belongs to exactly one case
        # A drain that died after its commit but before removing its file: the entry comes again, nothing doubles.
        for name, data in saved.items():
            (Path(app.config["SPOOL_DIR"]) / name).write_bytes(data)
        drain()
        assert spool(app).pending() == [] and len(_cases(app)) == 2
        # The citizen sends the same form again: the case their letter became, with its number.
        again = client.post("/write", data=letter_form(submission_key=keys["en"], subject="Outage en"),
                            content_type="multipart/form-data")
        assert again.status_code == 302
        number = re.search(r'id="case-number">([^<]+)<', client.get("/write/sent").get_data(as_text=True)).group(1)
        with state(app).sessions() as s:
            assert s.scalar(select(Case.subject).where(Case.number == number)) == "Outage en"
        assert len(_cases(app)) == 2
        state(app).engine.dispose()


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB tmpfs: writes beyond it fail with ENOSPC, as on a full disk."""
    mount = tmp_path / "files"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_full_disk_answers_503_and_recovers(app_factory, small_disk: Path) -> None:
    app = app_factory(FILES_DIR=str(small_disk))
    client = app.test_client()
    key = _key(client, "es")
    filler = _fill(small_disk)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["files"].startswith("failing") and \
        health.json["database"] == "ok"
    answer = client.post("/write", data=letter_form(submission_key=key), headers={"Accept-Language": "es"},
                         content_type="multipart/form-data")
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) >= 30
    page = answer.get_data(as_text=True)
    assert "NO" in page and "disco" in page  # Spanish: the disk is full, the letter was not received
    assert _cases(app) == []
    left = [p for p in small_disk.rglob("*") if p.is_file() and p != filler]
    assert left == []  # nothing half-written left behind
    filler.unlink()
    assert client.get("/healthz").status_code == 200
    assert client.post("/write", data=letter_form(submission_key=key),
                       content_type="multipart/form-data").status_code == 302
    assert len(_cases(app)) == 1


def test_a_spooled_letter_that_cannot_be_registered_is_set_aside_not_blocking_the_others(app) -> None:
    from cases.spool import SpooledPost

    kept = spool(app)
    store = state(app).policy.store
    good = store.put(json.dumps({**letter_form(), "consent": False, "_received": "2026-03-02T08:00:00+00:00"})
                     .encode())
    broken = store.put(b'{"subject": "no body, no name"}')
    kept.add(SpooledPost(key="A" * 20, raw_sha256=broken))
    os.utime(kept.folder / f"{'A' * 20}.json", (1, 1))  # the older one: drained first
    kept.add(SpooledPost(key="B" * 20, raw_sha256=good))
    state(app).tasks.drain_letter_spool()  # the worker's periodic task
    assert kept.pending() == [] and [p.name for p in kept.failed()] == [f"{'A' * 20}.failed"]
    assert [raw for _, raw in _cases(app)] == [good]
    assert app.test_client().get("/healthz").json["spooled_letters_failed"] == 1
