"""SMS through a real Kannel (bearerbox + smsbox, fakesmsc as the citizens' handsets): acknowledgements, follow-ups,
the reply notice and survey, STOP, delivery reports, exactly once; and SMS off by default."""
from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from cases import services
from cases.actors import Actor
from cases.models import Case, Letter, Unit, User
from cases.models_sms import SmsMessage, SmsOptOut
from tests.conftest import a_category
from tests.servers.freeport import wait_until
from tests.servers.kannel import running_kannel
from tests.helpers.browser import served, with_demo
from web.app_state import state

TOKEN = "kannel-callback-secret"
CITIZEN = "13912345678"


@pytest.fixture()
def sms_app(app_factory: Any) -> Iterator[tuple[Any, Any]]:
    """The app served on a loopback port with SMS on, and a Kannel gateway calling it back."""
    app = app_factory(SMS_ENABLED=True, SMS_TOKEN=TOKEN, SMS_USERNAME="x", SMS_PASSWORD="x",
                      SMS_SENDSMS_URL="http://127.0.0.1:9/", SMS_CALLBACK_URL="http://127.0.0.1:9/")
    with served(with_demo(app)) as base, running_kannel(f"{base}/sms/inbound?token={TOKEN}") as gateway:
        app.config.update(SMS_SENDSMS_URL=gateway.sendsms_url, SMS_USERNAME=gateway.username,
                          SMS_PASSWORD=gateway.password, SMS_FROM=gateway.hotline, SMS_CALLBACK_URL=base)
        yield app, gateway


def texts_to(gateway: Any, number: str) -> list[str]:
    """The messages the gateway delivered to ``number``, decoded (UCS-2 ones are logged as hex)."""
    out = []
    for d in gateway.delivered():
        if d.to != number:
            continue
        try:
            out.append(bytes.fromhex(d.text).decode("utf-16-be"))
        except ValueError:
            out.append(d.text)
    return out


def messages(app: Any, **where: Any) -> list[SmsMessage]:
    with state(app).sessions() as s:
        return list(s.scalars(select(SmsMessage).filter_by(**where).order_by(SmsMessage.id)))


def actor(s: Any, username: str) -> Actor:
    user = s.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id)


def test_a_citizen_writes_by_sms_and_hears_back_by_sms(sms_app: tuple[Any, Any]) -> None:
    app, gateway = sms_app
    gateway.handset_send(CITIZEN, "人民路100号的路灯坏了三天了，晚上很黑 street light broken")
    assert wait_until(lambda: len(texts_to(gateway, CITIZEN)) == 1, timeout=20)
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.channel == "sms"))
        assert case.citizen.phone == CITIZEN and "路灯坏了" in case.letters[0].body
        number, code = case.number, case.tracking_code
    ack = texts_to(gateway, CITIZEN)[0]
    assert number in ack and code in ack and "您的来信已受理" in ack
    # Delivery reports come back and are recorded on the message, with its cost.
    assert wait_until(lambda: messages(app, purpose="acknowledgement")[0].status == "delivered", timeout=20)
    sent = messages(app, purpose="acknowledgement")[0]
    assert sent.encoding == "ucs2" and sent.segments == 2 and sent.dlr_status == 1

    # A second SMS from the same number follows up on the open case instead of opening another.
    gateway.handset_send(CITIZEN, "还是没有修好")
    assert wait_until(lambda: any(m.status == "follow_up" for m in messages(app, direction="in")), timeout=20)
    with state(app).sessions() as s:
        assert s.scalar(select(Case).where(Case.number == number)).letters[-1].body == "还是没有修好"
        assert len(s.scalars(select(Case).where(Case.channel == "sms")).all()) == 1

    # The case is answered; the reply's notice and the survey go out by SMS; "1" closes it satisfied.
    with state(app).sessions() as s:
        policy = state(app).policy
        case = s.scalar(select(Case).where(Case.number == number))
        clerk, unit = actor(s, "clerk"), actor(s, "transport")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, s.scalar(select(Unit.id).where(Unit.name == "Transport Bureau")),
                          category_id=a_category(s))
        services.accept(s, policy, case, unit)
        services.give_feedback(s, policy, case, unit, "The lamp was replaced.")
        services.reply(s, policy, case, clerk, body="The lamp was replaced on Tuesday.", channel="phone")
        s.commit()
    from web.tasks.queue import drain

    drain(app, "sms_reply")
    drain(app, "send_sms")
    assert wait_until(lambda: len(texts_to(gateway, CITIZEN)) == 3, timeout=20)
    notice, survey = texts_to(gateway, CITIZEN)[1:]
    assert number in notice and "已有答复" in notice and "1 满意" in survey
    drain(app, "sms_reply")  # a second drain queues nothing twice
    assert len(messages(app, direction="out")) == 3
    gateway.handset_send(CITIZEN, "1")
    assert wait_until(lambda: any(m.status == "survey" for m in messages(app, direction="in")), timeout=20)
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case.status.value == "closed" and case.satisfaction.value == "satisfied"

    # The desk sees the conversation on the case, with each message's state and cost.
    from tests.conftest import login

    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert 'id="text-messages"' in page and "acknowledgement" in page and "survey" in page and "(UCS-2)" in page

    # STOP opts the number out: nothing more is sent to it.
    gateway.handset_send(CITIZEN, "stop")
    assert wait_until(lambda: any(m.status == "stop" for m in messages(app, direction="in")), timeout=20)
    with state(app).sessions() as s:
        assert s.get(SmsOptOut, CITIZEN) is not None


