"""Every background task of the worker (Huey), in one package: the queue and its outbox drains
(web.tasks.queue, set up first by the factory), then each area's periodic and one-off tasks."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register each area's tasks on the app's Huey (after ``web.tasks.queue.init_app`` made it)."""
    from web.tasks import mail, partitions, privacy, scans, supervision

    for area in (mail, scans, privacy, supervision, partitions):
        area.init_app(app)
