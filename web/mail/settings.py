"""The email channel's settings, read from the app's ``IMAP_*``, ``SMTP_*`` and ``MAIL_*`` keys."""
from __future__ import annotations

from dataclasses import replace

from flask import Flask

from mailbox import (MailConfigError, MailSettings, settings_from_mapping)
from web.app_state import state


def mail_settings(app: Flask) -> MailSettings:
    """``MailSettings`` from the app's ``IMAP_*``, ``SMTP_*`` and ``MAIL_*`` keys; ``MailConfigError`` if wrong."""
    cfg = app.config
    settings = settings_from_mapping(cfg)
    try:
        return replace(settings, batch_size=int(cfg.get("MAIL_BATCH_SIZE") or settings.batch_size),
                       parse_workers=int(cfg.get("MAIL_PARSE_WORKERS", settings.parse_workers)),
                       timeout=float(cfg.get("MAIL_TIMEOUT") or settings.timeout))
    except (TypeError, ValueError) as exc:
        raise MailConfigError(f"MAIL_BATCH_SIZE, MAIL_PARSE_WORKERS and MAIL_TIMEOUT must be numbers: {exc}") from None


def imap_configured(app: Flask) -> bool:
    return bool(app.config.get("IMAP_HOST") and app.config.get("IMAP_USER"))


def raw_packs(app: Flask) -> bool:
    """Whether mail intake writes raw mail as one pack per batch (MAIL_RAW_PACKS; by default with SQLite only).

    A pack's index is a SQLite file in FILES_DIR, which must not be written from several machines (a FILES_DIR
    shared over NFS); a SQLite case database means one machine anyway."""
    setting = app.config.get("MAIL_RAW_PACKS")
    if setting is None:
        return state(app).engine.dialect.name == "sqlite"
    return bool(setting)
