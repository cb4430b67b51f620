"""The yearly partitions on PostgreSQL: one function for the worker's daily task and the ``partitions ahead``
command, so that no insert ever waits for a year that has no partition of its own."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask
from huey import crontab

from cases import partitions
from web.app_state import state


def ensure_ahead(app: Flask, years: int | None = None) -> dict[str, list[int]]:
    """Create the yearly partitions of the event log and letters up to this year plus ``years`` (default
    ``PARTITION_YEARS_AHEAD``); returns the years created per table (nothing on SQLite)."""
    ahead = max(0, app.config["PARTITION_YEARS_AHEAD"] if years is None else years)
    created = partitions.ensure_years(state(app).engine, datetime.now(timezone.utc).year + ahead)
    for table, made in created.items():
        app.logger.info("partitions: %s gets years %s", table, ", ".join(map(str, made)))
    return created


def init_app(app: Flask) -> None:
    """On PostgreSQL the worker makes sure of the coming years' partitions once a day (once across workers)."""
    if state(app).engine.dialect.name != "postgresql":
        return
    huey = state(app).huey

    @huey.periodic_task(crontab(minute="40", hour="3"), name="partitions_ahead")
    def partitions_ahead() -> int:
        with app.app_context():
            return sum(len(made) for made in ensure_ahead(app).values())

    state(app).tasks.partitions_ahead = partitions_ahead
