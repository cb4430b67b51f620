"""Reply letters through the app: drafts from templates, approval of complaints, today's post, phone replies,
and staff-only routes."""
from __future__ import annotations

import re

import pypdfium2 as pdfium
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from cases.models import Case, Event, OutboxItem, Reply
from cases.models_letters import PostalBatch, ReplyLetter
from tests.conftest import login
from web.app_state import state
from tests.helpers.reply_letters import answered_case, reply_form, clerk_sends, case_row, pdf_text
from tests.helpers.reply_letters import app  # noqa: F401 (fixtures)


def test_draft_is_the_template_filled_in_the_citizens_language(app: Flask) -> None:
    number = answered_case(app, name="王小明", email="wang@example.org", subject="小区夜间施工噪音扰民",
                           body="附近工地每天晚上十一点以后还在施工。", feedback="经查，工地已停止夜间施工。")
    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    data = reply_form(page)
    assert data["lang"] == "zh" and data["purpose"] == "reply"
    assert "尊敬的王小明" in data["body"] and "经查，工地已停止夜间施工。" in data["body"]
    assert f"/track?number={number}" in data["body"] and "反映问题" in data["body"]
    assert number in data["subject"]
    spanish = reply_form(clerk.get(f"/cases/{number}?purpose=reply&lang=es").get_data(as_text=True))
    assert spanish["lang"] == "es" and spanish["body"].startswith("Estimado/a 王小明:")
    # The clerk edits the draft; what is stored is exactly what was sent.
    edited = data["body"].replace("经查", "经现场核查")
    response = clerk.post(f"/cases/{number}/reply", data=dict(data, body=edited))
    assert response.status_code == 302
    case = case_row(app, number)
    reply = case.replies[-1]
    assert case.status.value == "replied" and reply.status == "sent" and reply.body == edited
    assert reply.letter.lang == "zh" and reply.letter.email_html.startswith("<!DOCTYPE html>")
    assert 'lang="zh-Hans"' in reply.letter.email_html and "经现场核查" in reply.letter.email_html
    with state(app).sessions() as s:
        assert s.scalar(select(OutboxItem).where(OutboxItem.key == f"reply:{reply.id}")) is not None


def test_complaint_reply_waits_for_a_supervisor(app: Flask, client: FlaskClient) -> None:
    number = answered_case(app, kind="complaint", subject="Noise at night", feedback="The site now stops at 22:00.")
    clerk, response = clerk_sends(app, number, body="Dear Ana, first draft.")
    assert response.status_code == 302
    case = case_row(app, number)
    assert case.status.value == "answered" and case.replies[-1].status == "awaiting_approval"
    with state(app).sessions() as s:
        assert s.scalar(select(OutboxItem).where(OutboxItem.topic == "send_mail",
                                                 OutboxItem.key == f"reply:{case.replies[-1].id}")) is None
        code = s.scalar(select(Case.tracking_code).where(Case.number == number))
    assert "first draft" not in client.get(f"/track?number={number}&code={code}").get_data(as_text=True)
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert 'id="action-reply"' not in page and "awaiting approval" in page
    # A clerk cannot approve; the attempt is a message, nothing changes.
    refused = clerk.post(f"/cases/{number}/decide_reply", data={"decision": "approve"}, follow_redirects=True)
    assert "Your role may not do this." in refused.get_data(as_text=True)

    boss = app.test_client()
    login(boss, "supervisor")
    assert number in boss.get("/letters/approvals").get_data(as_text=True)
    page = boss.get(f"/cases/{number}").get_data(as_text=True)
    assert 'id="action-decide_reply"' in page and "first draft" in page
    no_note = boss.post(f"/cases/{number}/decide_reply", data={"decision": "send_back", "note": ""},
                        follow_redirects=True)
    assert "note for the clerk is required" in no_note.get_data(as_text=True)
    assert boss.post(f"/cases/{number}/decide_reply",
                     data={"decision": "send_back", "note": "Apologise for the noise."}).status_code == 302
    case = case_row(app, number)
    assert case.status.value == "answered" and case.replies[-1].status == "sent_back"
    assert "Apologise for the noise." in clerk.get(f"/cases/{number}").get_data(as_text=True)

    _clerk, response = clerk_sends(app, number, body="Dear Ana, we apologise. The site now stops at 22:00.")
    assert response.status_code == 302
    assert boss.post(f"/cases/{number}/decide_reply", data={"decision": "approve", "note": "ok"}).status_code == 302
    case = case_row(app, number)
    final = case.replies[-1]
    assert case.status.value == "replied" and final.status == "sent"
    assert final.letter.reviewed_by_id is not None and final.letter.review_note == "ok"
    actions = [e.action for e in case.events]
    assert actions[-6:] == ["reply_submitted", "return_reply", "reply_submitted", "approve_reply", "mail_sent",
                            "survey_sent"]
    tracked = client.get(f"/track?number={number}&code={code}").get_data(as_text=True)
    assert "we apologise" in tracked and "first draft" not in tracked


