"""Mail settings from Flask-style config keys."""
from __future__ import annotations

import pytest

from mailbox import MailConfigError, settings_from_mapping


def test_from_flask_keys_with_defaults():
    settings = settings_from_mapping({
        "IMAP_HOST": "imap.city.example", "IMAP_SECURITY": "starttls", "IMAP_USER": "hotline",
        "IMAP_PASSWORD": "pw", "IMAP_FOLDERS": "INBOX, Complaints ,", "SMTP_HOST": "smtp.city.example",
        "MAIL_FROM": "City Mailbox <mailbox@city.example>", "MAIL_MAX_BYTES": "1000000", "MAIL_DONE_ACTION": "Move",
        "MAIL_DONE_FOLDER": "Done",
    })
    assert settings.imap_port == 143 and settings.smtp_port == 587 and settings.smtp_security == "starttls"
    assert settings.imap_folders == ("INBOX", "Complaints")
    assert settings.max_bytes == 1_000_000 and settings.done_action == "move"
    assert settings.account == "hotline@imap.city.example"
    assert settings.from_domain == "city.example"


def test_empty_config_has_safe_defaults():
    settings = settings_from_mapping({})
    assert settings.imap_folders == ("INBOX",) and settings.imap_security == "tls" and settings.imap_port == 993
    assert settings.done_action == "flag" and settings.done_keyword == "$Processed"


@pytest.mark.parametrize("config", [
    {"IMAP_SECURITY": "ssl"},
    {"IMAP_PORT": "abc"},
    {"MAIL_DONE_ACTION": "delete"},
    {"MAIL_DONE_ACTION": "flag", "MAIL_DONE_KEYWORD": "bad keyword"},
    {"MAIL_MAX_BYTES": "0"},
])
def test_bad_values_are_clear_errors(config):
    with pytest.raises(MailConfigError):
        settings_from_mapping(config)
