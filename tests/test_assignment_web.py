"""A handler inside the unit through the web app (both databases): an administrator makes a handler the unit's
head, the head assigns and reassigns, handlers filter "mine" / "my unit's" / "not assigned"."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from cases import accounts
from cases.models import Case, User
from tests.helpers.returns import a_case, as_user
from web.auth import Argon2idHasher
from web.app_state import state

PASSWORD = "a long enough passphrase 2026"


def add_handler(app: Flask, username: str, unit: str) -> int:
    with state(app).sessions() as session:
        user = accounts.create_user(session, Argon2idHasher("CHEAPEST"), username=username, password=PASSWORD,
                                    role="unit", unit_name=unit, display_name=username.title())
        session.commit()
        return user.id


def user_id(app: Flask, username: str) -> int:
    with state(app).sessions() as session:
        return session.scalar(select(User.id).where(User.username == username))


def assignee(app: Flask, number: str) -> int | None:
    with state(app).sessions() as session:
        return session.scalar(select(Case.assignee_id).where(Case.number == number))


def test_head_assigns_and_handlers_filter_their_cases(app: Flask, demo_data: Any) -> None:
    wang = add_handler(app, "wang", "Transport Bureau")
    add_handler(app, "sun", "Housing and Urban-Rural Development Bureau")
    admin = as_user(app, "admin")
    head_id = user_id(app, "transport")
    refused = admin.post(f"/admin/users/{user_id(app, 'clerk')}/role", data={"role": "clerk", "unit": "",
                                                                             "unit_head": "y"})
    assert refused.status_code == 400 and 'id="role-unit_head-error"' in refused.get_data(as_text=True)
    assert admin.post(f"/admin/users/{head_id}/role", data={"role": "unit", "unit": "Transport Bureau",
                                                            "unit_head": "y"}).status_code == 302
    assert 'id="unit-head"' in admin.get(f"/admin/users/{head_id}").get_data(as_text=True)

    number = a_case(app)
    head = as_user(app, "transport")  # logs in again: the role change ended the old sessions
    me = app.test_client()
    assert me.post("/auth/login", data={"username": "wang", "password": PASSWORD}).status_code == 302
    page = head.get(f"/cases/{number}").get_data(as_text=True)
    form = page.split('id="action-assign"')[1].split("</form>")[0]
    assert "Wang" in form and "Sun" not in form  # only the unit's own handlers
    assert 'id="action-assign"' not in me.get(f"/cases/{number}").get_data(as_text=True)
    assert me.post(f"/cases/{number}/assign", data={"handler": wang}).status_code == 302
    assert assignee(app, number) is None  # a handler who is not the head is refused
    refused = head.post(f"/cases/{number}/assign", data={"handler": 0})
    assert refused.status_code == 400 and 'id="assign-handler-error"' in refused.get_data(as_text=True)
    assert head.post(f"/cases/{number}/assign", data={"handler": user_id(app, "sun")}).status_code == 400
    assert head.post(f"/cases/{number}/assign", data={"handler": wang, "note": "Yours."}).status_code == 302
    assert assignee(app, number) == wang
    page = me.get(f"/cases/{number}").get_data(as_text=True)
    assert 'id="case-handler">Wang<' in page and "Yours." in page

    mine = me.get("/unit/new?who=mine").get_data(as_text=True)
    assert number in mine and 'class="handler">Wang<' in mine
    assert number not in me.get("/unit/new?who=unassigned").get_data(as_text=True)
    assert number in me.get("/unit/new?who=unit").get_data(as_text=True)
    assert number not in head.get("/unit/new?who=mine").get_data(as_text=True)
    assert number in head.get("/unit/new?who=nonsense").get_data(as_text=True)  # unknown filter: the unit's

    assert head.post(f"/cases/{number}/assign", data={"handler": head_id}).status_code == 302  # reassign
    assert assignee(app, number) == head_id
    assert number not in me.get("/unit/new?who=mine").get_data(as_text=True)
    timeline = head.get(f"/cases/{number}").get_data(as_text=True).split('class="timeline"')[-1]
    assert timeline.count("event assign") == 2
