"""The paper channel in the app: upload scans, OCR in the background worker, review, register as cases.

Blueprint ``scans`` (desk roles), the ``letters`` command group, the Huey tasks (OCR of a batch, the sweep, the
watched folder ``SCAN_WATCH_DIR``) and the quarantine's retry hook for ``scan`` items.
"""
from __future__ import annotations

from flask import Flask

from web.scans.views import bp  # noqa: F401


def init_app(app: Flask) -> None:
    """Register the jobs, the command group and the quarantine retry hook (after ``web.jobs.init_app``)."""
    from web.scans import cli, retry, tasks

    tasks.init_app(app)
    app.cli.add_command(cli.letters_cli)
    retry.init_app(app)
