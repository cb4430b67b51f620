"""Sending from the outbox through a real SMTP server: replies threaded to the citizen's email, notices, transient
failures with backoff, permanent failures shown on the case page with a retry, header injection attempts."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from email.utils import getaddresses

import pytest
from flask import Flask
from sqlalchemy import select

from cases import demo, intake, outbox, services
from cases.drafts import Channel, LetterDraft
from cases.models import Case, Event, OutboxItem, Reply, Unit
from tests.conftest import a_category, login
from tests.helpers.workflow import actor_for
from web.auth import hasher
from web.tasks.queue import drain
from web.app_state import state

MAIL_FROM = "Mayor's Mailbox <mailbox@city.example>"


@pytest.fixture
def send_app(app_factory, smtp_server) -> Flask:
    app = app_factory(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      MAIL_FROM=MAIL_FROM, MAIL_SEND_MAX_ATTEMPTS=3)
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    smtp_server.envelopes.clear()
    return app


def answered_email_case(app: Flask, *, name: str = "Li Lei", email: str = "li.lei@example.org",
                        subject: str = "Bus stop moved", reply_subject: str | None = None,
                        message_id: str = "<orig-1@citizen.example>") -> tuple[int, int]:
    """A case from an email (Message-ID ``message_id``) taken to a reply; returns (case id, reply id)."""
    policy = state(app).policy
    with state(app).sessions() as s:
        draft = LetterDraft(channel=Channel.EMAIL, subject=subject, body="The stop at Elm Street is gone.",
                            sender_name=name, sender_email=email, external_id=message_id)
        case = intake.receive(s, policy, draft).case
        clerk, handler = actor_for(s, "clerk"), actor_for(s, "transport")
        services.register(s, policy, case, clerk, kind="consultation")
        services.dispatch(s, policy, case, clerk, s.scalar(select(Unit.id).where(Unit.name == "Transport Bureau")),
                          category_id=a_category(s))
        services.accept(s, policy, case, handler)
        services.give_feedback(s, policy, case, handler, "The stop is back.")
        reply = services.reply(s, policy, case, clerk, body="Dear Li Lei,\n\nthe stop is back.",
                               subject=reply_subject or case.subject, channel="email")
        s.commit()
        return case.id, reply.id


def reply_row(app: Flask, reply_id: int) -> Reply:
    with state(app).sessions() as s:
        return s.get(Reply, reply_id)


def item_for(app: Flask, reply_id: int) -> OutboxItem:
    with state(app).sessions() as s:
        return s.scalar(select(OutboxItem).where(OutboxItem.key == f"reply:{reply_id}").order_by(OutboxItem.id.desc()))


def age_items(app: Flask, seconds: int) -> None:
    """Move every send_mail item's creation back in time (instead of waiting for its backoff)."""
    with state(app).sessions() as s:
        for item in s.scalars(select(OutboxItem).where(OutboxItem.topic == "send_mail")):
            item.created_at = item.created_at - timedelta(seconds=seconds)
        s.commit()


def test_reply_goes_out_threaded_with_text_and_html(send_app, smtp_server):
    case_id, reply_id = answered_email_case(send_app)
    assert drain(send_app, "send_mail") == 1
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["li.lei@example.org"] and envelope.mail_from == "mailbox@city.example"
    text = envelope.data.decode()
    reply = reply_row(send_app, reply_id)
    assert reply.status == "sent" and reply.sent_at and reply.error == ""
    assert f"Message-ID: {reply.message_id}" in text and "In-Reply-To: <orig-1@citizen.example>" in text
    with state(send_app).sessions() as s:
        number = s.get(Case, case_id).number
        event = s.scalar(select(Event).where(Event.case_id == case_id, Event.action == "mail_sent"))
    assert f"Subject: Bus stop moved [Case {number}]" in text
    assert "text/plain" in text and "text/html" in text and "Auto-Submitted" not in text
    kept = state(send_app).policy.store.get(event.data["raw_sha256"])
    assert reply.message_id.encode() in kept
    # Sent is sent: draining again sends nothing more.
    assert drain(send_app, "send_mail") == 0 and len(smtp_server.envelopes) == 1
    # The citizen's answer to our reply joins the case by In-Reply-To.
    with state(send_app).sessions() as s:
        answer = LetterDraft(channel=Channel.EMAIL, subject="Re: thanks", body="Thank you!",
                             sender_email="li.lei@example.org", in_reply_to=[reply.message_id])
        assert intake.receive(s, state(send_app).policy, answer).case.id == case_id


