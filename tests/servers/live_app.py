"""The app served on a loopback port for the browser tests, as in production: secure cookies (Chromium treats
127.0.0.1 as a secure origin), CSRF enforced, not in testing mode, with the demo data."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from cases import demo
from web.app_state import state
from web.auth import hasher


def demo_app(app_factory: Callable[..., Flask], **overrides: Any) -> Flask:
    app = app_factory(**{"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True, "WTF_CSRF_ENABLED": True,
                         "TESTING": False, **overrides})
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, hasher())
        session.commit()
    return app


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve ``app`` in a thread until the block ends; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
