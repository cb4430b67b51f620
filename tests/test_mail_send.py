"""Outbound letters: headers, threading, case token, header injection refused, real SMTP capture, send errors."""
from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes, policy

import pytest

from cases.drafts import AttachmentDraft
from mailbox import HeaderInjectionError, MailSettings, SendError, build_message, parse_message, send_message
from tests.servers.dovecot import free_port


@pytest.fixture
def settings(smtp_server):
    smtp_server.envelopes.clear()
    return MailSettings(smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_security="none",
                        mail_from="City Mailbox <mailbox@city.example>")


def test_reply_letter_headers(settings):
    message = build_message(
        settings, to="citizen@example.org", to_name="Zhang San", subject="Re: Street light",
        text="Dear citizen, fixed.", html="<p>Dear citizen, <b>fixed</b>.</p>", case_number="2026-000123",
        in_reply_to="<r1@example.org>", references=["<orig@example.org>"],
        attachments=[AttachmentDraft("reply.pdf", b"%PDF-1.4", "application/pdf")],
    )
    assert message["Subject"] == "Re: Street light [Case 2026-000123]"
    assert message["Message-ID"].endswith("@city.example>") and "2026-000123" in message["Message-ID"]
    assert message["In-Reply-To"] == "<r1@example.org>"
    assert message["References"] == "<orig@example.org> <r1@example.org>"
    assert message["Auto-Submitted"] is None
    assert str(message["To"]) == "Zhang San <citizen@example.org>"
    # Read back by our own parser, as the citizen's answer would be.
    draft = parse_message(message.as_bytes())
    assert draft.case_token == "2026-000123"
    assert draft.body.strip() == "Dear citizen, fixed."
    assert "<b>fixed</b>" in draft.body_html
    assert [a.filename for a in draft.attachments] == ["reply.pdf"]


def test_acknowledgement_is_marked_automatic_and_token_not_doubled(settings):
    message = build_message(settings, to="a@example.org", subject="We received your letter [Case 2026-000001]",
                            text="Thanks", case_number="2026-000001", automatic=True)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Subject"].count("2026-000001") == 1


def test_non_ascii_names_and_subjects_are_encoded(settings):
    message = build_message(settings, to="wang@example.cn", to_name="王小明", subject="关于路灯的答复", text="您好")
    raw = message.as_bytes()
    assert raw.isascii()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "关于路灯的答复" and parsed["To"].addresses[0].display_name == "王小明"
    assert parsed.get_content().strip() == "您好"


@pytest.mark.parametrize("field, value", [
    ("to", "victim@example.org\r\nBcc: evil@attacker.example"),
    ("to", "victim@example.org\nBcc: evil@attacker.example"),
    ("to", "not an address"),
    ("to", "a@b@c"),
    ("to_name", "Name\r\nBcc: evil@attacker.example"),
    ("to_name", "=?utf-8?q?Name=0D=0ABcc=3A_evil=40attacker=2Eexample?="),
    ("subject", "Hello\r\nBcc: evil@attacker.example"),
    ("subject", "=?utf-8?b?SGVsbG8NCkJjYzogZXZpbEBhdHRhY2tlci5leGFtcGxl?="),
    ("subject", "Hello\u2028Bcc: evil@attacker.example"),
    ("in_reply_to", "<a@b>\r\nBcc: evil@attacker.example"),
    ("case_number", "2026-000001]\r\nBcc: x"),
])
def test_header_injection_is_refused(settings, field, value):
    args = {"to": "citizen@example.org", "subject": "Reply", "text": "body"}
    args[field] = value
    with pytest.raises(HeaderInjectionError):
        build_message(settings, **args)


def test_mail_from_injection_is_refused(settings):
    with pytest.raises(HeaderInjectionError):
        build_message(replace(settings, mail_from="x@city.example\r\nBcc: evil@attacker.example"),
                      to="a@example.org", subject="s", text="t")


