"""Citizens' names and addresses as they come (Chinese, Spanish, very long, with markup) through a real reply:
the case page, the tracking page, the e-mail that reaches the SMTP server, and the postal PDF."""
from __future__ import annotations

from email import message_from_bytes
from email.policy import default
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from cases.models import Case
from tests.conftest import login
from tests.helpers.reply_letters import answered_case, case_row, clerk_sends, mail_app, pdf_text
from web.app_state import state


@pytest.fixture
def app(app_factory: Any, smtp_server: Any) -> Flask:
    return mail_app(app_factory, smtp_server)

HOSTILE = '<img src=file:///etc/passwd onerror=alert(1)><script>alert("x")</script> & Co'


def tracking_page(app: Flask, number: str) -> str:
    with state(app).sessions() as s:
        code = s.scalar(select(Case.tracking_code).where(Case.number == number))
    return app.test_client().get(f"/track?number={number}&code={code}").get_data(as_text=True)


def test_markup_in_a_name_is_literal_text_in_page_email_and_pdf(app: Flask, smtp_server: Any) -> None:
    number = answered_case(app, name=HOSTILE, email="citizen@example.org", address="<b>12 Elm</b>\nSpringfield",
                           feedback="Fixed <u>today</u>.")
    clerk, response = clerk_sends(app, number)
    assert response.status_code == 302
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    for html in (page, tracking_page(app, number)):
        assert "<img src=file" not in html and "<script>alert" not in html and "<u>today" not in html
        assert "Dear &lt;img src=file:///etc/passwd onerror=alert(1)&gt;&lt;script&gt;" in html

    reply = case_row(app, number).replies[-1]
    assert reply.status == "sent" and HOSTILE in reply.body
    assert "<img src=file" not in reply.letter.email_html and "&lt;img src=file" in reply.letter.email_html
    # The reply itself, not the satisfaction survey that follows it.
    message = next(m for m in (message_from_bytes(e.data, policy=default) for e in reversed(smtp_server.envelopes))
                   if m.get_body(("html",)) is not None)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Dear {HOSTILE}," in text and "Fixed <u>today</u>." in text
    assert "<img src=file" not in html and "<script>" not in html and "<u>" not in html
    assert "Dear &lt;img src=file:///etc/passwd" in html and "Fixed &lt;u&gt;today&lt;/u&gt;." in html

    # The same citizen by post: the PDF shows the markup as characters and loads nothing from the disk.
    posted = answered_case(app, name=HOSTILE, email="", preferred="post", address="<b>12 Elm</b>\nSpringfield")
    clerk, response = clerk_sends(app, posted)
    assert response.status_code == 302
    reply = case_row(app, posted).replies[-1]
    pdf = clerk.get(f"/letters/cases/{posted}/replies/{reply.id}.pdf").data
    text = " ".join(pdf_text(pdf).split())
    assert '<img src=file:///etc/passwd onerror=alert(1)><script>alert("x")</script> & Co' in text
    assert "<b>12 Elm</b>" in text and "root:" not in text


def test_chinese_spanish_and_very_long_names_by_post(app: Flask) -> None:
    long_name = "Doña " + " ".join(["María de los Ángeles Fernández-Castillo"] * 5)
    long_address = "\n".join(f"Line {i}: Calle de la Princesa Leonor de Borbón y Ortiz, portal {i}"
                             for i in range(1, 10))
    cases = {
        "zh": answered_case(app, name="欧阳娜娜" * 10, email="", preferred="post",
                            address="春田市河滨路12号\n3单元301室\n邮编 100115", subject="路灯损坏",
                            body="路灯坏了两个星期，晚上很危险。", feedback="路灯已于3月8日修复。"),
        "es": answered_case(app, name=long_name, email="", preferred="post", address=long_address,
                            subject="Farola averiada", body="La farola de la calle del Río está apagada.",
                            feedback="La farola se reparó el 8 de marzo."),
    }
    clerk = app.test_client()
    login(clerk, "clerk")
    for lang, number in cases.items():
        _clerk, response = clerk_sends(app, number)
        assert response.status_code == 302
        case = case_row(app, number)
        reply = case.replies[-1]
        assert reply.letter.lang == lang and reply.status == "to_print"
        pdf = clerk.get(f"/letters/cases/{number}/replies/{reply.id}.pdf").data
        text = " ".join(pdf_text(pdf).split())
        assert number in text and case.tracking_code in text
        if lang == "zh":
            assert "尊敬的" + "欧阳娜娜" * 10 in text.replace(" ", "") and "路灯已于3月8日修复" in text
            assert "第 1 页" in text
        else:
            assert "Estimado/a Doña María de los Ángeles" in text and "Página 1 de" in text
            assert "Line 1: Calle de la Princesa" in text  # the window shows what fits; the full name is above
        assert "Fernández-Castillo" in tracking_page(app, number) or lang == "zh"
