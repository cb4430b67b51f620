"""The caller history by postal address: one address however it is spelt finds the citizen's earlier and open
cases, on the phone form as it is typed and on the case page of a letter that came with one."""
from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.callers import address_key
from cases.models import Citizen
from tests.conftest import login
from web.app_state import state

ADDRESS = "北京市朝阳区建国路８８號 3单元"  # full-width digits and 號, as a phone keyboard may type them


def test_address_keys_match_however_the_address_is_spelt() -> None:
    assert address_key(ADDRESS) == address_key("北京市 朝阳区 建国路88号3单元") == "北京市朝阳区建国路88号3单元"
    assert address_key("12 Elm Street, Apt. 4") == address_key("12  ELM STREET APT 4") == "12elmstreetapt4"
    assert address_key("１２ Ｅｌｍ Ｓｔｒｅｅｔ， Apt.4") == address_key("12 elm street apt 4")
    assert address_key("12 Elm Street") != address_key("21 Elm Street")
    assert address_key(" 1号 ") == "" and address_key("") == ""  # too vague to name one household


def letter(client: FlaskClient, address: str, subject: str) -> None:
    response = client.post("/write", data={
        "kind": "report", "subject": subject, "body": "楼道灯坏了很久，晚上很黑。", "name": "王女士", "phone": "",
        "email": "", "address": address, "preferred_reply": "post"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def test_a_typed_address_finds_the_citizens_earlier_and_open_cases(app: Flask, client: FlaskClient,
                                                                   demo_data: object) -> None:
    letter(app.test_client(), ADDRESS, "楼道灯坏了")
    letter(app.test_client(), "上海市徐汇区漕溪北路1号", "别人的来信")
    with state(app).sessions() as session:
        keys = set(session.scalars(select(Citizen.address_key)))
    assert address_key(ADDRESS) in keys
    login(client, "clerk")
    found = client.get("/desk/caller", query_string={"address": "北京市朝阳区 建国路 88号 3 单元"}).get_json()
    assert [c["subject"] for c in found["cases"]] == ["楼道灯坏了"] and found["cases"][0]["open"]
    assert found["recent"] == 1
    assert client.get("/desk/caller", query_string={"address": "建国路"}).get_json()["cases"] == []
    # A call from the same household with its address typed becomes a case the next lookup finds too.
    call = client.post("/desk/phone", data={"caller": "王先生", "phone": "13800001111", "address": ADDRESS,
                                            "kind": "report", "category": 0, "summary": "楼道灯还是没修好。"})
    assert call.status_code == 302
    number = call.headers["Location"].rsplit("/", 1)[-1]
    found = client.get("/desk/caller", query_string={"address": ADDRESS}).get_json()
    assert found["recent"] == 2
    # The case page of the call shows the letter, not the call itself.
    page = client.get(f"/cases/{number}").get_data(as_text=True)
    assert 'data-address="北京市朝阳区建国路８８號 3单元"' in page
    found = client.get("/desk/caller", query_string={"address": ADDRESS, "case": number}).get_json()
    assert [c["subject"] for c in found["cases"]] == ["楼道灯坏了"]


def test_units_cannot_look_up_callers_by_address(app: Flask, demo_data: object) -> None:
    unit = app.test_client()
    login(unit, "transport")
    assert unit.get("/desk/caller", query_string={"address": ADDRESS}).status_code == 404
