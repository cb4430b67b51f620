"""Disclosure: the public archive and statistics, the staff's publication review, and the Open311 API."""
from __future__ import annotations

import json

import click
from flask import Flask

from web.disclosure.views import bp  # noqa: F401


def init_app(app: Flask) -> None:
    """Register the Open311 blueprint and the ``open311`` command group (API keys)."""
    from web.disclosure.open311 import bp as api_bp

    app.register_blueprint(api_bp)

    @app.cli.group("open311")
    def open311_group() -> None:
        """Open311 API keys."""

    @open311_group.command("create-key")
    @click.argument("name")
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    def create_key(name: str, as_json: bool) -> None:
        """Create an API key for NAME; the secret is shown once."""
        from cases.disclosure import create_api_key
        from web.state import state

        with state(app).sessions() as session:
            key, secret = create_api_key(session, name)
            session.commit()
            if as_json:
                click.echo(json.dumps({"id": key.id, "name": key.name, "api_key": secret}))
            else:
                click.echo(f"API key {key.id} for {key.name}: {secret}")

    @open311_group.command("revoke-key")
    @click.argument("key_id", type=int)
    def revoke_key(key_id: int) -> None:
        """Deactivate an API key."""
        from cases.disclosure import revoke_api_key
        from web.state import state

        with state(app).sessions() as session:
            revoke_api_key(session, key_id)
            session.commit()
            click.echo(f"API key {key_id} revoked.")
