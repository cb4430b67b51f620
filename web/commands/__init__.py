"""Command line: ``flask --app web <group> <command>``; this package holds every command group."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from cases import accounts, audit, demo, queries
from cases.actors import Actor
from cases.db import migrate, upgrade
from cases.errors import CaseError
from cases.queries import CaseFilter
from web.auth import hasher
from web.case_dicts import case_detail, case_summary
from web.app_state import state

ADMIN = Actor(user_id=None, role="admin", name="command line")
cases_cli = AppGroup("cases", help="List and show cases.")
users_cli = AppGroup("users", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
db_cli = AppGroup("db", help="Database schema.")
files_cli = AppGroup("files", help="Stored files.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema."""
    upgrade(state().engine)
    click.echo("database is up to date")


@db_cli.command("current")
def db_current() -> None:
    """Show the migration the database is at."""
    migrate(state().engine, "current")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Go back to REVISION (e.g. 0013, or -1)."""
    migrate(state().engine, "downgrade", revision)
    click.echo(f"database downgraded to {revision}")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate", is_flag=True, help="Compare the models with the database and write the difference.")
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration file (checked and edited by hand before it is committed)."""
    migrate(state().engine, "revision", message=message, autogenerate=autogenerate)


@cases_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@click.option("--status", default=None, help="Only cases in this status.")
@click.option("--limit", default=100, show_default=True)
def cases_list(as_json: bool, status: str | None, limit: int) -> None:
    """List the newest cases."""
    from cases.workflow import Status

    with state().sessions() as session:
        flt = CaseFilter(statuses=(Status(status),) if status else ())
        rows, total = queries.list_cases(session, ADMIN, flt, today=state().policy.today(), per_page=limit)
        items = [case_summary(c, state().policy.today()) for c in rows]
    if as_json:
        click.echo(json.dumps({"total": total, "cases": items}, ensure_ascii=False, indent=2))
        return
    for item in items:
        due = item["due_date"] or "-"
        flag = " OVERDUE" if item["overdue"] else ""
        click.echo(f"{item['number']}  {item['status']:<11} {due:<10} {item['subject'][:60]}{flag}")
    click.echo(f"{total} case(s)")


@cases_cli.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
def cases_show(number: str, as_json: bool) -> None:
    """Show one case with its letters' text and its events."""
    with state().sessions() as session:
        try:
            detail = case_detail(queries.get_case(session, ADMIN, number), state().policy.today())
        except CaseError as err:
            raise click.ClickException(str(err)) from err
        # The letters' senders and text are personal data, read here as on the case page.
        audit.record(session, ADMIN, audit.VIEW_CITIZEN, case_number=detail["number"],
                     target=f"case {detail['number']} shown on the command line")
        session.commit()
    if as_json:
        click.echo(json.dumps(detail, ensure_ascii=False, indent=2))
        return
    click.echo(f"{detail['number']}  {detail['status']}  {detail['subject']}")
    for letter in detail["letters"]:
        click.echo(f"--- {letter['channel']} {letter['received_at']}\n{letter['body']}")
    for event in detail["events"]:
        click.echo(f"{event['at']}  {event['action']}  {event['note']}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["clerk", "unit", "supervisor", "admin"]), required=True)
@click.option("--unit", default=None, help="The unit of a unit handler (its name).")
@click.option("--name", default="", help="Full name.")
@click.option("--email", default="")
@click.password_option()
def users_create(username: str, role: str, unit: str | None, name: str, email: str, password: str) -> None:
    """Create a staff account (the password is asked for, twice)."""
    with state().sessions() as session:
        try:
            accounts.create_user(session, hasher(), username=username, password=password, role=role,
                                 unit_name=unit, display_name=name, email=email)
            audit.record(session, ADMIN, audit.ADMIN_USER, target=f"created user {username} ({role})")
            session.commit()
        except CaseError as err:
            raise click.ClickException(str(err)) from err
    click.echo(f"created {role} {username}")


@users_cli.command("reset-password")
@click.argument("username")
@click.password_option(prompt="Temporary password")
def users_reset_password(username: str, password: str) -> None:
    """Give a staff account a temporary password that must be changed at the next log-in (its sessions end)."""
    from sqlalchemy import select

    from cases.models import User

    with state().sessions() as session:
        user_id = session.scalar(select(User.id).where(User.username == username.strip().lower()))
        if user_id is None:
            raise click.ClickException(f"No user named {username}.")
        try:
            accounts.reset_password(session, hasher(), user_id, password)
            session.commit()
        except CaseError as err:
            raise click.ClickException(str(err)) from err
    click.echo(f"{username} must choose a new password at the next log-in")


@demo_cli.command("load")
def demo_load() -> None:
    """Load demo units, users and cases (once) and print the demo log-ins."""
    with state().sessions() as session:
        logins = demo.load(session, state().policy, hasher())
        session.commit()
    click.echo("Demo log-ins (user / password / role):")
    for name, role, password in logins:
        click.echo(f"  {name:<12} {password:<22} {role}")


@files_cli.command("clean-packs")
@click.option("--older-than-hours", default=1.0, show_default=True,
              help="Only packs last written longer ago than this (a pack being written is not indexed yet).")
def files_clean_packs(older_than_hours: float) -> None:
    """Delete raw-mail packs no index refers to (left by a worker that died before indexing them)."""
    from flask import current_app

    from mailbox import MailConfigError
    from web.mail.intake import clean_packs

    try:
        removed = clean_packs(current_app._get_current_object(), older_than_hours)  # type: ignore[attr-defined]
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for name in removed:
        click.echo(f"removed {name}")
    click.echo(f"{len(removed)} unindexed pack(s) removed")


def worker_command(app: Flask) -> click.Command:
    @click.command("worker")
    @click.option("--workers", default=None, type=int, help="Worker processes (default: WORKER_COUNT).")
    def worker(workers: int | None) -> None:
        """Run the background worker (jobs and periodic tasks)."""
        from huey.consumer import Consumer

        from web import check_mailbox_shadowing
        from web.tasks.queue import catch_up

        check_mailbox_shadowing()
        huey = state(app).huey
        consumer = Consumer(huey, workers=workers or int(app.config["WORKER_COUNT"]), worker_type="process",
                            periodic=True, check_worker_health=True)
        click.echo(f"worker: {consumer.workers} process(es) on {type(huey).__name__}", file=sys.stderr)
        catch_up(app)
        consumer.run()

    return worker


def init_app(app: Flask) -> None:
    """Register every command group of ``flask --app web``."""
    from web.commands.mail import mailbox_cli
    from web.commands.open311 import open311_cli
    from web.commands.partitions import partitions_cli
    from web.commands.privacy import privacy_cli
    from web.commands.scans import letters_cli
    from web.commands.search_index import index_cli, search_command
    from web.commands.stats import stats_cli

    for group in (cases_cli, users_cli, demo_cli, db_cli, files_cli, mailbox_cli, letters_cli, privacy_cli,
                  open311_cli, index_cli, search_command, stats_cli, partitions_cli):
        app.cli.add_command(group)
    app.cli.add_command(worker_command(app))
