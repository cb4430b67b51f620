"""Administrators edit what they created: a user's name and email (role, unit, password and activation have their
own forms), a unit's names, kind, parent and addresses, a category's name; refusals come back as messages."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from cases.models import Category, Unit, User
from tests.conftest import login
from web.app_state import state


def _admin(app: Flask):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, "admin")
    return client


def _id(app: Flask, model, **where) -> int:  # type: ignore[no-untyped-def]
    with state(app).sessions() as s:
        return s.scalar(select(model.id).filter_by(**where))


def test_a_users_name_and_email_are_edited(app: Flask, demo_data: object) -> None:
    client = _admin(app)
    user_id = _id(app, User, username="clerk")
    page = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert f'action="/admin/users/{user_id}/details"' in page and 'id="details-display_name"' in page
    response = client.post(f"/admin/users/{user_id}/details", data={"display_name": "Wang Fang",
                                                                    "email": "wang.fang@city.example"})
    assert response.status_code == 302
    with state(app).sessions() as s:
        user = s.get(User, user_id)
        assert (user.display_name, user.email, user.username) == ("Wang Fang", "wang.fang@city.example", "clerk")
    bad = client.post(f"/admin/users/{user_id}/details", data={"display_name": "Wang Fang", "email": "not-an-email"})
    assert bad.status_code == 400 and 'id="details-email-error"' in bad.get_data(as_text=True)
    # Role, unit and activation stay editable on the same page.
    unit = client.post(f"/admin/users/{user_id}/role", data={"role": "unit", "unit": "Transport Bureau"})
    assert unit.status_code == 302
    with state(app).sessions() as s:
        assert s.get(User, user_id).unit.name == "Transport Bureau"


def test_a_unit_is_edited_and_cannot_go_under_itself(app: Flask, demo_data: object) -> None:
    client = _admin(app)
    unit_id = _id(app, Unit, name="Transport Bureau")
    assert f'href="/admin/units/{unit_id}"' in client.get("/admin/units").get_data(as_text=True)
    form = client.get(f"/admin/units/{unit_id}").get_data(as_text=True)
    assert 'value="Transport Bureau"' in form
    response = client.post(f"/admin/units/{unit_id}", data={
        "name": "Transport and Roads Bureau", "name_zh": "交通运输局", "name_es": "Oficina de Transporte",
        "kind": "department", "parent": 0, "email": "roads@city.example", "head_email": ""})
    assert response.status_code == 302
    with state(app).sessions() as s:
        unit = s.get(Unit, unit_id)
        assert (unit.name, unit.name_zh, unit.email) == ("Transport and Roads Bureau", "交通运输局", "roads@city.example")
        child = Unit(name="Bus Office", parent_id=unit_id)
        s.add(child)
        s.commit()
        child_id = child.id
    loop = client.post(f"/admin/units/{unit_id}", data={"name": "Transport and Roads Bureau", "kind": "department",
                                                        "parent": child_id}, follow_redirects=True)
    assert "cannot be placed under itself" in loop.get_data(as_text=True)
    taken = client.post(f"/admin/units/{unit_id}", data={"name": "Eastern District", "kind": "department", "parent": 0},
                        follow_redirects=True)
    assert "exists already" in taken.get_data(as_text=True)
    with state(app).sessions() as s:
        assert s.get(Unit, unit_id).parent_id is None and s.get(Unit, unit_id).name == "Transport and Roads Bureau"
    assert client.get("/admin/units/999999").status_code == 404


def test_a_category_is_renamed(app: Flask, demo_data: object) -> None:
    client = _admin(app)
    with state(app).sessions() as s:
        first, second = s.scalars(select(Category).order_by(Category.id).limit(2)).all()
        first_id, second_name = first.id, second.name
    page = client.get(f"/admin/categories/{first_id}").get_data(as_text=True)
    assert 'name="name"' in page
    assert client.post(f"/admin/categories/{first_id}", data={"name": "Roads and pavements", "parent": 0, "unit": 0,
                                                              "answer_days": 5}).status_code == 302
    with state(app).sessions() as s:
        assert s.get(Category, first_id).name == "Roads and pavements"
    taken = client.post(f"/admin/categories/{first_id}", data={"name": second_name, "parent": 0, "unit": 0},
                        follow_redirects=True)
    assert "exists already" in taken.get_data(as_text=True)


def test_only_administrators_edit(app: Flask, demo_data: object) -> None:
    unit_id = _id(app, Unit, name="Transport Bureau")
    for username in ("clerk", "supervisor", "transport"):
        client = app.test_client()
        login(client, username)
        assert client.get(f"/admin/units/{unit_id}").status_code == 404
        assert client.post("/admin/users/1/details", data={"display_name": "x"}).status_code == 404