def test_header_injection_through_name_and_subject_reaches_only_the_citizen(send_app, smtp_server):
    _, reply_id = answered_email_case(send_app, name="Li\r\nBcc: victim@evil.example",
                                      subject="Noise\r\nBcc: victim2@evil.example\r\n\r\nfake body")
    _, encoded_id = answered_email_case(send_app, name="=?utf-8?q?Li=0D=0ABcc:_victim3@evil.example?=",
                                        email="wang@example.org", message_id="<orig-2@citizen.example>",
                                        subject="=?utf-8?q?Hi=0D=0ABcc:_victim4@evil.example?=")
    drain(send_app, "send_mail")
    assert sorted(r for e in smtp_server.envelopes for r in e.rcpt_tos) == ["li.lei@example.org", "wang@example.org"]
    for envelope in smtp_server.envelopes:
        head = envelope.data.split(b"\r\n\r\n", 1)[0]
        assert not any(line.lower().startswith(b"bcc") for line in head.split(b"\r\n"))
        parsed = message_from_bytes(envelope.data, policy=default)
        addresses = [a for _, a in getaddresses([str(v) for k in ("To", "Cc", "Bcc") for v in parsed.get_all(k, [])])]
        assert addresses == envelope.rcpt_tos  # a name may read oddly, but it stays a name
    assert reply_row(send_app, reply_id).status == "sent" and reply_row(send_app, encoded_id).status == "sent"


def test_bad_citizen_address_fails_for_good_with_the_reason(send_app, smtp_server):
    _, reply_id = answered_email_case(send_app, email="li@example.org\r\nBcc: victim@evil.example")
    drain(send_app, "send_mail")
    reply = reply_row(send_app, reply_id)
    assert reply.status == "failed" and "line break" in reply.error and smtp_server.envelopes == []


def test_transient_failure_backs_off_then_is_sent(send_app, smtp_server):
    case_id, reply_id = answered_email_case(send_app, email="li@later.example")
    assert drain(send_app, "send_mail") == 0
    reply, item = reply_row(send_app, reply_id), item_for(send_app, reply_id)
    assert reply.status == "pending" and "451" in reply.error and item.attempts == 1 and item.done_at is None
    assert drain(send_app, "send_mail") == 0 and item_for(send_app, reply_id).attempts == 1  # not yet due
    age_items(send_app, 61)
    drain(send_app, "send_mail")
    assert item_for(send_app, reply_id).attempts == 2  # retried once its time had come
    with state(send_app).sessions() as s:  # the citizen gives a working address meanwhile
        s.get(Case, case_id).citizen.email = "li@example.org"
        s.commit()
    assert drain(send_app, "send_mail") == 0  # the next try is 120 s after the last
    age_items(send_app, 200)
    assert drain(send_app, "send_mail") == 1
    reply = reply_row(send_app, reply_id)
    assert reply.status == "sent" and reply.error == "" and item_for(send_app, reply_id).attempts == 3
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["li@example.org"]]


def test_transient_failures_give_up_after_the_last_attempt(send_app):
    _, reply_id = answered_email_case(send_app, email="li@later.example")
    for _ in range(3):
        age_items(send_app, 10_000)
        drain(send_app, "send_mail")
    reply = reply_row(send_app, reply_id)
    assert reply.status == "failed" and "451" in reply.error and item_for(send_app, reply_id).done_at is not None


