"""The ``open311`` command group: API keys for civic apps."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from cases.disclosure import create_api_key, revoke_api_key
from web.app_state import state

open311_cli = AppGroup("open311", help="Open311 API keys.")


@open311_cli.command("create-key")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def create_key(name: str, as_json: bool) -> None:
    """Create an API key for NAME; the secret is shown once."""
    with state().sessions() as session:
        key, secret = create_api_key(session, name)
        session.commit()
        if as_json:
            click.echo(json.dumps({"id": key.id, "name": key.name, "api_key": secret}))
        else:
            click.echo(f"API key {key.id} for {key.name}: {secret}")


@open311_cli.command("revoke-key")
@click.argument("key_id", type=int)
def revoke_key(key_id: int) -> None:
    """Deactivate an API key."""
    with state().sessions() as session:
        revoke_api_key(session, key_id)
        session.commit()
        click.echo(f"API key {key_id} revoked.")
