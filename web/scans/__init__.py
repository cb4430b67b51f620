"""The paper channel in the app: upload scans, OCR in the background worker, review, register as cases.

Blueprint ``scans`` (desk roles) and the quarantine's retry hook for ``scan`` items; the ``letters`` command group
is in web.commands.scans and the worker tasks (OCR of a batch, the sweep, the watched folder) in web.tasks.scans.
"""
from __future__ import annotations

from flask import Flask

from web.scans.views import bp  # noqa: F401


def init_app(app: Flask) -> None:
    """Register the quarantine retry hook."""
    from web.scans import retry

    retry.init_app(app)
