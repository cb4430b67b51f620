"""Default configuration. Every key can be overridden from the environment with the ``FLASK_`` prefix
(``FLASK_DATABASE_URL=postgresql+psycopg://...``), read by the app factory, never at import time elsewhere."""
from __future__ import annotations

import inspect
import json
import re
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlsplit


class DefaultConfig:
    # Storage: empty means "embedded default under the instance folder" (SQLite, Whoosh, local files).
    DATABASE_URL = ""
    FILES_DIR = ""
    # Web letters kept while the database was away, registered by the worker when it is back (cases.spool).
    SPOOL_DIR = ""
    OUTAGE_RETRY_SECONDS = 30  # Retry-After of the 503 answered while the database or the disk is down
    SEARCH_URL = ""
    SEARCH_WRITER_TIMEOUT = 30.0  # seconds a worker waits for the index's single writer lock
    # `index check` warns when a Whoosh index holds more cases than this: beyond it searches miss 100 ms p95 on
    # one machine (bench/search.py) and the PostgreSQL search backend is the one to run. 0: never warn.
    SEARCH_WHOOSH_MAX_CASES = 100_000
    REDIS_URL = ""  # set to use Redis for jobs and rate limits
    HUEY_IMMEDIATE = False  # run jobs inline (tests)
    WORKER_COUNT = 2
    HUEY_NAME = "mayors-mailbox"  # the job queue's name in its storage
    HUEY_SQLITE_PATH = ""  # empty: jobs.db in the instance folder (without REDIS_URL)
    # A kicked outbox drain starts at most this often per worker process (seconds), so that the cases committed
    # meanwhile are indexed in one batch (an index commit costs as much as indexing many cases). 0: no pacing.
    OUTBOX_DRAIN_PACE = 2.0
    # Once the app is built, keep what it holds out of the garbage collector's full passes (gc.freeze), whose
    # pauses stop every thread of a web process. Never under TESTING, where one process builds app after app.
    GC_FREEZE = True

    # Uploads: Flask has no limit by default.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    MAX_ATTACHMENTS = 5
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    # A call recording or voice message (web letter, phone desk): 20 MB is about 20 minutes of MP3 at 128 kbit/s.
    MAX_AUDIO_BYTES = 20 * 1024 * 1024
    # A citizen's letter larger than MAX_CONTENT_LENGTH, up to this, is still read: the form comes back filled in,
    # its files refused with a message; a larger post gets the error page.
    LETTER_POST_READ_BYTES = 110 * 1024 * 1024

    # Sessions and cookies.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    SESSION_IDLE_MINUTES = 30
    # argon2's named cost profile for new password hashes (CHEAPEST only for throwaway test instances).
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"
    SESSION_ABSOLUTE_HOURS = 10
    WTF_CSRF_TIME_LIMIT = None  # the session's own time-outs bound the token's life

    # Where to report a vulnerability (/.well-known/security.txt): URIs such as "mailto:security@city.example";
    # empty: OFFICE_EMAIL, else security@ the host of PUBLIC_BASE_URL.
    SECURITY_CONTACT: list[str] = []

    # Behind a reverse proxy (nginx): how many proxies to trust for the client address and scheme.
    PROXY_COUNT = 0

    # Citizens may write without a name (the tracking code, or a phone number, is enough to follow up).
    ANONYMOUS_LETTERS = False

    # Abuse limits, counted in RATELIMIT_STORAGE_URI (empty: REDIS_URL, else a file shared by the processes of
    # this machine in the instance folder).
    RATELIMIT_STORAGE_URI = ""
    LETTER_RATE_LIMIT = "5 per minute;30 per day"
    TRACK_RATE_LIMIT = "30 per minute"
    OPEN311_RATE_LIMIT = "60 per minute"
    OPEN311_MEDIA_MAX_BYTES = 5 * 1024 * 1024  # a photo sent with an Open311 request
    # Failed log-ins: this many per (client address, account) pair, and LOGIN_ADDRESS_MAX_FAILURES per address,
    # within LOGIN_WINDOW_MINUTES are free; each further one doubles the wait before the next try, from
    # LOGIN_BACKOFF_SECONDS up to LOGIN_WINDOW_MINUTES. No account is ever locked for everybody.
    LOGIN_MAX_FAILURES = 5
    LOGIN_ADDRESS_MAX_FAILURES = 20
    LOGIN_BACKOFF_SECONDS = 30
    LOGIN_WINDOW_MINUTES = 15
    RATELIMIT_HEADERS_ENABLED = True

    # The office's calendar and deadlines.
    OFFICE_NAME = "Mayor's Mailbox — City Hotline Office"
    OFFICE_TIMEZONE = "Asia/Shanghai"
    HOLIDAYS: list[str] = []
    MAKEUP_DAYS: list[str] = []
    DISPATCH_DAYS = 1
    # A co-handling unit's part (协办) is due this many working days before the lead unit's feedback.
    CO_PART_MARGIN_DAYS = 2
    # Digits of a case number's yearly serial (2026-0000123): enough for the office's busiest year, so that numbers
    # sort in order; a larger serial keeps all its digits.
    CASE_NUMBER_DIGITS = 7
    ANSWER_DAYS = {"consultation": 3, "help": 3, "report": 10, "suggestion": 10, "complaint": 10, "praise": 10}
    # Office hours of a working day and night-duty periods (every day; a period may run past midnight), local time.
    OFFICE_HOURS = ["09:00-12:00", "13:30-17:30"]
    NIGHT_DUTY: list[str] = []
    # Per urgency level: when the unit must sign for a dispatched case (签收) and give feedback. A span is
    # "N hours" (around the clock), "N office hours", "N duty hours" (office hours and night duty),
    # "N working days" or "answer days" (ANSWER_DAYS of the case's kind).
    URGENCY_DEADLINES = {
        "ordinary": {"sign": "1 working days", "feedback": "answer days"},
        "urgent": {"sign": "2 office hours", "feedback": "24 hours"},
        "emergency": {"sign": "1 duty hours", "feedback": "12 hours"},
    }
    # Notices for cases whose deadline counts in hours, and for every case not signed for in time: how often the
    # worker looks (minutes; 0: never), and the reminder / chase / escalation hours around the deadline.
    HOUR_NOTICE_MINUTES = 10
    # Notices for deadlines in working days, sent at NOTICE_HOUR (local) on working days: a reminder this many
    # working days before the deadline, a chase and an escalation this many after it.
    NOTICE_HOUR = 8
    REMINDER_DAYS_BEFORE = 2
    CHASE_DAYS_AFTER = 1
    ESCALATE_DAYS_AFTER = 3
    REMINDER_HOURS_BEFORE = 4
    CHASE_HOURS_AFTER = 1
    ESCALATE_HOURS_AFTER = 4
    # The citizens' site as the public reaches it (https://mailbox.city.example): every link written into a
    # letter, email, SMS or printed reply (tracking page, QR code) starts with it, never with the address a request
    # came in on. The default suits `make run` on one machine only; the app warns when it is served with it.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Host names (or URLs) of the office's own sites besides PUBLIC_BASE_URL, e.g. the staff site: links to them
    # are stripped from everything published.
    OFFICE_INTERNAL_HOSTS: list[str] = []
    # Regions (ISO 3166 codes) whose phone numbers, written without a country code, are redacted from published
    # texts; numbers written with one (+34 ...) are redacted whatever the region.
    REDACTION_PHONE_REGIONS = ["CN", "ES", "US", "GB"]

    # Reply letters: which case kinds need a supervisor's approval before the reply goes out, and the
    # letterhead. OFFICE_LETTERHEAD maps a letter language to overrides of name / authority / address lines.
    REPLY_APPROVAL_KINDS = ["complaint"]
    # A merge of a duplicate into a main case can be undone from the duplicate's page for this many hours.
    MERGE_UNDO_HOURS = 24
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
    MAIL_LOCK_SECONDS = 30.0  # a poller's folder lease; renewed while it lives, so a killed one's lapses after this
    MAIL_ACKNOWLEDGE = True  # acknowledge new person-written email cases with number and tracking link
    MAIL_RETRY_SECONDS = 60  # first retry delay of a transient send failure; doubles each attempt
    MAIL_TLS_CA_FILE = ""  # a CA bundle trusted for IMAP and SMTP besides the system's (an office's own CA)
    MAIL_SEND_MAX_ATTEMPTS = 8

    # Who is alerted when a case is declared a major emergency, besides the active supervisors (email; SMS when
    # SMS is on).
    EMERGENCY_LEADER_EMAILS: list[str] = []
    EMERGENCY_LEADER_PHONES: list[str] = []

    # A surge: SURGE_MIN_CASES similar cases (the search index's similarity) in one area within
    # SURGE_WINDOW_MINUTES raise a major-emergency alert, once per cluster.
    SURGE_WINDOW_MINUTES = 60  # 0: no surge alerts
    SURGE_MIN_CASES = 5  # the new case included
    SURGE_MIN_SHARED_WORDS = 3  # topic words (stop words dropped) two similar letters must share

    # Maps (the letter form's pin, the supervisors' case map).
    MAP_TILE_URL = ""  # a tile URL template, e.g. https://tiles.example.org/{z}/{x}/{y}.png; empty: area outlines only
    MAP_TILE_ATTRIBUTION = ""  # the tile server's required credit line
    MAP_CENTER = [31.2304, 121.4737]  # [latitude, longitude] where a map without areas starts
    MAP_ZOOM = 11  # the zoom a map without areas starts at

    # Replied cases still unrated this many working days after the reply go on the clerks' callback list.
    SURVEY_CALLBACK_DAYS = 3

    # SMS through a Kannel gateway (off by default). SMS_SENDSMS_URL is smsbox's sendsms address; Kannel calls
    # back SMS_CALLBACK_URL (this app as Kannel reaches it) at /sms/inbound and /sms/dlr with SMS_TOKEN.
    SMS_ENABLED = False
    SMS_SENDSMS_URL = ""  # e.g. http://127.0.0.1:13013/cgi-bin/sendsms
    SMS_USERNAME = ""
    SMS_PASSWORD = ""
    SMS_FROM = "12345"  # the hotline's number, the sender of our messages
    SMS_TOKEN = ""  # a long random secret shared with kannel.conf
    SMS_CALLBACK_URL = ""  # e.g. http://127.0.0.1:5000
    SMS_TIMEOUT = 10
    # A message a crashed worker left half-sent is sent again after this long unless the gateway reported on it.
    SMS_RESEND_AFTER_SECONDS = 600
    SMS_MAX_SEGMENTS = 6  # longer messages are shortened to this many billed segments
    SMS_PER_NUMBER_PER_HOUR = 5  # outbound to one number; more wait for the next hour
    SMS_INBOUND_PER_NUMBER_PER_HOUR = 20  # inbound from one number that open or follow up cases; more are kept only
    SMS_FOLLOW_UP_DAYS = 30  # an SMS answers the open case we last wrote to its number about within these days

    # Paper letters: OCR languages (tesseract codes), parallel tesseract processes (0: one per core), the word
    # confidence under which the review screen marks a word, and the folder a network scanner drops files into
    # (empty: off), looked at every SCAN_WATCH_MINUTES.
    OCR_LANGUAGES = ["eng", "spa", "chi_sim"]
    # The engine per OCR language: "ppocr" (PP-OCR through ONNX Runtime, for Chinese and the Latin letters mixed
    # into it) or "tesseract"; languages not named, and every page when PP-OCR is not installed, go to tesseract.
    OCR_ENGINES = {"chi_sim": "ppocr"}
    OCR_WORKERS = 0
    OCR_LOW_CONFIDENCE = 60
    SCAN_WATCH_DIR = ""
    SCAN_WATCH_MINUTES = 1

    # Personal data of finished (closed, invalid, merged) cases is erased this many days after their last change,
    # nightly by the worker; the cases, their redacted text and the statistics stay. 0: kept (no purge).
    PRIVACY_RETENTION_DAYS = 0

    # PostgreSQL only: the event log and the letters have a partition per year; the worker creates this many
    # years ahead of the current one, daily (``flask --app web partitions ahead`` does it by hand).
    PARTITION_YEARS_AHEAD = 2

    # Languages of the UI.
    LANGUAGES = ["en", "zh", "es"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"


class ConfigError(ValueError):
    """A setting has a value of the wrong kind; the message names the setting and what it needs."""


def _kind(default: object) -> tuple[type, ...] | None:
    if default is None:
        return None
    if isinstance(default, bool):
        return (bool,)
    if isinstance(default, int):
        return (int,)
    if isinstance(default, float):
        return (int, float)
    return (type(default),)


def check(config: MutableMapping[str, Any]) -> None:
    """Refuse a configuration in which a declared setting has a value of another kind than its default
    (``FLASK_DISPATCH_DAYS=three``), with one message naming every such setting.

    A number given for a text setting (``FLASK_SMS_FROM=12345``, read as JSON) is taken as its text."""
    problems = []
    for name, default in declared().items():
        kinds = _kind(default)
        value = config.get(name)
        if kinds is None:
            continue
        if kinds == (str,) and isinstance(value, (int, float)) and not isinstance(value, bool):
            config[name] = value = str(value)
        if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
            wanted = " or ".join(k.__name__ for k in kinds)
            problems.append(f"{name} must be {wanted} (like {default!r}), not {value!r}")
    base = urlsplit(str(config.get("PUBLIC_BASE_URL") or ""))
    if base.scheme not in ("http", "https") or not base.hostname:
        problems.append(f"PUBLIC_BASE_URL must be an absolute http(s) address, not {config.get('PUBLIC_BASE_URL')!r}")
    if problems:
        raise ConfigError("Invalid settings: " + "; ".join(problems))


def development_base_url(config: MutableMapping[str, Any]) -> bool:
    """Whether PUBLIC_BASE_URL points at this machine (loopback), which no citizen can open."""
    host = urlsplit(str(config.get("PUBLIC_BASE_URL") or "")).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def declared() -> dict[str, Any]:
    """Every setting this app declares, with its default."""
    return {name: getattr(DefaultConfig, name) for name in vars(DefaultConfig) if name.isupper()}


def reference() -> str:
    """The settings as a Markdown table (``docs/configuration.md``), from this file's declarations and comments."""
    lines = inspect.getsource(DefaultConfig).splitlines()[1:]
    rows, pending = [], []
    for line in lines:
        text = line.strip()
        if text.startswith("#"):
            pending.append(text.lstrip("# ").strip())
            continue
        match = re.match(r"([A-Z][A-Z0-9_]*)\s*(?::[^=]+)?=\s*(.*?)\s*(?:#\s*(.*))?$", text)
        if not match:
            pending = []
            continue
        name, _value, note = match.groups()
        about = " ".join([*pending, note or ""]).strip().replace("|", "\\|")
        default = json.dumps(getattr(DefaultConfig, name), ensure_ascii=False).replace("|", "\\|")
        rows.append(f"| `FLASK_{name}` | `{default}` | {about} |")
        pending = []
    head = ["# Settings", "",
            "Generated from `web/config.py` (`python -m web.config > docs/configuration.md`); a test keeps it in step.",
            "Every setting can be given in the environment with the `FLASK_` prefix; values are read as JSON where they",
            "parse as JSON (`FLASK_DISPATCH_DAYS=2`, `FLASK_HOLIDAYS='[\"2026-10-01\"]'`), else as text. A value of the",
            "wrong kind stops the app at start-up with a message naming the setting.", "",
            "| setting | default | meaning |", "| --- | --- | --- |"]
    return "\n".join(head + rows) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
