"""``flask --app web partitions list|ahead|archive``: the yearly partitions of the event log and the letters on
PostgreSQL (see docs/scaling.md). On SQLite there are none and each command says so."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from cases import audit, partitions
from web.app_state import state
from web.commands import ADMIN
from web.tasks.partitions import ensure_ahead

partitions_cli = AppGroup("partitions", help="Yearly partitions of the event log and letters (PostgreSQL).")


def _require_partitioned() -> None:
    with state().engine.connect() as conn:
        if not any(partitions.is_partitioned(conn, table) for table in partitions.PARTITIONED):
            raise click.ClickException("this database has no partitioned tables (SQLite, or not migrated)")


@partitions_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
def list_command(as_json: bool) -> None:
    """Show each partitioned table's partitions and their estimated row counts."""
    _require_partitioned()
    with state().engine.connect() as conn:
        found = {table: partitions.partitions(conn, table) for table in partitions.PARTITIONED}
    if as_json:
        click.echo(json.dumps({table: [{"name": p.name, "year": p.year, "rows": p.rows,
                                        "detach_pending": p.detach_pending} for p in parts]
                               for table, parts in found.items()}, indent=2))
        return
    for table, parts in found.items():
        for p in parts:
            pending = " (detach pending: run archive again)" if p.detach_pending else ""
            click.echo(f"{table}\t{p.name}\t~{max(p.rows, 0)} row(s){pending}")


@partitions_cli.command("ahead")
@click.option("--years", type=int, default=None, help="Years ahead of this one (default: PARTITION_YEARS_AHEAD).")
def ahead_command(years: int | None) -> None:
    """Create the yearly partitions up to this year plus --years (the worker does this daily)."""
    _require_partitioned()
    try:
        created = ensure_ahead(current_app._get_current_object(), years)
    except OperationalError as error:  # lock_timeout: a long query holds the table
        raise click.ClickException(f"the table is busy, nothing changed; try again ({error.orig})") from error
    if not created:
        click.echo("every partition is already there")
    for table, made in created.items():
        click.echo(f"{table}: created {', '.join(partitions.partition_name(table, y) for y in made)}")


@partitions_cli.command("archive")
@click.argument("year", type=int)
@click.option("--table", "tables", type=click.Choice(sorted(partitions.PARTITIONED)), multiple=True,
              help="Only this table (repeatable; default: the event log and the letters).")
@click.option("--dump", "dump_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write each detached year to DIR/<partition>.csv.gz before dropping it.")
@click.option("--keep", is_flag=True, help="Keep the detached year as a table of its own instead of dropping it.")
@click.option("--yes", is_flag=True, help="Drop without --dump or --keep (the year's rows are then gone).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs (no progress lines).")
def archive_command(year: int, tables: tuple[str, ...], dump_dir: Path | None, keep: bool, yes: bool,
                    as_json: bool) -> None:
    """Detach YEAR from the event log and the letters (DETACH PARTITION ... CONCURRENTLY: the other years stay
    open for reads and inserts), then dump it, keep it as a table, or drop it."""
    _require_partitioned()
    if year >= datetime.now(timezone.utc).year:
        raise click.ClickException(f"{year} is not over yet: only a past year can be archived")
    if dump_dir is None and not keep and not yes:
        raise click.ClickException("say what to do with the year: --dump DIR, --keep, or --yes to drop it")
    done = []
    say = (lambda message: None) if as_json else click.echo
    for table in tables or tuple(partitions.PARTITIONED):
        dump = dump_dir / f"{partitions.partition_name(table, year)}.csv.gz" if dump_dir is not None else None
        result = partitions.archive_year(state().engine, table, year, keep=keep, dump=dump, say=say)
        if result is None:
            say(f"{table}: no partition for {year}")
            continue
        done.append({"table": table, "partition": result.partition, "rows": result.rows, "kept": keep,
                     "dump": str(dump) if dump is not None else None})
        kept = f"dumped to {dump}" if dump is not None else ""
        kept += (", " if kept else "") + ("kept as a table" if keep else "dropped")
        with state().sessions() as session:  # a whole year of personal data read out and taken away
            audit.record(session, ADMIN, audit.ARCHIVE_YEAR,
                         target=f"{result.partition}: {result.rows} row(s), {kept}",
                         data={"table": table, "year": year, "rows": result.rows, "dump": str(dump or ""),
                               "kept": keep})
            session.commit()
    if not done:
        raise click.ClickException(f"nothing to archive for {year}")
    if as_json:
        click.echo(json.dumps(done, indent=2))
