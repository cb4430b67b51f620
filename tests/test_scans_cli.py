"""Paper letters from the command line and from the watched folder, with the real tesseract."""
from __future__ import annotations

import json
import os
import re
import time
from hashlib import sha256
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from cases.models import Case, QuarantineItem
from cases.models_scans import ScanBatch, ScanItem
from tests.helpers.scan_pages import OTHER_LINES, SECOND_LINES, blank_page, corrupt_png, letter_page, png, tiff
from web.scans.watch import watch_once
from web.app_state import state


def test_scan_command_json_failures_and_no_duplicates(app: Flask, demo_data: object, tmp_path: Path) -> None:
    folder = tmp_path / "post"
    folder.mkdir()
    (folder / "a-letter.png").write_bytes(png(letter_page(smudged=False)))
    (folder / "b-broken.png").write_bytes(corrupt_png())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["letters", "scan", str(folder), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    ok, failed = report["files"]
    assert ok["file"].endswith("a-letter.png") and ok["status"] == "ok"
    letter = ok["letters"][0]
    assert letter["pages"] == 1 and letter["confidence"] > 80 and "street" in letter["text"]
    assert letter["duplicate"] is False
    assert failed["file"].endswith("b-broken.png") and failed["status"] == "failed" and failed["error"]
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == letter["case"]))
        assert case.channel.value == "paper" and case.status.value == "received"  # nobody reviewed it yet
        assert case.citizen.name == "Ana Ruiz"
        assert {a.filename.rsplit("/", 1)[-1] for a in case.attachments} == {"a-letter.png",
                                                                              "a-letter-searchable.pdf"}
        quarantined = s.get(QuarantineItem, failed["quarantine_id"])
        assert quarantined.source == "scan" and "b-broken.png" in quarantined.reason

    # Run again (say, after a crash): the same case is reported, nothing new is made.
    again = runner.invoke(args=["letters", "scan", str(folder / "a-letter.png"), "--json"])
    assert again.exit_code == 0, again.output
    letter_again = json.loads(again.output)["files"][0]["letters"][0]
    assert letter_again["case"] == letter["case"] and letter_again["duplicate"] is True
    with state(app).sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.channel == "paper")) == 1
    plain = runner.invoke(args=["letters", "scan", str(tmp_path / "missing.png")])
    assert plain.exit_code != 0 and "no such file" in plain.output


def _drop(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    old = time.time() - 60  # as if the scanner finished writing a minute ago
    os.utime(path, (old, old))
    return path


def test_watched_folder_takes_each_file_exactly_once(app_factory, tmp_path: Path) -> None:
    inbox = tmp_path / "scanner"
    inbox.mkdir()
    app: Flask = app_factory(SCAN_WATCH_DIR=str(inbox))
    scan = png(letter_page(OTHER_LINES, smudged=False))
    _drop(inbox, "scan-001.png", scan)
    _drop(inbox, "notes.txt", b"not a scan at all")
    (inbox / "scan-002.png.part").write_bytes(b"\x89PNG still being written")
    fresh = inbox / "scan-003.png"
    fresh.write_bytes(scan[:100])  # just written: left for the next round

    state(app).tasks.scan_watch()  # the periodic task, run inline as the worker would
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["scan-001.png"]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["scan-002.png.part", "scan-003.png"]
    with state(app).sessions() as s:
        batches = s.scalars(select(ScanBatch).order_by(ScanBatch.id)).all()
        assert [(b.source, b.status) for b in batches] == [("watch", "done"), ("watch", "done")]
        drafts = s.scalars(select(ScanItem).where(ScanItem.status == "review")).all()
        assert len(drafts) == 1 and "bus stop" in drafts[0].text
        assert s.scalar(select(func.count()).select_from(QuarantineItem)) == 1

    # A crash after the commit but before the move leaves the file in place: the next round only moves it.
    _drop(inbox, "scan-001.png", scan)
    queued: list[int] = []
    summary = watch_once(app, inbox, queued.append)
    assert summary.done == ["scan-001.png"] and queued == []
    assert len(list((inbox / "done").iterdir())) == 2  # kept beside the first copy, not overwritten
    # A crash after the commit but before queueing: the batch is still queued, so the next round queues it.
    with state(app).sessions() as s:
        batch = s.scalars(select(ScanBatch).where(ScanBatch.dedup_key == "watch:" + sha256(scan).hexdigest())).one()
        batch.status = "queued"
        s.commit()
    _drop(inbox, "scan-001.png", scan)
    summary = watch_once(app, inbox, queued.append)
    assert queued == [batch.id]
    with state(app).sessions() as s:
        assert s.scalar(select(func.count()).select_from(ScanBatch)) == 2
        assert s.scalar(select(func.count()).select_from(ScanItem).where(ScanItem.status == "review")) == 1


def test_scan_command_batch_splits_at_separator_pages_with_a_progress_bar(app: Flask, demo_data: object,
                                                                          tmp_path: Path) -> None:
    stack = tmp_path / "stack.tif"
    stack.write_bytes(tiff([letter_page(smudged=False), blank_page(), letter_page(OTHER_LINES, smudged=False)]))
    result = app.test_cli_runner().invoke(args=["letters", "scan", "--batch", str(stack)])
    assert result.exit_code == 0, result.output
    # The bar goes to stderr and ends at all pages read; the summary goes to stdout.
    assert "reading" in result.stderr and "3/3" in result.stderr
    cases = re.findall(r"stack\.tif: case (\S+), 1 page\(s\), confidence", result.stdout)
    assert len(cases) == 2 and cases[0] != cases[1], result.stdout
    assert "1 file(s) read, 0 failed" in result.stdout
    with state(app).sessions() as s:
        letters = {c.number: c.letters[0].body for c in s.scalars(select(Case).where(Case.number.in_(cases)))}
        assert "street" in letters[cases[0]] and "bus stop" in letters[cases[1]]

    # Without --batch a file is one letter: both written pages, the blank one left out.
    other = tmp_path / "other.tif"
    other.write_bytes(tiff([letter_page(OTHER_LINES, smudged=False), blank_page(),
                            letter_page(SECOND_LINES, smudged=False)]))
    again = app.test_cli_runner().invoke(args=["letters", "scan", "--json", str(other)])
    assert again.exit_code == 0, again.output
    (letter,) = json.loads(again.stdout)["files"][0]["letters"]
    assert letter["pages"] == 2 and letter["case"] not in cases and letter["duplicate"] is False
    assert letter["text"].index("bus stop") < letter["text"].index("bakery")
