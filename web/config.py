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
    # A kicked outbox drain starts at most this often per worker process (seconds): under load, the cases
    # committed meanwhile are indexed in one batch instead of one index commit each (a Whoosh commit costs as
    # much as indexing dozens of cases, and more as the index grows). 0: no pacing.
    OUTBOX_DRAIN_PACE = 2.0
    # Once the app is built, put everything it holds out of the garbage collector's reach (gc.freeze): a full
    # collection in a web process then looks at a few thousand objects instead of about 170,000, about 3 ms
    # instead of 90 ms during which every thread of the process waits (the longest stalls under load). Never
    # under TESTING, where one process builds app after app and frozen objects are never freed.
    GC_FREEZE = True

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

    # Citizens may write without a name (the tracking code, or a phone number, is enough to follow up).
    ANONYMOUS_LETTERS = False

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

    # Reply letters: which case kinds need a supervisor's approval before the reply goes out, and the
    # letterhead. OFFICE_LETTERHEAD maps a letter language to overrides of name / authority / address lines.
    REPLY_APPROVAL_KINDS = ["complaint"]
    OFFICE_AUTHORITY = "City of Springfield"
    OFFICE_ADDRESS = ["1 City Hall Square", "Springfield 10100"]
    OFFICE_PHONE = "12345"
    OFFICE_EMAIL = ""
    OFFICE_WEBSITE = ""
    OFFICE_LETTERHEAD: dict[str, dict] = {}
    LETTER_DUPLEX = False  # "print today's post" pads letters to whole sheets for two-sided printers

    # Email: IMAP intake and SMTP sending (empty IMAP_HOST / SMTP_HOST: the channel is off).
    IMAP_HOST = ""
    IMAP_PORT = ""  # empty: 993 for tls, 143 otherwise
    IMAP_SECURITY = "tls"  # tls / starttls / none
    IMAP_USER = ""
    IMAP_PASSWORD = ""
    IMAP_FOLDERS = "INBOX"  # comma-separated
    SMTP_HOST = ""
    SMTP_PORT = ""  # empty: 465 for tls, 587 for starttls, 25 for none
    SMTP_SECURITY = "starttls"
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    MAIL_FROM = ""  # e.g. "Mayor's Mailbox <mailbox@city.example>"
    MAIL_MAX_BYTES = 25 * 1024 * 1024  # larger mail is quarantined with its first MAIL_MAX_BYTES kept
    MAIL_DONE_ACTION = "flag"  # flag / move / leave: what happens to fetched mail on the server
    MAIL_DONE_FOLDER = "Processed"
    MAIL_DONE_KEYWORD = "$Processed"
    MAIL_BATCH_SIZE = 100
    MAIL_PARSE_WORKERS = 1
    # Raw mail written as one pack file per fetch batch (far cheaper than a file per message), with a SQLite index
    # in FILES_DIR. None: on with a SQLite database, off otherwise (a FILES_DIR shared by several machines).
    MAIL_RAW_PACKS = None
    MAIL_TIMEOUT = 60
    MAIL_POLL_MINUTES = 5  # 0: no periodic poll (run `flask --app web mailbox fetch` yourself)
    MAIL_LOCK_SECONDS = 600  # a crashed poller's folder lock expires after this
    MAIL_ACKNOWLEDGE = True  # acknowledge new person-written email cases with number and tracking link
    MAIL_RETRY_SECONDS = 60  # first retry delay of a transient send failure; doubles each attempt
    MAIL_SEND_MAX_ATTEMPTS = 8

    # Paper letters: OCR languages (tesseract codes), parallel tesseract processes (0: one per core), the word
    # confidence under which the review screen marks a word, and the folder a network scanner drops files into
    # (empty: off), looked at every SCAN_WATCH_MINUTES.
    OCR_LANGUAGES = ["eng", "spa", "chi_sim"]
    OCR_WORKERS = 0
    OCR_LOW_CONFIDENCE = 60
    SCAN_WATCH_DIR = ""
    SCAN_WATCH_MINUTES = 1

    # Languages of the UI.
    LANGUAGES = ["en", "zh", "es"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
