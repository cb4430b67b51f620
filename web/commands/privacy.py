"""``flask --app web privacy purge``: erase (or, with ``--dry-run``, list) the personal data past retention."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from cases.actors import Actor
from web.tasks.privacy import due, purge, retention_days

privacy_cli = AppGroup("privacy", help="Personal data: retention.")
COMMAND_LINE = Actor(user_id=None, role="system", name="command line")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Retention period in days (default: PRIVACY_RETENTION_DAYS).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
def purge_command(dry_run: bool, days: int | None, as_json: bool) -> None:
    """Erase the personal data of cases finished longer ago than the retention period; their text (redacted)
    and statistics stay."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    days = days or retention_days(app)
    if not days:
        raise click.ClickException("no retention period: set PRIVACY_RETENTION_DAYS or pass --days")
    todo = due(app, days, detail=dry_run)
    if dry_run:
        items = [item.as_dict() for item in todo]
    else:
        with tqdm(total=len(todo), unit="case", desc="erasing", disable=as_json) as bar:
            items = [erased.as_dict() for erased in purge(app, todo, COMMAND_LINE, lambda _e: bar.update(1))]
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "days": days, "count": len(items), "cases": items},
                              ensure_ascii=False, indent=2))
        return
    for item in items:
        click.echo(f"{item['number']}  {item.get('attachments', 0)} attachment(s), {item['files']} file(s)")
    verb = "would be erased" if dry_run else "erased"
    click.echo(f"{len(items)} case(s) {verb} (retention {days} days)")