def test_supervisor_reply_to_a_complaint_goes_out_at_once(app: Flask) -> None:
    number = answered_case(app, kind="complaint")
    boss = app.test_client()
    login(boss, "supervisor")
    data = reply_form(boss.get(f"/cases/{number}").get_data(as_text=True))
    assert boss.post(f"/cases/{number}/reply", data=data).status_code == 302
    case = case_row(app, number)
    assert case.status.value == "replied" and case.replies[-1].status == "sent"


def test_print_todays_post_gives_one_pdf_and_marks_letters_posted(app: Flask) -> None:
    first = answered_case(app, name="María José Fernández", email="", preferred="post",
                          address="Calle del Río 12, 3.º B\n10115 Springfield", subject="Farola averiada",
                          body="La farola de la calle del Río está apagada.", feedback="La farola se reparó.")
    second = answered_case(app, name="李华", email="", preferred="post", address="春田市河滨路12号\n邮编 100115",
                           subject="路灯损坏", body="路灯坏了两个星期。", feedback="路灯已修复。")
    for number in (first, second):
        _clerk, response = clerk_sends(app, number)
        assert response.status_code == 302
        reply = case_row(app, number).replies[-1]
        assert reply.channel == "post" and reply.status == "to_print" and reply.pdf_sha256
    clerk = app.test_client()
    login(clerk, "clerk")
    queue = clerk.get("/letters/post").get_data(as_text=True)
    assert first in queue and second in queue and "María José Fernández" in queue
    single = clerk.get(f"/letters/cases/{first}/replies/{case_row(app, first).replies[-1].id}.pdf")
    assert single.status_code == 200 and single.data.startswith(b"%PDF")
    assert "Estimado/a María José Fernández" in pdf_text(single.data)

    response = clerk.post("/letters/post", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith("/letters/post/print")
    confirm = clerk.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="print-pdf"' in confirm and 'name="confirm"' in confirm and 'name="cancel"' in confirm
    combined = clerk.get("/letters/post/print.pdf")
    assert combined.status_code == 200 and combined.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(combined.data)
    assert "María José Fernández" in text and "李华" in text and first in text and second in text
    assert len(pdfium.PdfDocument(combined.data)) >= 2
    for number in (first, second):  # printed, not yet confirmed: nothing is posted
        assert case_row(app, number).replies[-1].status == "to_print"
    done = clerk.post("/letters/post/print", data={"confirm": "y"}, follow_redirects=True)
    assert "2 letters marked as posted" in done.get_data(as_text=True)
    assert clerk.get("/letters/post/print.pdf").status_code == 404  # the run is over
    for number in (first, second):
        case = case_row(app, number)
        assert case.replies[-1].status == "sent" and case.replies[-1].sent_at is not None
        assert case.events[-1].action == "reply_posted" and not case.events[-1].internal
    with state(app).sessions() as s:
        assert s.scalar(select(PostalBatch.count)) == 2
    assert 'id="post-empty"' in clerk.get("/letters/post").get_data(as_text=True)
    again = clerk.post("/letters/post", data={}, follow_redirects=True)
    assert "no letters to" in again.get_data(as_text=True).lower()


def test_a_print_that_went_wrong_marks_nothing(app: Flask) -> None:
    number = answered_case(app, name="Li Hua", email="", preferred="post", address="12 River Road\nSpringfield")
    assert clerk_sends(app, number)[1].status_code == 302
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.post("/letters/post", data={}).status_code == 302
    assert clerk.get("/letters/post/print.pdf").data.startswith(b"%PDF")
    kept = clerk.post("/letters/post/print", data={"cancel": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "still waiting" in kept and number in kept
    assert case_row(app, number).replies[-1].status == "to_print"
    with state(app).sessions() as s:
        assert s.scalar(select(PostalBatch.id)) is None
    assert clerk.get("/letters/post/print").status_code == 302  # no run open: back to the queue


def test_post_reply_needs_an_address(app: Flask) -> None:
    number = answered_case(app)
    clerk, response = clerk_sends(app, number, channel="post")
    assert response.status_code == 302
    assert "no postal address" in clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert case_row(app, number).status.value == "answered"


def test_phone_reply_gives_a_script_and_records_the_call(app: Flask) -> None:
    number = answered_case(app, name="Old Mr Liu", email="", preferred="phone",
                           feedback="The lift in building 7 was repaired on Friday.")
    clerk, response = clerk_sends(app, number)
    assert response.status_code == 302
    case = case_row(app, number)
    reply = case.replies[-1]
    assert reply.channel == "phone" and reply.status == "to_call"
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    call_url = f"/letters/cases/{number}/replies/{reply.id}/call"
    assert call_url in page
    script = clerk.get(call_url).get_data(as_text=True)
    assert "may I speak to Old Mr Liu" in script and "repaired on Friday" in script
    assert " - ".join(" ".join(g) for g in case.tracking_code.split("-")) in script
    assert "http" not in re.search(r'id="call-script">(.*?)</div>', script, re.S).group(1)
    assert clerk.post(call_url, data={"outcome": ""}).status_code == 400
    assert clerk.post(call_url, data={"outcome": "Reached him; he is content."}).status_code == 302
    case = case_row(app, number)
    assert case.replies[-1].status == "sent" and case.replies[-1].letter.call_outcome.startswith("Reached")
    assert case.events[-1].action == "reply_called"
    assert 'name="outcome"' not in clerk.get(call_url).get_data(as_text=True)


def test_unit_handlers_and_clerks_get_404_on_staff_letter_routes(app: Flask) -> None:
    number = answered_case(app, name="Phone Person", email="", preferred="phone")
    _clerk, _ = clerk_sends(app, number)
    reply_id = case_row(app, number).replies[-1].id
    values = {"number": number, "reply_id": str(reply_id), "purpose": "reply", "lang": "en", "batch_id": "1",
              "template_id": "1"}
    unit = app.test_client()
    login(unit, "transport")
    clerk = app.test_client()
    login(clerk, "clerk")
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("letters.")]
    assert len(rules) >= 8
    for rule in rules:
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", values[name], path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = unit.open(path, method=method, data={"outcome": "x", "source": "x"})
            assert response.status_code == 404, (path, method)
            if rule.endpoint in {"letters.templates", "letters.edit", "letters.preview", "letters.restore",
                                 "letters.approvals"}:
                assert clerk.open(path, method=method, data={"source": "x"}).status_code == 404, (path, method)
    with state(app).sessions() as s:
        assert s.scalar(select(Reply.status).where(Reply.id == reply_id)) == "to_call"
        assert s.scalar(select(Event.id).where(Event.action == "reply_called")) is None


def test_a_posted_reply_without_letter_details_keeps_its_batch(app: Flask) -> None:
    """A reply recorded without a letter-details row (by a bare service call) gets one when it is posted, and the
    row is written: it names the print run the letter went out in."""
    number = answered_case(app, name="Wang Fang", email="", preferred="post", address="12 River Road\nSpringfield",
                           subject="Broken bench", body="The bench is broken.", feedback="It was repaired.")
    _clerk, response = clerk_sends(app, number)
    reply_id = case_row(app, number).replies[-1].id
    with state(app).sessions() as s:
        s.execute(delete(ReplyLetter).where(ReplyLetter.reply_id == reply_id))
        s.commit()
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.post("/letters/post", data={}).status_code == 302
    assert clerk.get("/letters/post/print.pdf").status_code == 200
    assert clerk.post("/letters/post/print", data={"confirm": "y"}).status_code == 302
    with state(app).sessions() as s:
        batch_id = s.scalar(select(PostalBatch.id))
        assert s.scalar(select(ReplyLetter.batch_id).where(ReplyLetter.reply_id == reply_id)) == batch_id
