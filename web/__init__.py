"""The Flask application and composition root: ``flask --app web ...`` and ``gunicorn 'web:create_app()'``."""
from __future__ import annotations

import gc
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from web import config

CHECKOUT = Path(__file__).resolve().parent.parent


def check_mailbox_shadowing() -> None:
    """Our ``mailbox/`` package deliberately shadows the standard library's; make sure ours is the one loaded.

    The app runs from the checkout (never pip-installed), so the checkout comes first on ``sys.path``; if it did
    not, the standard library's ``mailbox`` would be imported silently and the email channel would break.
    """
    import mailbox

    location = Path(getattr(mailbox, "__file__", "") or "").resolve()
    if CHECKOUT not in location.parents:
        raise RuntimeError(f"'mailbox' was imported from {location}, not from the checkout {CHECKOUT}: "
                           "run the app from the checkout (flask --app web, gunicorn --chdir).")


def _instance_defaults(app: Flask) -> None:
    """Fill storage settings left empty with the embedded defaults under ``instance/``."""
    inst = Path(app.instance_path)
    inst.mkdir(parents=True, exist_ok=True)
    cfg = app.config
    cfg["DATABASE_URL"] = cfg["DATABASE_URL"] or f"sqlite:///{inst / 'mailbox.db'}"
    cfg["FILES_DIR"] = cfg["FILES_DIR"] or str(inst / "files")
    cfg["SPOOL_DIR"] = cfg["SPOOL_DIR"] or str(inst / "spool")
    cfg["SEARCH_URL"] = cfg["SEARCH_URL"] or str(inst / "index")
    cfg["HUEY_SQLITE_PATH"] = cfg["HUEY_SQLITE_PATH"] or str(inst / "jobs.db")
    if not cfg.get("SECRET_KEY"):
        key_file = inst / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        cfg["SECRET_KEY"] = key_file.read_text().strip()
    if not cfg.get("RATELIMIT_STORAGE_URI"):
        # Shared by every web process: Redis when there is one, else a SQLite file on this machine.
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"] or f"sqlitefile://{inst / 'ratelimits.db'}"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, wiring, blueprints, commands."""
    check_mailbox_shadowing()
    app = Flask(__name__, instance_path=os.environ.get("MAILBOX_INSTANCE_PATH") or str(CHECKOUT / "instance"),
                template_folder=str(CHECKOUT / "templates"), static_folder=str(CHECKOUT / "static"))
    app.config.from_object("web.config.DefaultConfig")
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    config.check(app.config)
    if config.development_base_url(app.config) and not (app.debug or app.testing):
        app.logger.warning("PUBLIC_BASE_URL is %s: links in letters will point at this machine; set "
                           "FLASK_PUBLIC_BASE_URL to the citizens' site.", app.config["PUBLIC_BASE_URL"])
    _instance_defaults(app)
    if int(app.config["PROXY_COUNT"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from web import app_state, auth, code_labels, i18n, mail, query_args, search_wiring, security, upload_limits
    from web.tasks import queue
    from web.extensions import csrf, limiter

    app.extensions["mayors_mailbox"] = app_state.build_state(app)
    upload_limits.init_app(app)
    query_args.init_app(app)  # before the blueprints: their <int:> routes take its converter
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    code_labels.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    queue.init_app(app)
    search_wiring.init_app(app)
    mail.init_app(app)
    app.teardown_appcontext(app_state.close_db)

    from web import (admin, casepage, commands, desk, disclosure, errors, health, knowledge, levels, places, privacy,
                     public, quarantine, reply_letters, scans, search, sms, supervision, tasks, unit)
    from web.supervision import case_lists
    from web.knowledge import search as knowledge_search

    for module in (public, desk, unit, casepage, search, case_lists, admin, supervision, disclosure, quarantine,
                   reply_letters, scans, knowledge, privacy, sms, health, levels, places):
        app.register_blueprint(module.bp)
    knowledge_search.init_app(app)
    sms.init_app(app)
    reply_letters.init_app(app)
    privacy.init_app(app)
    scans.init_app(app)
    supervision.init_app(app)
    disclosure.init_app(app)
    places.init_app(app)
    errors.init_app(app)
    tasks.init_app(app)
    commands.init_app(app)
    if app.config["GC_FREEZE"] and not app.testing:
        gc.freeze()
    return app