def test_sent_mail_reaches_only_the_intended_recipient(settings, smtp_server):
    message = build_message(settings, to="citizen@example.org", subject="Reply [Case 2026-000002]", text="Hello")
    send_message(settings, message)
    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "mailbox@city.example"
    assert envelope.rcpt_tos == ["citizen@example.org"]
    received = message_from_bytes(envelope.data, policy=policy.default)
    assert received["Message-ID"] == message["Message-ID"]
    assert "Bcc" not in received and received["Subject"] == "Reply [Case 2026-000002]"


def test_injection_attempts_never_reach_the_server(settings, smtp_server):
    """Hostile values are stopped before any SMTP traffic; a message tampered after building is refused too."""
    for name in ("X\r\nBcc: evil@attacker.example", "=?utf-8?q?X=0ABcc:_evil@attacker.example?="):
        with pytest.raises(HeaderInjectionError):
            send_message(settings, build_message(settings, to="c@example.org", to_name=name, subject="s", text="t"))
    message = build_message(settings, to="c@example.org", subject="s", text="t")
    message.replace_header("Subject", "=?utf-8?q?s=0D=0ABcc:_evil@attacker.example?=")
    with pytest.raises(HeaderInjectionError):
        send_message(settings, message)
    assert smtp_server.envelopes == []
    send_message(settings, build_message(settings, to="c@example.org", subject="fine", text="t"))
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["c@example.org"]]


def test_temporary_refusal_is_transient(settings):
    with pytest.raises(SendError) as info:
        send_message(settings, build_message(settings, to="a@later.example", subject="s", text="t"))
    assert info.value.transient and info.value.code == 451


def test_permanent_refusal_is_permanent(settings):
    with pytest.raises(SendError) as info:
        send_message(settings, build_message(settings, to="a@refused.example", subject="s", text="t"))
    assert info.value.permanent and info.value.code == 550
    assert "No such user" in str(info.value)


def test_unreachable_server_is_transient(settings):
    unreachable = replace(settings, smtp_port=free_port(), timeout=5)
    with pytest.raises(SendError) as info:
        send_message(unreachable, build_message(settings, to="a@example.org", subject="s", text="t"))
    assert info.value.transient


ROUND_TRIP_NAMES = [
    "=?utf-8?q?Mallory?=",  # an encoded word as a literal name: must not be decoded by the reader
    "Ann =?utf-8?b?Qm9i?= Lee",
    "李 =?utf-8?b?eA==?=",
    "Doe, Jane",
    'Jane "JD" Doe',
    "O'Brien; <Sales> (day)",
    "王小明",
]


@pytest.mark.parametrize("name", ROUND_TRIP_NAMES)
def test_display_names_round_trip_through_smtp(settings, smtp_server, name):
    send_message(settings, build_message(settings, to="citizen@example.org", to_name=name, subject="s", text="t"))
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["citizen@example.org"]
    received = message_from_bytes(envelope.data, policy=policy.default)
    [address] = received["To"].addresses
    assert (address.display_name, address.addr_spec) == (name, "citizen@example.org")
    assert all(len(line) <= 78 for line in envelope.data.split(b"\r\n"))


def test_a_long_name_with_encoded_words_is_folded_and_still_decodes_to_itself(settings):
    """Split over several encoded words, as RFC 2047 requires; an RFC 2047 reader joins them back exactly."""
    from email.header import decode_header, make_header

    name = "=?utf-8?q?Mallory?= " + "王小明 and Ana Ruiz, " * 6 + "=?x?="
    raw = build_message(settings, to="c@example.org", to_name=name, subject="s", text="t").as_bytes(
        policy=policy.SMTP)
    to = message_from_bytes(raw, policy=policy.compat32)["To"]
    assert raw.isascii() and all(len(line) <= 78 for line in raw.split(b"\r\n"))
    assert str(make_header(decode_header(to.rsplit("<", 1)[0].strip()))) == name.strip()
    assert to.rsplit("<", 1)[1] == "c@example.org>"


def test_mail_from_with_an_encoded_name_means_the_text_it_encodes(settings):
    message = build_message(replace(settings, mail_from="=?utf-8?b?5biC6ZW/5L+h566x?= <mailbox@city.example>"),
                            to="c@example.org", subject="s", text="t")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["From"].addresses[0].display_name == "市长信箱"
