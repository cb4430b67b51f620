"""Supervision: dashboard, unit performance, the supervisors' case lists, deadlines, emergencies, weekly reports
(blueprints ``supervision`` and ``supervisor``; the worker tasks are in web.tasks.supervision)."""
from __future__ import annotations

from flask import Flask

from web.supervision import emergency as emergency_web
from web.supervision.views import bp  # noqa: F401


def init_app(app: Flask) -> None:
    """Wire the emergency alerts."""
    emergency_web.init_app(app)
