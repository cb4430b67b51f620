"""``flask --app web stats rebuild|check``: rebuild the statistics rollups from the cases, or compare them with a
full recount."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from cases import rollups_build
from web.app_state import state

stats_cli = AppGroup("stats", help="Statistics rollups.")


@stats_cli.command("rebuild")
@click.option("--zone", default=None, help="Time zone of the days (default: OFFICE_TIMEZONE).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
def rebuild_command(zone: str | None, as_json: bool) -> None:
    """Count every case again into the rollups (one transaction; changes made meanwhile wait for it)."""
    zone = zone or current_app.config["OFFICE_TIMEZONE"]
    with state().sessions() as session:
        with tqdm(total=rollups_build.case_count(session), unit="case", desc="counting", disable=as_json) as bar:
            counted = rollups_build.rebuild(session, zone, bar.update)
        session.commit()
    if as_json:
        click.echo(json.dumps({"zone": zone, "cases": counted}))
    else:
        click.echo(f"{counted} case(s) counted into the rollups (days in {zone})")


@stats_cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
def check_command(as_json: bool) -> None:
    """Compare the rollups with a full recount from the cases; exit status 1 if they differ."""
    with state().sessions() as session:
        result = rollups_build.check(session)
        session.rollback()
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
    elif result.zone is None:
        click.echo("the rollups are not built: run `flask --app web stats rebuild`")
    else:
        for line in (result.case_differences + result.day_differences + result.month_differences
                     + result.open_differences):
            click.echo(line)
        verdict = "match the recount" if result.ok else "DIFFER from the recount"
        click.echo(f"{result.cases} case(s), {result.day_rows} day row(s): the rollups {verdict}")
    if result.zone is None or not result.ok:
        raise SystemExit(1)
