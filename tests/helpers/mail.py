"""The app's mail settings pointed at the test servers."""
from __future__ import annotations



MAIL_FROM = "Mayor's Mailbox <mailbox@city.example>"


def mail_config(dovecot, smtp_server, folder: str, **overrides) -> dict:
    config = dict(IMAP_HOST=dovecot.host, IMAP_PORT=dovecot.port, IMAP_SECURITY="none", IMAP_USER=dovecot.user,
                  IMAP_PASSWORD=dovecot.password, IMAP_FOLDERS=folder, SMTP_HOST=smtp_server.host,
                  SMTP_PORT=smtp_server.port, SMTP_SECURITY="none", MAIL_FROM=MAIL_FROM, MAIL_BATCH_SIZE=2,
                  MAIL_POLL_MINUTES=0)
    config.update(overrides)
    return config
