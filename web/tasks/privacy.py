"""The retention purge: one function for the worker's nightly task and the ``privacy purge`` command."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from huey import crontab

from cases import retention
from cases.actors import SYSTEM, Actor
from cases.erasure import Erased
from web.tasks.queue import drain
from web.app_state import state


def retention_days(app: Flask) -> int:
    """The configured retention period in days (0: off)."""
    return max(0, int(app.config.get("PRIVACY_RETENTION_DAYS") or 0))


def due(app: Flask, days: int, *, detail: bool = False) -> list[retention.Due]:
    """The cases whose personal data a purge with a ``days`` retention period would erase now (``detail``: with
    their attachment and file counts)."""
    with state(app).sessions() as session:
        return retention.due_cases(session, retention.cutoff(days), detail=detail)


def purge(app: Flask, todo: list[retention.Due], actor: Actor = SYSTEM,
          on_case: Callable[[Erased], None] | None = None) -> list[Erased]:
    """Erase the personal data of ``todo`` (from ``due``), each logged as an event, then re-index them."""
    done = retention.purge(state(app).sessions, state(app).policy.store, todo, actor, on_case)
    if done:
        app.logger.info("retention: erased the personal data of %d case(s)", len(done))
        drain(app, "index_case")
    return done


def init_app(app: Flask) -> None:
    """With ``PRIVACY_RETENTION_DAYS`` set, the worker purges once a night (once across all workers)."""
    if not retention_days(app):
        return
    huey = state(app).huey

    @huey.periodic_task(crontab(minute="20", hour="2"), name="privacy_purge")
    def privacy_purge() -> int:
        with app.app_context():
            return len(purge(app, due(app, retention_days(app))))

    state(app).tasks.privacy_purge = privacy_purge
