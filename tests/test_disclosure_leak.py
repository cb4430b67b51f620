"""Publications never carry a way into a private case: a reply that quotes the citizen's tracking link, the tracking
code or the office's internal addresses is published without them, the review screen flags them, and a published
page's address opens nothing private."""
from __future__ import annotations

import html as html_lib
import re

from flask import Flask
from sqlalchemy import select

from cases import letters, services
from cases.actors import Actor
from cases.models import Case, Unit, User
from cases.models_disclosure import Publication
from tests.conftest import a_category, login
from web.app_state import state


def _actor(session, username: str) -> Actor:  # type: ignore[no-untyped-def]
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def _reply_like_the_template(app: Flask, number: str, code: str) -> str:
    base = app.config["PUBLIC_BASE_URL"]
    return ("尊敬的王女士：\n您反映的路灯问题已由交通局修复。案件的完整办理记录请见：\n"
            f"{letters.tracking_url(base, number, code)}\n"
            f"您的查询码为 {code}。内部处理记录：{base}/cases/{number}\n"
            "如有疑问请拨打12345。")


def _write_answer(app: Flask) -> tuple[str, str]:
    client = app.test_client()
    response = client.post("/write", data={
        "kind": "report", "subject": "长江路路灯不亮", "consent": "y",
        "body": "长江路128号附近的路灯从11月1日起一直不亮，晚上很危险。", "name": "王芳",
        "phone": "13912345678", "email": "", "address": "", "preferred_reply": "phone"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with state(app).sessions() as s:
        case = s.scalars(select(Case).order_by(Case.id.desc())).first()
        number, code = case.number, case.tracking_code
        policy = state(app).policy
        clerk, unit = _actor(s, "clerk"), _actor(s, "transport")
        services.register(s, policy, case, clerk)
        services.dispatch(s, policy, case, clerk, s.scalar(select(Unit.id).where(Unit.name == "Transport Bureau")),
                          category_id=a_category(s))
        services.accept(s, policy, case, unit)
        services.give_feedback(s, policy, case, unit, "路灯已修复。")
        services.reply(s, policy, case, clerk, channel="phone", body=_reply_like_the_template(app, number, code))
        s.commit()
    return number, code


def _no_way_in(text: str, app: Flask, number: str, code: str) -> None:
    assert code not in text
    assert code.replace("-", "") not in text
    assert "/track?" not in text and "code=" not in text
    assert app.config["PUBLIC_BASE_URL"] not in text
    assert f"/cases/{number}" not in text


def test_published_reply_carries_no_tracking_link_code_or_internal_url(app: Flask, demo_data: object) -> None:
    number, code = _write_answer(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    preview = html_lib.unescape(clerk.get(f"/disclosure/review/{number}").get_data(as_text=True))
    proposed = {name: re.search(rf'<textarea id="{name}" name="{name}">(.*?)</textarea>', preview, re.S).group(1)
                for name in ("letter_text", "reply_text")}
    assert "路灯已修复" not in proposed["reply_text"] and "交通局修复" in proposed["reply_text"]
    for text in proposed.values():
        _no_way_in(text, app, number, code)
    # The review screen says what it took out and why.
    flags = re.search(r'<ul id="ways-in">(.*?)</ul>', preview, re.S)
    assert flags is not None and "/track?" in flags.group(1) and code in flags.group(1)

    # A reviewer who types the link and the code back in publishes neither.
    link = letters.tracking_url(app.config["PUBLIC_BASE_URL"], number, code)
    response = clerk.post(f"/disclosure/review/{number}", data={
        "subject": f"长江路路灯不亮 {code}", "letter_text": proposed["letter_text"],
        "reply_text": proposed["reply_text"] + f"\n请见 {link} ，查询码：{code.replace('-', '').lower()}"})
    assert response.status_code == 302
    told = html_lib.unescape(clerk.get(response.headers["Location"]).get_data(as_text=True))
    assert re.search(r'class="flash info"[^>]*>[^<]*/track\?', told)  # the reviewer is told what went
    with state(app).sessions() as s:
        publication = s.scalar(select(Publication).join(Case).where(Case.number == number))
        for text in (publication.subject, publication.letter_text, publication.reply_text):
            _no_way_in(text, app, number, code)

    public = app.test_client()
    page = public.get(f"/archive/{number}").get_data(as_text=True)
    assert "交通局修复" in page
    _no_way_in(html_lib.unescape(page), app, number, code)
    _no_way_in(html_lib.unescape(public.get("/archive").get_data(as_text=True)), app, number, code)
    api = public.get(f"/open311/v2/requests/{number}.json").get_json()[0]
    _no_way_in(str(api), app, number, code)

    # Holding the published page's address (its number) opens nothing private.
    tracked = public.get(f"/track?number={number}&code=")
    assert "王芳" not in tracked.get_data(as_text=True)
    assert "王芳" not in page and "13912345678" not in page


def test_a_row_published_before_the_fix_is_scrubbed_when_read(app: Flask, demo_data: object) -> None:
    number, code = _write_answer(app)
    link = letters.tracking_url(app.config["PUBLIC_BASE_URL"], number, code)
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        s.add(Publication(case_id=case.id, number=number, kind="report", subject="路灯", letter_text="路灯不亮",
                          reply_text=f"已修复，请见 {link}", received_on=case.received_at.date()))
        s.commit()
    public = app.test_client()
    page = html_lib.unescape(public.get(f"/archive/{number}").get_data(as_text=True))
    assert "已修复" in page
    _no_way_in(page, app, number, code)
    api = public.get(f"/open311/v2/requests/{number}.json").get_json()[0]
    _no_way_in(str(api), app, number, code)
    _no_way_in(str(public.get("/open311/v2/requests.json").get_json()), app, number, code)


def test_ways_in_takes_links_and_codes_and_keeps_public_words() -> None:
    from cases.ways_in import CODE_MARK, LINK_MARK, WaysIn

    ways = WaysIn.for_office(["https://12345.city.example", "staff.city.example"])
    text, count = ways.strip(
        "See https://12345.city.example/track?number=2026-000123&code=ABCD-EFGH-JK. Staff: "
        "https://staff.city.example/cases/2026-000123, http://10.0.3.7:8080/x, http://intranet/desk; "
        "código de seguimiento: q7wx 9pkm 3r; tracking code is ZX9Q-MN4P-R7.")
    assert LINK_MARK in text and CODE_MARK in text and count == 6
    for gone in ("track?", "staff.city", "10.0.3.7", "intranet", "q7wx", "ZX9Q"):
        assert gone not in text
    public = ("Case 2026-000123, bus line 42, 3.5 km, on 2026-11-01 at 7:30, ¥1,200; see https://www.gov.cn/zhengce "
              "and the lamp post at Elm Avenue; código 2026-000123; WELL DONE OK")
    assert ways.strip(public) == (public, 0)
    assert ways.strip("my own code abcdefghjk", ["ABCD-EFGH-JK"])[0] == f"my own code {CODE_MARK}"