def test_kannel_retrying_an_inbound_message_opens_one_case(sms_app: tuple[Any, Any]) -> None:
    app, gateway = sms_app
    base = app.config["SMS_CALLBACK_URL"]
    query = urllib.parse.urlencode({"token": TOKEN, "id": "retried-1", "from": "13800001111",
                                    "text": "Pothole on Elm Street"})
    for _ in range(2):
        with urllib.request.urlopen(f"{base}/sms/inbound?{query}") as response:
            assert response.status == 200
    with state(app).sessions() as s:
        assert len(s.scalars(select(Letter).where(Letter.body == "Pothole on Elm Street")).all()) == 1
    assert wait_until(lambda: len(texts_to(gateway, "13800001111")) == 1, timeout=20)
    assert "tracking code" in texts_to(gateway, "13800001111")[0]  # English in, English out (GSM 7-bit)
    assert messages(app, number="13800001111", direction="out")[0].encoding == "gsm"
    bad = urllib.parse.urlencode({"token": "wrong", "id": "x", "from": "1", "text": "x"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/sms/inbound?{bad}")
    assert refused.value.code == 403


def test_sms_is_off_by_default_with_a_clear_message(client: Any) -> None:
    response = client.get("/sms/inbound?id=1&from=13800000000&text=hi")
    assert response.status_code == 404 and "SMS is off" in response.get_data(as_text=True)


def test_a_send_interrupted_by_a_crash_is_repeated_only_without_a_delivery_report(sms_app: tuple[Any, Any]) -> None:
    from datetime import timedelta

    from cases import sms
    from cases.models import utcnow
    from web.tasks.queue import drain
    from web.sms import sms_settings

    app, gateway = sms_app
    with state(app).sessions() as s:
        settings = sms_settings(app)
        left = sms.queue(s, settings, number="13800002222", text="left half-sent", purpose="test", key="t:1")
        reported = sms.queue(s, settings, number="13800003333", text="already left", purpose="test", key="t:2")
        fresh = sms.queue(s, settings, number="13800004444", text="being sent now", purpose="test", key="t:3")
        # What a worker that died between the gateway's acceptance and its commit leaves behind.
        long_ago = utcnow() - timedelta(hours=1)
        left.status, left.sent_at = "sending", long_ago
        reported.status, reported.sent_at, reported.dlr_status = "sending", long_ago, 8
        fresh.status, fresh.sent_at = "sending", utcnow()
        s.commit()
    drain(app, "send_sms")
    assert wait_until(lambda: texts_to(gateway, "13800002222") == ["left half-sent"], timeout=20)
    assert texts_to(gateway, "13800003333") == [] and texts_to(gateway, "13800004444") == []
    statuses = {m.key: m.status for m in messages(app, purpose="test")}
    assert statuses["t:2"] == "sent" and statuses["t:3"] == "sending" and statuses["t:1"] in ("sent", "delivered")
    drain(app, "send_sms")
    assert texts_to(gateway, "13800002222") == ["left half-sent"]  # once


class HeldRelay:
    """A loopback relay in front of Kannel's sendsms that holds request number ``hold_at`` until released: the
    moment a worker killed while sending that message would leave behind, kept still for the test to read."""

    def __init__(self, target: str, hold_at: int) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.holding, self.release, self.count = threading.Event(), threading.Event(), 0
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                relay.count += 1
                if relay.count == hold_at:
                    relay.holding.set()
                    relay.release.wait(60)
                with urllib.request.urlopen(target + self.path[self.path.index("?"):]) as answer:
                    body = answer.read()
                self.send_response(202)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/sendsms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_worker_killed_mid_drain_leaves_one_chunk_waiting_and_the_rest_queued(sms_app: tuple[Any, Any]) -> None:
    import threading

    from cases import sms
    from web.sms import sms_settings
    from web.sms.sending import CLAIM_CHUNK
    from web.tasks.queue import drain

    app, gateway = sms_app
    count, hold_at = 2 * CLAIM_CHUNK + 5, CLAIM_CHUNK + 3
    with state(app).sessions() as s:
        for n in range(count):
            sms.queue(s, sms_settings(app), number=f"1370000{n:04d}", text=f"batch {n}", purpose="batch",
                      key=f"batch:{n}")
        s.commit()
    relay = HeldRelay(app.config["SMS_SENDSMS_URL"], hold_at)
    app.config["SMS_SENDSMS_URL"] = relay.url
    worker = threading.Thread(target=drain, args=(app, "send_sms"))
    worker.start()
    try:
        assert relay.holding.wait(60)
        # What a SIGKILL now leaves: the first chunk sent, the second being sent (the ones before the held one may
        # have their delivery reports already), the rest not yet claimed: the restarted worker sends those at once.
        statuses = [m.status for m in messages(app, purpose="batch")]  # a write turn on SQLite, as a form post takes
        assert relay.count == hold_at and worker.is_alive()  # read while the gateway is still answering
        assert all(s in ("sent", "delivered") for s in statuses[:CLAIM_CHUNK])
        assert statuses[hold_at - 1:2 * CLAIM_CHUNK] == ["sending"] * (2 * CLAIM_CHUNK - hold_at + 1)
        assert statuses[2 * CLAIM_CHUNK:] == ["queued"] * (count - 2 * CLAIM_CHUNK)
    finally:
        relay.release.set()
        worker.join(60)
        relay.close()
    assert wait_until(lambda: len({d.to for d in gateway.delivered() if d.to.startswith("1370000")}) == count,
                      timeout=30)
    assert len([d for d in gateway.delivered() if d.to.startswith("1370000")]) == count
