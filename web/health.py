"""``/healthz``: whether the database answers and the stored-files disk takes writes, for load balancers and
monitoring. 200 when both do, else 503 naming the fault (JSON)."""
from __future__ import annotations

import os
import tempfile

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from werkzeug.wrappers import Response

from web.public.posts import spool
from web.app_state import state

bp = Blueprint("health", __name__)


def _database() -> str:
    try:
        with state().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure is the fault to report
        return f"unreachable: {type(exc).__name__}"
    return "ok"


def _files() -> str:
    """A small write (synced) and delete in FILES_DIR: a full, read-only or failing disk refuses it."""
    try:
        fd, path = tempfile.mkstemp(dir=current_app.config["FILES_DIR"], prefix=".health-")
        try:
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(path)
    except OSError as exc:
        return f"failing: {os.strerror(exc.errno) if exc.errno else exc}"
    return "ok"


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    kept = spool(current_app)
    checks = {"database": _database(), "files": _files(), "spooled_letters": len(kept.pending()),
              "spooled_letters_failed": len(kept.failed())}
    healthy = checks["database"] == "ok" and checks["files"] == "ok"
    response = jsonify(status="ok" if healthy else "fault", **checks)
    if not healthy:
        response.headers["Retry-After"] = str(int(current_app.config["OUTAGE_RETRY_SECONDS"]))
    return response, 200 if healthy else 503
