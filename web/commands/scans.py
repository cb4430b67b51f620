"""``flask --app web letters scan PATH... [--batch] [--json]``: paper letters from the command line.

Each file is one letter (``--batch``: blank separator pages also start a new letter). The letters become cases in
the desk's "new" queue (nobody reviewed them yet); a file that cannot be read is quarantined and reported, and the
exit code is 1. Running the same files again creates no duplicate: the cases they already made are reported.
"""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from tqdm import tqdm

from cases import outbox, scans
from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Case, Letter
from cases.models_scans import ScanItem
from web.scans.processing import run_batch
from web.tasks.queue import drain
from web.app_state import state

COMMAND_LINE = Actor(user_id=None, role="system", name="command line")
letters_cli = AppGroup("letters", help="Paper letters: scanning and OCR.")


def collect(paths: tuple[str, ...]) -> list[Path]:
    """Files named, and the files inside folders named (recursively, sorted, hidden ones skipped)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            found.append(path)
        else:
            raise click.BadParameter(f"{name}: no such file or folder", param_hint="PATH")
    return found


def _subject(text: str) -> str:
    return next((line.strip()[:80] for line in text.splitlines() if line.strip()), "")


@letters_cli.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--batch", "split", is_flag=True, help="Blank separator pages also start a new letter.")
@click.option("--json", "as_json", is_flag=True, help="Print the result per file as JSON.")
def scan_command(paths: tuple[str, ...], split: bool, as_json: bool) -> None:
    """Read scanned letters (files or folders) and register each as a case."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    files = collect(paths)
    if not files:
        raise click.ClickException("no files found")
    st = state(app)
    with st.sessions() as session:
        batch = scans.create_batch(session, st.policy, [(str(p), p.read_bytes()) for p in files],
                                   mode="batch" if split else "files", source="cli")
        session.commit()
        batch_id = batch.id
    bar = tqdm(total=0, unit="page", desc="reading", disable=as_json)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        summary = run_batch(app, batch_id, on_progress=progress)
    finally:
        bar.close()
    if summary.error:
        raise click.ClickException(f"OCR could not run: {summary.error}")
    report = _register_all(app, batch_id, [str(p) for p in files])
    drain(app, outbox.INDEX_CASE)
    failed = [entry for entry in report if entry["status"] != "ok"]
    if as_json:
        click.echo(json.dumps({"batch": batch_id, "files": report}, ensure_ascii=False, indent=2))
    else:
        for entry in report:
            if entry["status"] == "ok":
                for letter in entry["letters"]:
                    click.echo(f"{entry['file']}: case {letter['case']}{' (already registered)' if letter['duplicate'] else ''}"
                               f", {letter['pages']} page(s), confidence {letter['confidence']}")
            else:
                click.echo(f"{entry['file']}: FAILED ({entry['error']}), quarantined", err=True)
        click.echo(f"{len(report) - len(failed)} file(s) read, {len(failed)} failed")
    if failed:
        raise SystemExit(1)


def _register_all(app, batch_id: int, names: list[str]) -> list[dict]:
    st = state(app)
    report = [{"file": name, "status": "ok", "letters": [], "error": ""} for name in names]
    with st.sessions() as session:
        items = session.scalars(select(ScanItem).where(ScanItem.batch_id == batch_id).order_by(ScanItem.id)).all()
        for item in items:
            entry = report[item.file_index]
            if item.status == "quarantined":
                entry["status"], entry["error"] = "failed", item.reason
                entry["quarantine_id"] = item.quarantine_id
                continue
            already = session.scalar(select(Case.number).join(Letter).where(Letter.dedup_key == item.key).limit(1))
            try:
                case = scans.register(session, st.policy, item, COMMAND_LINE, subject=_subject(item.text),
                                      body=item.text or "(no text recognised)", sender_name=item.sender_name,
                                      sender_address=item.sender_address, checked=False)
                session.commit()
            except CaseError as exc:
                session.rollback()
                entry["status"], entry["error"] = "failed", str(exc)
                continue
            entry["letters"].append({"case": case.number, "duplicate": already is not None,
                                     "pages": len(item.pages), "confidence": item.confidence, "text": item.text})
    return report
