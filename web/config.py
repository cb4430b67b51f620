"""Default configuration. Every key can be overridden from the environment with the ``FLASK_`` prefix
(``FLASK_DATABASE_URL=postgresql+psycopg://...``), read by the app factory, never at import time elsewhere."""
from __future__ import annotations


class DefaultConfig:
    # Storage: empty means "embedded default under the instance folder" (SQLite, Whoosh, local files).
    DATABASE_URL = ""
    FILES_DIR = ""
    SEARCH_URL = ""
    SEARCH_WRITER_TIMEOUT = 30.0  # seconds a worker waits for the index's single writer lock
    REDIS_URL = ""  # set to use Redis for jobs and rate limits
    HUEY_IMMEDIATE = False  # run jobs inline (tests)
    WORKER_COUNT = 2

    # Uploads: Flask has no limit by default.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    MAX_ATTACHMENTS = 5
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

    # Sessions and cookies.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 10
    WTF_CSRF_TIME_LIMIT = None  # the session's own time-outs bound the token's life

    # Behind a reverse proxy (nginx): how many proxies to trust for the client address and scheme.
    PROXY_COUNT = 0

    # Abuse limits.
    LETTER_RATE_LIMIT = "5 per minute;30 per day"
    TRACK_RATE_LIMIT = "30 per minute"
    LOGIN_MAX_FAILURES = 5
    LOGIN_WINDOW_MINUTES = 15
    RATELIMIT_HEADERS_ENABLED = True

    # The office's calendar and deadlines.
    OFFICE_NAME = "Mayor's Mailbox — City Hotline Office"
    OFFICE_TIMEZONE = "Asia/Shanghai"
    HOLIDAYS: list[str] = []
    MAKEUP_DAYS: list[str] = []
    DISPATCH_DAYS = 1
    ANSWER_DAYS = {"consultation": 3, "help": 3, "report": 10, "suggestion": 10, "complaint": 10, "praise": 10}
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"

    # Languages of the UI.
    LANGUAGES = ["en", "zh", "es"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
