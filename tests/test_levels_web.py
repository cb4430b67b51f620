"""Work across units through the web app: the desk dispatches to a lead and a co-handling unit, the district passes
the case down to its street office and reviews its part, and every level sees exactly its own cases — on the case
page, its files, the unit lists and the archive search."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Case, Event
from tests.conftest import category_id, login
from tests.helpers.web_forms import PNG, submit_letter, unit_id
from web.tasks.queue import drain
from web.app_state import state

EASTERN, STREET, HOUSING = "Eastern District", "Jiefang Road Street Office", "Housing and Urban-Rural Development Bureau"


def as_user(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    login(client, name)
    return client


def case_row(app: Flask, number: str) -> Case:
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        s.expunge(case)
        return case


def events_of(app: Flask, number: str) -> list[str]:
    with state(app).sessions() as s:
        return list(s.scalars(select(Event.action).join(Case).where(Case.number == number).order_by(Event.id)))


def part_id(page: str, unit_class: str = "sub") -> int:
    return int(re.search(rf'<tr class="part {unit_class} [a-z]+" id="part-(\d+)"', page).group(1))


def dispatched_to_district(app: Flask, client: FlaskClient, subject: str, lead: str = EASTERN,
                           co: tuple[str, ...] = (HOUSING,)) -> str:
    number, _code = submit_letter(client, subject=subject, attachments=[(io.BytesIO(PNG), "photo.png")])
    clerk = as_user(app, "clerk")
    assert clerk.post(f"/cases/{number}/register", data={"kind": "report", "category": 0}).status_code == 302
    response = clerk.post(f"/cases/{number}/dispatch", data={
        "unit": unit_id(app, lead), "category": category_id(app), "note": "Check the whole street.",
        "co_units": [unit_id(app, u) for u in co]})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return number


def test_pass_down_and_up_with_a_co_handling_unit(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number = dispatched_to_district(app, client, "Loose paving stones on Jiefang Road")
    district, street, housing = as_user(app, "eastern"), as_user(app, "jiefang"), as_user(app, "housing")
    assert "co-handling" in housing.get("/unit/co-handling").get_data(as_text=True)
    assert number in housing.get("/unit/co-handling").get_data(as_text=True)
    assert number not in housing.get("/unit/new").get_data(as_text=True)  # it is not the Housing Bureau's lead
    assert district.post(f"/cases/{number}/accept", data={}).status_code == 302
    page = district.get(f"/cases/{number}").get_data(as_text=True)
    assert 'id="action-pass-down"' in page and STREET in page
    own_due = case_row(app, number).due_date
    # a deadline later than the district's own is refused next to the field, with the date it must keep
    late = district.post(f"/cases/{number}/parts/pass-down", data={
        "sub_unit": unit_id(app, STREET), "instructions": "Measure the stones.",
        "due": (own_due + timedelta(days=3)).isoformat()})
    text = late.get_data(as_text=True)
    assert late.status_code == 400 and 'id="pass-down-due-error"' in text and own_due.isoformat() in text
    assert "pass_down" not in events_of(app, number)
    assert district.post(f"/cases/{number}/parts/pass-down", data={
        "sub_unit": unit_id(app, STREET), "instructions": "Measure the stones.",
        "due": own_due.isoformat()}).status_code == 302
    listed = street.get("/unit/passed-down").get_data(as_text=True)
    assert number in listed and "passed down to us" in listed
    assert "passed down to Jiefang Road Street Office" in district.get("/unit/working").get_data(as_text=True)
    assert street.post(f"/cases/{number}/parts/answer", data={"body": "Twelve stones loose."}).status_code == 302

    # the district may not answer the office before it settles its street office's part
    district.post(f"/cases/{number}/feedback", data={"body": "Done."}, content_type="multipart/form-data")
    assert case_row(app, number).status.value == "accepted"
    page = district.get(f"/cases/{number}").get_data(as_text=True)
    sub = part_id(page)
    refused = district.post(f"/cases/{number}/parts/{sub}/review", data={"decision": "send_back", "note": ""})
    assert refused.status_code == 400 and f'id="review-{sub}-note-error"' in refused.get_data(as_text=True)
    assert district.post(f"/cases/{number}/parts/{sub}/review",
                         data={"decision": "send_back", "note": "Which house numbers?"}).status_code == 302
    assert "Which house numbers?" in street.get(f"/cases/{number}").get_data(as_text=True)
    assert street.post(f"/cases/{number}/parts/answer",
                       data={"body": "Twelve stones loose at No. 3 to No. 9."}).status_code == 302
    assert district.post(f"/cases/{number}/parts/{sub}/review", data={"decision": "accept"}).status_code == 302
    page = district.get(f"/cases/{number}").get_data(as_text=True)
    feedback = re.search(r'<textarea[^>]*id="feedback-body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "Twelve stones loose at No. 3 to No. 9." in feedback  # the accepted part, to send as it is

    # the co-handling unit's part is missing: the lead answers only with a reason, or once it is in
    co = part_id(page, "co")
    assert district.post(f"/cases/{number}/parts/{co}/chase", data={"note": "Today, please."}).status_code == 302
    missing = district.post(f"/cases/{number}/feedback", data={"body": "Repaired."},
                            content_type="multipart/form-data")
    error = re.search(r'id="feedback-without_parts_reason-error">([^<]*)<', missing.get_data(as_text=True))
    assert missing.status_code == 400 and HOUSING in error.group(1)
    assert case_row(app, number).status.value == "accepted"
    assert housing.post(f"/cases/{number}/parts/answer", data={"body": "No housing issue."}).status_code == 302
    assert district.post(f"/cases/{number}/feedback", data={"body": "Repaired."},
                         content_type="multipart/form-data").status_code == 302
    assert case_row(app, number).status.value == "answered"
    steps = events_of(app, number)
    for step in ("co_handling", "pass_down", "answer_part", "send_back_part", "accept_part", "chase_part", "feedback"):
        assert step in steps, step
    timeline = as_user(app, "clerk").get(f"/cases/{number}").get_data(as_text=True)
    for shown in ("passed down", "part given", "part sent back", "part accepted", "part chased", "co-handling units"):
        assert shown in timeline, shown


def test_answer_without_a_co_units_part_says_why(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number = dispatched_to_district(app, client, "Blocked drain")
    district = as_user(app, "eastern")
    assert district.post(f"/cases/{number}/accept", data={}).status_code == 302
    assert district.post(f"/cases/{number}/feedback", data={
        "body": "Drain cleared.", "without_parts_reason": "The Housing Bureau has no part in a street drain."},
        content_type="multipart/form-data").status_code == 302
    assert case_row(app, number).status.value == "answered"
    assert "answered without a part" in as_user(app, "clerk").get(f"/cases/{number}").get_data(as_text=True)


def test_each_level_sees_only_its_own_everywhere(app: Flask, client: FlaskClient, demo_data: object) -> None:
    number = dispatched_to_district(app, client, "Flickering lamp Zebrafinch")
    district = as_user(app, "eastern")
    district.post(f"/cases/{number}/accept", data={})
    district.post(f"/cases/{number}/parts/pass-down", data={
        "sub_unit": unit_id(app, STREET), "instructions": "Check it.", "due": state(app).policy.today().isoformat()})
    # the desk sends another case straight to the street office
    other = dispatched_to_district(app, client, "Broken bench Kingfisher", lead=STREET, co=())
    clerk = as_user(app, "clerk")
    drain(app, "index_case")
    with state(app).sessions() as s:
        files = {n: s.scalar(select(Case).where(Case.number == n)).attachments[0].id for n in (number, other)}
    expected = {"eastern": {number, other}, "jiefang": {number, other}, "housing": {number},
                "transport": set(), "clerk": {number, other}}
    for user, visible in expected.items():
        web = clerk if user == "clerk" else as_user(app, user)
        for n in (number, other):
            allowed = n in visible
            assert (web.get(f"/cases/{n}").status_code == 200) == allowed, (user, n)
            assert (web.get(f"/cases/{n}/files/{files[n]}").status_code == 200) == allowed, (user, n)
        found = web.get("/search/?q=Zebrafinch OR Kingfisher").get_data(as_text=True)
        assert {n for n in (number, other) if n in found} == visible, user
        if user != "clerk":
            listed = "".join(web.get(f"/unit/{q}").get_data(as_text=True)
                             for q in ("new", "working", "passed-down", "co-handling", "below", "answered"))
            assert {n for n in (number, other) if n in listed} == visible, user
    # a district watching its street office's case takes none of the office's actions on it
    watching = district.get(f"/cases/{other}").get_data(as_text=True)
    assert 'id="action-accept"' not in watching and 'id="action-return"' not in watching
    assert district.post(f"/cases/{other}/accept", data={}).status_code == 302
    assert case_row(app, other).status.value == "dispatched"
    # nor may a unit beside it act on a part it does not hold
    assert as_user(app, "housing").post(f"/cases/{other}/parts/answer", data={"body": "x"}).status_code == 404
    assert as_user(app, "transport").post(f"/cases/{number}/parts/answer", data={"body": "x"}).status_code == 404


def test_supervisors_see_the_work_across_units(app: Flask, demo_data: object) -> None:
    supervisor = as_user(app, "supervisor")
    page = supervisor.get("/supervision/work-across-units")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="level-figures"' in text
    # the demo's heating case, passed down to the street office: led, co-handled, passed down, sent back, own, below
    row = re.search(r'<tr class="depth-1" data-unit="Jiefang Road Street Office">(.*?)</tr>', text, re.S).group(1)
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] == [0, 0, 1, 0, 1, 1]
    assert "Work across units" in supervisor.get("/supervision/performance").get_data(as_text=True)
    assert as_user(app, "eastern").get("/supervision/work-across-units").status_code in (302, 403, 404)
    assert supervisor.get("/supervision/work-across-units?start=2026-13-01").status_code == 200


def test_the_parts_speak_chinese_and_spanish(app: Flask, demo_data: object) -> None:
    with state(app).sessions() as s:
        heating = s.scalar(select(Case.number).where(Case.subject == "Heating not working in public housing"))
    street = as_user(app, "jiefang")
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    assert "上级转派" in street.get("/unit/passed-down", headers=zh).get_data(as_text=True)
    page = street.get(f"/cases/{heating}", headers=zh).get_data(as_text=True)
    assert "多单位协同办理" in page and "报送办理结果" in page and "已转派" in page
    es = street.get(f"/cases/{heating}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Trabajo compartido entre unidades" in es and "remitido por" in es
