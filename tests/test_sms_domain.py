"""SMS in the domain, on SQLite and PostgreSQL: length and cost, opt-out, rate limits, survey answers, delivery
reports. (The gateway itself is exercised in test_sms_gateway.)"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import a_category
from cases import outbox, services, sms
from cases.actors import Actor
from cases.errors import ValidationError
from cases.models import Case, OutboxItem, Unit, User, utcnow
from cases.models_sms import SmsMessage

SETTINGS = sms.SmsSettings(enabled=True, per_number_per_hour=2, inbound_per_number_per_hour=3,
                           public_url="https://city.example")


def test_length_encoding_and_cost() -> None:
    assert sms.segments("a" * 160) == ("gsm", 1) and sms.segments("a" * 161) == ("gsm", 2)
    assert sms.segments("a" * 306) == ("gsm", 2) and sms.segments("a" * 307) == ("gsm", 3)
    assert sms.segments("€" * 80) == ("gsm", 1) and sms.segments("€" * 81) == ("gsm", 2)  # two septets each
    assert sms.segments("你" * 70) == ("ucs2", 1) and sms.segments("你" * 71) == ("ucs2", 2)
    assert sms.segments("你" * 134) == ("ucs2", 2) and sms.segments("你" * 135) == ("ucs2", 3)
    assert sms.segments("a" * 69 + "😀") == ("ucs2", 2)  # outside the BMP: two UTF-16 units
    assert sms.segments("Café ¿qué?") == ("gsm", 1)
    clipped = sms.clip("长" * 500, 2)
    assert sms.segments(clipped) == ("ucs2", 2) and clipped.endswith("…")
    assert sms.normalise_number(" +86 139-1234-5678 ") == "+8613912345678"
    for bad in ("", "12", "abc12345", "+86 139 1234 5678 9999 0000"):
        with pytest.raises(ValidationError):
            sms.normalise_number(bad)


def actor(s: Any, username: str) -> Actor:
    user = s.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id)


def test_inbound_outbound_once_with_limits_stop_and_survey(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        first = sms.receive(s, policy, SETTINGS, message_id="m1", number="13900000001", text="Broken bench")
        again = sms.receive(s, policy, SETTINGS, message_id="m1", number="13900000001", text="Broken bench")
        s.commit()
        assert first.id == again.id and first.status == "new_case"
        case = s.get(Case, first.case_id)
        assert case.channel.value == "sms" and case.citizen.phone == "13900000001"
        acks = s.scalars(select(SmsMessage).where(SmsMessage.purpose == "acknowledgement")).all()
        assert len(acks) == 1 and case.number in acks[0].text and acks[0].encoding == "gsm"
        assert sms.acknowledge(s, SETTINGS, case) is None  # once per case
        pending = s.scalars(select(OutboxItem).where(OutboxItem.topic == outbox.SEND_SMS)).all()
        assert [i.key for i in pending] == [str(acks[0].id)]

        # Follow-ups attach; past the hourly inbound limit messages are kept but open nothing.
        statuses = [sms.receive(s, policy, SETTINGS, message_id=f"m{n}", number="13900000001",
                                text=f"More {n}").status for n in range(2, 5)]
        assert statuses == ["follow_up", "follow_up", "limited"]
        assert len(case.letters) == 3

        # Delivery reports: the final state stays when the centre's acceptance arrives late.
        assert sms.record_delivery(s, acks[0].id, 1) and sms.record_delivery(s, acks[0].id, 8)
        s.refresh(acks[0])
        assert acks[0].status == "delivered" and acks[0].dlr_status == 1
        assert not sms.record_delivery(s, first.id, 1)  # inbound messages have no reports

        # The reply's survey; "3" reopens the case to its unit, an answer with no open survey is a letter.
        clerk, unit = actor(s, "clerk"), actor(s, "transport")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, s.scalar(select(Unit.id).where(Unit.name == "Transport Bureau")),
                          category_id=a_category(s))
        services.accept(s, policy, case, unit)
        services.give_feedback(s, policy, case, unit, "Bench fixed.")
        reply = services.reply(s, policy, case, clerk, body="Fixed.", channel="phone")
        assert s.scalars(select(OutboxItem).where(OutboxItem.topic == outbox.SMS_REPLY)).one().key == str(reply.id)
        sms.reply_released(s, SETTINGS, case, reply.id)
        sms.reply_released(s, SETTINGS, case, reply.id)
        assert [m.purpose for m in s.scalars(select(SmsMessage).where(SmsMessage.direction == "out")
                                             .order_by(SmsMessage.id))] == ["acknowledgement", "reply_notice", "survey"]
        later = utcnow() + timedelta(hours=2)  # the hourly inbound limit has passed
        answer = sms.receive(s, policy, SETTINGS, message_id="m5", number="13900000001", text=" 3 ",
                             received_at=later)
        assert answer.status == "survey" and case.status.value == "accepted" and case.satisfaction.value == "unsatisfied"

        # STOP: later messages are recorded as not sent; START lifts it.
        assert sms.receive(s, policy, SETTINGS, message_id="m6", number="13900000001", text="退订",
                           received_at=later).status == "stop"
        held = sms.queue(s, SETTINGS, number="13900000001", text="x", purpose="test", key="test:1")
        assert held.status == "opted_out"
        assert sms.receive(s, policy, SETTINGS, message_id="m7", number="13900000001", text="start",
                           received_at=later).status == "start"
        assert sms.queue(s, SETTINGS, number="13900000001", text="x", purpose="test", key="test:2").status == "queued"

        # The outbound hourly limit counts messages that left in the last hour.
        now = utcnow()
        for m in s.scalars(select(SmsMessage).where(SmsMessage.direction == "out")):
            m.sent_at = now - timedelta(minutes=30)
        assert sms.sent_in_last_hour(s, "13900000001", now) == 5
        assert sms.sent_in_last_hour(s, "13900000001", now + timedelta(minutes=31)) == 0
        s.commit()
