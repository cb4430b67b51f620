"""IMAP and SMTP over TLS: implicit TLS and STARTTLS against the real Dovecot and aiosmtpd, certificates checked.

The servers use a throwaway self-signed certificate; the client trusts it only through MAIL_TLS_CA_FILE.
"""
from __future__ import annotations

import json
import ssl

import pytest
from sqlalchemy import func, select

from cases.models import Case, Reply
from mailbox import MailConfigError, MailConnectionError, MailSettings, SendError, build_message, poll_folder
from mailbox import send_message, settings_from_mapping
from mailbox.imap import connect
from tests.mail_corpus import make_plain, make_with_attachment
from tests.mail_corpus.memory_store import MemoryStore
from web.app_state import state


def imap_settings(dovecot, security: str, **overrides) -> MailSettings:
    port = dovecot.tls_port if security == "tls" else dovecot.port
    values = dict(imap_host=dovecot.host, imap_port=port, imap_security=security, imap_user=dovecot.user,
                  imap_password=dovecot.password, tls_ca_file=str(dovecot.ca_file), batch_size=2)
    values.update(overrides)
    return MailSettings(**values)


def smtp_settings(smtp_server, security: str, **overrides) -> MailSettings:
    port = {"tls": smtp_server.tls_port, "starttls": smtp_server.starttls_port}.get(security, smtp_server.port)
    values = dict(smtp_host=smtp_server.host, smtp_port=port, smtp_security=security,
                  mail_from="City Mailbox <mailbox@city.example>", tls_ca_file=str(smtp_server.ca_file))
    values.update(overrides)
    return MailSettings(**values)


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_imap_connection_is_encrypted_and_verified(dovecot, security):
    client = connect(imap_settings(dovecot, security))
    try:
        sock = client.socket()
        assert isinstance(sock, ssl.SSLSocket) and sock.version().startswith("TLSv1.")
        assert sock.getpeercert()["subject"] == ((("commonName", "localhost"),),)  # only a verified peer has one
    finally:
        client.logout()
    context = imap_settings(dovecot, security).ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_poll_over_tls_fetches_everything_once(dovecot, security):
    folder = dovecot.new_folder()
    dovecot.append(folder, [make_plain(1), make_with_attachment(2, 50_000), make_plain(3)])
    settings = imap_settings(dovecot, security, imap_folders=(folder,))
    store = MemoryStore()
    summary = poll_folder(settings, store, folder)
    assert (summary.fetched, summary.new_cases, summary.errors) == (3, 3, [])
    assert store.subjects() == ["Photo of the broken bench 2", "Pothole report 1", "Pothole report 3"]
    assert poll_folder(settings, store, folder).fetched == 0


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_imap_refuses_an_untrusted_certificate(dovecot, security):
    # Without the CA file the self-signed certificate is not trusted: a clear error, no login attempted.
    with pytest.raises(MailConnectionError, match="certificate verify failed"):
        connect(imap_settings(dovecot, security, tls_ca_file=""))


def test_imap_tls_against_a_plain_port_is_a_connection_error(dovecot):
    with pytest.raises(MailConnectionError):
        connect(imap_settings(dovecot, "tls", imap_port=dovecot.port, timeout=5))


def test_unreadable_ca_file_is_a_config_error(dovecot, tmp_path):
    missing = tmp_path / "none.pem"
    with pytest.raises(MailConfigError, match="MAIL_TLS_CA_FILE"):
        connect(imap_settings(dovecot, "tls", tls_ca_file=str(missing)))
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(MailConfigError, match="MAIL_TLS_CA_FILE"):
        imap_settings(dovecot, "tls", tls_ca_file=str(tmp_path / "junk.pem")).ssl_context()


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_smtp_sends_over_an_encrypted_session(smtp_server, security):
    smtp_server.envelopes.clear()
    settings = smtp_settings(smtp_server, security)
    message = build_message(settings, to="citizen@example.org", subject="Your case", text="Received.",
                            case_number="2026-000001")
    send_message(settings, message)
    [envelope] = smtp_server.envelopes
    assert envelope.tls and envelope.rcpt_tos == ["citizen@example.org"]
    assert b"Subject: Your case [Case 2026-000001]" in envelope.data


def test_plain_smtp_session_is_recorded_as_unencrypted(smtp_server):
    # The capture's TLS flag is what the tests above rely on: a plain session must read False.
    smtp_server.envelopes.clear()
    settings = smtp_settings(smtp_server, "none")
    send_message(settings, build_message(settings, to="citizen@example.org", subject="Plain", text="x"))
    assert [e.tls for e in smtp_server.envelopes] == [False]


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_smtp_refuses_an_untrusted_certificate(smtp_server, security):
    smtp_server.envelopes.clear()
    settings = smtp_settings(smtp_server, security, tls_ca_file="")
    message = build_message(settings, to="citizen@example.org", subject="Never sent", text="x")
    with pytest.raises(SendError, match="certificate verify failed") as info:
        send_message(settings, message)
    assert not info.value.transient  # retrying will not make the certificate trusted
    assert smtp_server.envelopes == []


def test_tls_settings_from_flask_keys():
    settings = settings_from_mapping({"IMAP_SECURITY": "starttls", "SMTP_SECURITY": "tls",
                                      "MAIL_TLS_CA_FILE": " /etc/office-ca.pem "})
    assert (settings.imap_port, settings.smtp_port) == (143, 465)
    assert settings.tls_ca_file == "/etc/office-ca.pem"


def test_app_fetches_over_imaps_and_acknowledges_over_starttls(app_factory, dovecot, smtp_server, tmp_path):
    """The whole channel with encryption on both sides, configured only through Flask keys."""
    folder = dovecot.new_folder()
    smtp_server.envelopes.clear()
    dovecot.append(folder, [make_plain(41), make_plain(42)])
    # Each test server has its own certificate: the office trusts both through one bundle.
    bundle = tmp_path / "office-ca.pem"
    bundle.write_bytes(dovecot.ca_file.read_bytes() + smtp_server.ca_file.read_bytes())
    app = app_factory(IMAP_HOST=dovecot.host, IMAP_PORT=dovecot.tls_port, IMAP_SECURITY="tls",
                      IMAP_USER=dovecot.user, IMAP_PASSWORD=dovecot.password, IMAP_FOLDERS=folder,
                      SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.starttls_port, SMTP_SECURITY="starttls",
                      MAIL_FROM="Mayor's Mailbox <mailbox@city.example>", MAIL_POLL_MINUTES=0,
                      MAIL_TLS_CA_FILE=str(bundle), MAIL_BATCH_SIZE=2)
    result = app.test_cli_runner().invoke(args=["mailbox", "fetch", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (summary["fetched"], summary["new_cases"]) == (2, 2)
    assert sorted(r for e in smtp_server.envelopes for r in e.rcpt_tos) == ["citizen41@example.org",
                                                                          "citizen42@example.org"]
    assert all(e.tls for e in smtp_server.envelopes)
    with state(app).sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 2
        assert s.scalars(select(Reply.status)).all() == ["sent", "sent"]
