"""``flask --app web mailbox fetch``: one poll of every folder, with a progress bar and a summary (``--json``)."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from tqdm import tqdm

from mailbox import (MailConfigError, MailConnectionError)
from web.mail.intake import poll


mailbox_cli = AppGroup("mailbox", help="The email channel.")
# Exit status of a fetch that skipped a folder because another poller holds it (EX_TEMPFAIL: try again later).
FETCH_SKIPPED_LOCKED = 75


@mailbox_cli.command("fetch")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def fetch_command(as_json: bool) -> None:
    """Fetch new mail from every configured IMAP folder into cases, once."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    bar = tqdm(unit="msg", desc="fetching", disable=as_json)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        summary = poll(app, on_progress=progress)
    except (MailConfigError, MailConnectionError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        click.echo(f"fetched {summary.fetched}: {summary.new_cases} new case(s), {summary.attached} attached, "
                   f"{summary.duplicates} duplicate(s), {summary.quarantined} quarantined"
                   + (f"; {len(summary.errors)} error(s): " + "; ".join(summary.errors) if summary.errors else ""))
        for line in summary.skipped_lines():
            click.echo(line)
    if summary.errors:
        raise SystemExit(1)
    if summary.skipped_locked:
        raise SystemExit(FETCH_SKIPPED_LOCKED)