def test_permanent_failure_is_shown_on_the_case_page_and_staff_can_retry(send_app, smtp_server):
    case_id, reply_id = answered_email_case(send_app, email="li@refused.example")
    drain(send_app, "send_mail")
    reply = reply_row(send_app, reply_id)
    assert reply.status == "failed" and "550" in reply.error
    with state(send_app).sessions() as s:
        case = s.get(Case, case_id)
        number = case.number
        assert any(e.action == "mail_failed" for e in case.events)
        case.citizen.email = "li@example.org"
        s.commit()
    clerk = send_app.test_client()
    login(clerk, "clerk")
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert "550" in page and f"/quarantine/replies/{reply_id}/retry" in page
    unit = send_app.test_client()
    login(unit, "transport")
    assert unit.post(f"/quarantine/replies/{reply_id}/retry").status_code == 404
    response = clerk.post(f"/quarantine/replies/{reply_id}/retry")
    assert response.status_code == 302
    assert reply_row(send_app, reply_id).status == "sent"  # the kick drained the outbox (inline in tests)
    # The reply, then the satisfaction survey that waited for it to reach the citizen.
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["li@example.org"], ["li@example.org"]]
    assert b"/survey/" in smtp_server.envelopes[1].data and b"/survey/" not in smtp_server.envelopes[0].data
    assert f"/quarantine/replies/{reply_id}/retry" not in clerk.get(f"/cases/{number}").get_data(as_text=True)


def test_notices_go_to_every_recipient_and_are_recorded(send_app, smtp_server):
    case_id, _ = answered_email_case(send_app, email="li@refused.example")
    with state(send_app).sessions() as s:
        outbox.enqueue(s, outbox.SEND_MAIL, f"notice:reminder:{case_id}:x",
                       {"kind": "notice", "notice": "reminder", "to": ["unit@city.example", "head@city.example"],
                        "subject": "Reminder\r\nBcc: victim@evil.example", "body": "Due soon.", "case_id": case_id})
        s.commit()
    drain(send_app, "send_mail")
    [notice] = [e for e in smtp_server.envelopes if b"Due soon." in e.data]
    assert sorted(notice.rcpt_tos) == ["head@city.example", "unit@city.example"]
    assert b"\r\nBcc" not in notice.data.split(b"\r\n\r\n", 1)[0]
    with state(send_app).sessions() as s:
        actions = [e.note for e in s.scalars(select(Event).where(Event.case_id == case_id,
                                                                  Event.action == "mail_sent"))]
    assert any("reminder sent to unit@city.example, head@city.example" in a for a in actions)


def test_two_workers_draining_at_once_send_once(send_app, smtp_server):
    """The attempt is claimed with a conditional UPDATE: a second worker holding the same item backs off."""
    _, reply_id = answered_email_case(send_app)
    from web.mail.sending import send_mail_items

    with state(send_app).sessions() as first, state(send_app).sessions() as second:
        items_a = list(outbox.pending(first, "send_mail"))
        first.commit()  # SQLite: every transaction holds the write lock; both workers have read the same item
        items_b = list(outbox.pending(second, "send_mail"))
        second.commit()
        assert send_mail_items(send_app, first, items_a) == [items_a[0].id]
        assert send_mail_items(send_app, second, items_b) == []
    assert len(smtp_server.envelopes) == 1 and reply_row(send_app, reply_id).status == "sent"


def test_missing_smtp_configuration_is_a_visible_failure(app_factory):
    app = app_factory()
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    _, reply_id = answered_email_case(app)
    drain(app, "send_mail")
    reply = reply_row(app, reply_id)
    assert reply.status == "failed" and "SMTP_HOST" in reply.error


def test_the_database_takes_writes_while_the_smtp_server_is_slow(send_app, smtp_server):
    """No transaction is open during the SMTP conversation: on SQLite it would hold the write turn of every
    request."""
    import threading

    case_id, reply_id = answered_email_case(send_app)
    drain(send_app, "send_mail")
    with state(send_app).sessions() as s:
        outbox.enqueue(s, outbox.SEND_MAIL, f"notice:reminder:{case_id}:slow",
                       {"kind": "notice", "notice": "reminder", "to": ["unit@city.example"],
                        "subject": "Reminder", "body": "Due soon.", "case_id": case_id})
        s.commit()
    smtp_server.envelopes.clear()
    smtp_server.handler.holding.clear()
    release = smtp_server.handler.release = threading.Event()
    worker = threading.Thread(target=drain, args=(send_app, "send_mail"))
    worker.start()
    try:
        assert smtp_server.handler.holding.wait(60)
        with state(send_app).sessions() as s:  # what a form post does meanwhile
            s.get(Reply, reply_id).error = "written while the mail was on its way"
            s.commit()
        assert worker.is_alive() and not smtp_server.envelopes  # the SMTP server still holds the message
    finally:
        release.set()
        worker.join(60)
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["unit@city.example"]]
