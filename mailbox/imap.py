"""IMAP plumbing on imapclient: connecting with the configured security, finding new UIDs, marking mail done."""
from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Sequence

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from .errors import MailConnectionError
from .settings import MailSettings

log = logging.getLogger(__name__)
IMAP_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError)


def connect(settings: MailSettings, ssl_context: ssl.SSLContext | None = None) -> IMAPClient:
    """A logged-in client for ``settings`` (tls, starttls or none). Raises ``MailConnectionError``.

    ``ssl_context``: instead of ``settings.ssl_context()`` (system CAs plus MAIL_TLS_CA_FILE, names checked).
    """
    try:
        secure = settings.imap_security != "none"
        context = (ssl_context or settings.ssl_context()) if secure else None
        client = IMAPClient(
            settings.imap_host,
            port=settings.imap_port,
            ssl=settings.imap_security == "tls",
            ssl_context=context if settings.imap_security == "tls" else None,
            timeout=settings.timeout,
        )
        if settings.imap_security == "starttls":
            client.starttls(context)
        client.normalise_times = False  # keep server time zones: aware datetimes
        quiet_protocol_log(client)
        client.login(settings.imap_user, settings.imap_password)
        return client
    except IMAP_ERRORS as exc:
        raise MailConnectionError(
            f"IMAP {settings.imap_host}:{settings.imap_port} ({settings.imap_security}): {exc}"
        ) from exc


def logout_quietly(client: IMAPClient) -> None:
    """Log out, ignoring a connection that is already dead (nothing is left to keep on it)."""
    try:
        client.logout()
    except Exception:  # the connection may already be dead; nothing to keep
        pass


def quiet_protocol_log(client: IMAPClient) -> None:
    """Stop imaplib from formatting every response for a debug log nobody reads.

    imapclient routes imaplib's protocol trace to the ``imapclient.imaplib`` logger by setting imaplib's debug
    level to 5; imaplib then builds the ``repr`` of every response, fetched message bodies included, before the
    logger drops it. That formatting cost about four times as much CPU as the whole fetch. The trace stays on
    when that logger is enabled for DEBUG.
    """
    imap = getattr(client, "_imap", None)
    if imap is not None and not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
        imap.debug = 0


class UidFinder:
    """Finds UIDs above a given one, falling back when the server rejects ``SEARCH CHARSET``.

    The strategy that worked is remembered for the connection, so a rejecting server costs one extra round trip
    per connection, not per folder.
    """

    def __init__(self, charset: str | None):
        self.charset = charset
        self.used: str | None = None  # "charset", "plain" or "all": which strategy answered last

    def after(self, client: IMAPClient, last_uid: int) -> list[int]:
        """UIDs greater than ``last_uid`` in the selected folder, ascending."""
        criteria = [b"UID", f"{last_uid + 1}:*".encode()]
        strategies = []
        if self.charset:
            strategies.append(("charset", lambda: client.search(criteria, charset=self.charset)))
        strategies.append(("plain", lambda: client.search(criteria)))
        strategies.append(("all", lambda: client.search([b"ALL"])))
        if self.used:
            strategies.sort(key=lambda item: item[0] != self.used)
        error: Exception | None = None
        for name, run in strategies:
            try:
                found = run()
            except IMAPClientError as exc:  # e.g. "NO [BADCHARSET]" or "BAD" from a server without CHARSET
                log.info("IMAP search strategy %s rejected: %s", name, exc)
                error = exc
                continue
            self.used = name
            # "n:*" always matches the highest UID even when it is below n, so filter.
            return sorted(uid for uid in found if uid > last_uid)
        raise MailConnectionError(f"the server rejected every search: {error}")


def mark_done(client: IMAPClient, settings: MailSettings, uids: Sequence[int]) -> None:
    """Flag or move handled messages (per MAIL_DONE_ACTION); called only after their letters are committed."""
    if not uids or settings.done_action == "leave":
        return
    if settings.done_action == "flag":
        client.add_flags(list(uids), [settings.done_keyword.encode()], silent=True)
        return
    if client.has_capability("MOVE"):
        client.move(list(uids), settings.done_folder)
        return
    client.copy(list(uids), settings.done_folder)
    client.add_flags(list(uids), [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(list(uids))
    else:
        client.expunge()


def ensure_folder(client: IMAPClient, folder: str) -> None:
    """Create ``folder`` unless it exists (for MAIL_DONE_FOLDER)."""
    if not client.folder_exists(folder):
        try:
            client.create_folder(folder)
        except IMAPClientError:
            if not client.folder_exists(folder):  # another poller may have just created it
                raise
