"""Staff accounts on the web: sessions that end everywhere, passwords, the administrator's account page and the
confirmation that destructive actions ask for."""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Case, Category, Unit, User
from tests.conftest import login
from tests.helpers.web_forms import submit_letter
from web.app_state import state

STRONG = "violet-harbour-tractor-97"


def staff(app: Flask, username: str, password: str | None = None) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    return client


def copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Another client holding the same session cookie: a cookie somebody saved."""
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session").value)
    return stolen


def user_row(app: Flask, username: str) -> User:
    with state(app).sessions() as s:
        return s.scalar(select(User).where(User.username == username))


def can_open(client: FlaskClient, path: str = "/desk/") -> bool:
    response = client.get(path)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_log_out_ends_every_session_of_the_user(app: Flask, demo_data: object) -> None:
    first, second = staff(app, "clerk"), staff(app, "clerk")
    saved = copy_of(first, app)
    other_user = staff(app, "supervisor")
    assert can_open(saved) and can_open(second)
    first.post("/auth/logout")
    assert not can_open(saved), "a cookie saved before log-out still opens staff pages"
    assert not can_open(second)
    assert can_open(other_user, "/supervisor/")
    assert can_open(staff(app, "clerk"))  # logging in again works


def test_password_change_ends_other_sessions_and_keeps_this_one(app: Flask, demo_data: object) -> None:
    mine, elsewhere = staff(app, "clerk"), staff(app, "clerk")
    response = mine.post("/auth/password", data={"current": "clerk-demo-2026", "new": STRONG, "repeat": STRONG})
    assert response.status_code == 302
    assert can_open(mine) and not can_open(elsewhere)
    assert login(app.test_client(), "clerk").status_code == 200  # the old password no longer works
    assert login(app.test_client(), "clerk", STRONG).status_code == 302


def test_password_change_refuses_wrong_current_weak_and_mismatched(app: Flask, demo_data: object) -> None:
    client = staff(app, "clerk")
    cases = [({"current": "wrong-password-1", "new": STRONG, "repeat": STRONG}, "current",
              "The current password is wrong."),
             ({"current": "clerk-demo-2026", "new": "1234567890", "repeat": "1234567890"}, "new", "too easy to guess"),
             ({"current": "clerk-demo-2026", "new": "qwertyuiop12", "repeat": "qwertyuiop12"}, "new",
              "too easy to guess"),
             ({"current": "clerk-demo-2026", "new": "clerk-clerk-1", "repeat": "clerk-clerk-1"}, "new",
              "too easy to guess"),
             ({"current": "clerk-demo-2026", "new": "short", "repeat": "short"}, "new", "at least 10 characters"),
             ({"current": "clerk-demo-2026", "new": STRONG, "repeat": STRONG + "x"}, "repeat", "differ")]
    for data, field, message in cases:
        response = client.post("/auth/password", data=data)
        assert response.status_code == 400
        error = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
        assert error and message in error.group(1), (data, error)
    assert login(app.test_client(), "clerk").status_code == 302  # nothing changed


def test_weak_passwords_are_refused_on_create_by_form_and_command(app: Flask, demo_data: object) -> None:
    admin = staff(app, "admin")
    response = admin.post("/admin/users", data={"username": "newbie", "password": "1234567890", "role": "clerk",
                                                "unit": ""})
    assert response.status_code == 200 and re.search(r'id="password-error">[^<]*too easy to guess',
                                                     response.get_data(as_text=True))
    result = app.test_cli_runner().invoke(args=["users", "create", "newbie", "--role", "clerk"],
                                          input="password1234\npassword1234\n")
    assert result.exit_code != 0 and "too easy to guess" in result.output
    assert user_row(app, "newbie") is None
    response = admin.post("/admin/users", data={"username": "newbie", "password": STRONG, "role": "clerk",
                                                "unit": ""})
    assert response.status_code == 302 and user_row(app, "newbie") is not None


def _user_id(app: Flask, username: str) -> int:
    return user_row(app, username).id


def test_admin_reset_forces_a_change_at_next_log_in(app: Flask, demo_data: object) -> None:
    admin, clerk = staff(app, "admin"), staff(app, "clerk")
    uid = _user_id(app, "clerk")
    weak = admin.post(f"/admin/users/{uid}/password", data={"password": "clerk12345", "repeat": "clerk12345"})
    assert weak.status_code == 400 and 'id="reset-password-error"' in weak.get_data(as_text=True)
    temporary = "lantern-orchard-sleet-4"
    assert admin.post(f"/admin/users/{uid}/password",
                      data={"password": temporary, "repeat": temporary}).status_code == 302
    assert not can_open(clerk)  # the reset ended the clerk's sessions
    fresh = app.test_client()
    response = login(fresh, "clerk", temporary)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/password")
    for path in ("/desk/", "/search/", "/cases/2026-000001"):
        blocked = fresh.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/auth/password"), path
    assert fresh.post("/auth/password", data={"current": temporary, "new": STRONG,
                                              "repeat": STRONG}).status_code == 302
    assert can_open(fresh) and not user_row(app, "clerk").must_change_password


def test_deactivation_needs_confirmation_ends_sessions_and_says_disabled(app: Flask, demo_data: object) -> None:
    admin, clerk = staff(app, "admin"), staff(app, "clerk")
    uid = _user_id(app, "clerk")
    unconfirmed = admin.post(f"/admin/users/{uid}/active", data={})  # a confirmation page, nothing changed
    assert unconfirmed.status_code == 200 and 'name="confirm" value="yes"' in unconfirmed.get_data(as_text=True)
    assert "Deactivate the account clerk and end its sessions?" in unconfirmed.get_data(as_text=True)
    assert user_row(app, "clerk").active and can_open(clerk)
    assert admin.post(f"/admin/users/{uid}/active", data={"confirm": "yes"}).status_code == 302
    assert not user_row(app, "clerk").active and not can_open(clerk)
    right = login(app.test_client(), "clerk")
    assert right.status_code == 403 and "This account is disabled" in right.get_data(as_text=True)
    wrong = login(app.test_client(), "clerk", "not-the-password")
    assert wrong.status_code == 200 and "disabled" not in wrong.get_data(as_text=True)
    assert "Wrong user name or password." in wrong.get_data(as_text=True)
    assert admin.post(f"/admin/users/{uid}/active", data={}).status_code == 302  # activating asks nothing
    assert login(app.test_client(), "clerk").status_code == 302


def test_role_change_ends_sessions_and_applies(app: Flask, demo_data: object) -> None:
    admin, clerk = staff(app, "admin"), staff(app, "clerk")
    uid = _user_id(app, "clerk")
    response = admin.post(f"/admin/users/{uid}/role", data={"role": "unit", "unit": "Transport Bureau"})
    assert response.status_code == 302 and not can_open(clerk)
    again = staff(app, "clerk")
    assert again.get("/desk/").status_code == 404 and again.get("/unit/").status_code in (200, 302)


def test_admins_cannot_remove_themselves_or_the_last_admin(app: Flask, demo_data: object) -> None:
    admin = staff(app, "admin")
    me = _user_id(app, "admin")
    admin.post(f"/admin/users/{me}/active", data={"confirm": "yes"})
    admin.post(f"/admin/users/{me}/role", data={"role": "clerk", "unit": ""})
    row = user_row(app, "admin")
    assert row.active and row.role.value == "admin" and can_open(admin, "/admin/users")
    # A second admin may not remove the first while it is the only other one... and the last one stays.
    second = "keeper-of-keys"
    admin.post("/admin/users", data={"username": second, "password": STRONG, "role": "admin", "unit": ""})
    other = staff(app, second, STRONG)
    assert other.post(f"/admin/users/{me}/active", data={"confirm": "yes"}).status_code == 302
    assert not user_row(app, "admin").active
    page = other.post(f"/admin/users/{_user_id(app, second)}/active", data={"confirm": "yes"})
    assert user_row(app, second).active and page.status_code == 400
    with state(app).sessions() as s:
        from cases import accounts
        from cases.errors import ValidationError

        try:
            accounts.set_active(s, me, _user_id(app, second), False)
        except ValidationError as err:
            assert "last active administrator" in str(err)
        else:
            raise AssertionError("the last administrator was deactivated")


def test_units_and_categories_are_switched_off_only_after_a_confirmation_page(app: Flask, demo_data: object) -> None:
    admin = staff(app, "admin")
    with state(app).sessions() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "Transport Bureau"))
        category_id = s.scalar(select(Category.id).limit(1))
    for kind, item_id, model in (("units", unit_id, Unit), ("categories", category_id, Category)):
        page = admin.post(f"/admin/{kind}/{item_id}/toggle", data={})
        assert page.status_code == 200 and 'name="confirm" value="yes"' in page.get_data(as_text=True)
        with state(app).sessions() as s:
            assert s.get(model, item_id).active
        assert admin.post(f"/admin/{kind}/{item_id}/toggle", data={"confirm": "yes"}).status_code == 302
        with state(app).sessions() as s:
            assert not s.get(model, item_id).active
        assert admin.post(f"/admin/{kind}/{item_id}/toggle", data={}).status_code == 302  # back on at once


def test_merge_and_mark_invalid_ask_for_confirmation(app: Flask, demo_data: object) -> None:
    first, _ = submit_letter(app.test_client())
    second, _ = submit_letter(app.test_client())
    clerk = staff(app, "clerk")

    def status(number: str) -> str:
        with state(app).sessions() as s:
            return s.scalar(select(Case.status).where(Case.number == number)).value

    merge = clerk.post(f"/cases/{second}/merge", data={"main_number": first})
    assert merge.status_code == 200 and 'id="confirm-step"' in merge.get_data(as_text=True)
    invalid = clerk.post(f"/cases/{second}/mark_invalid", data={"reason": "spam"})
    assert invalid.status_code == 200 and 'id="confirm-step"' in invalid.get_data(as_text=True)
    assert status(second) == "received"
    assert clerk.post(f"/cases/{second}/merge", data={"main_number": first, "confirm": "y"}).status_code == 302
    assert status(second) == "merged"


def test_the_command_line_resets_a_forgotten_password(app: Flask, demo_data: object) -> None:
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "reset-password", "admin"], input="admin12345\nadmin12345\n")
    assert weak.exit_code != 0 and "too easy to guess" in weak.output
    unknown = runner.invoke(args=["users", "reset-password", "nobody"], input=f"{STRONG}\n{STRONG}\n")
    assert unknown.exit_code != 0 and "No user named nobody" in unknown.output
    done = runner.invoke(args=["users", "reset-password", "admin"], input=f"{STRONG}\n{STRONG}\n")
    assert done.exit_code == 0, done.output
    response = login(app.test_client(), "admin", STRONG)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/password")


def test_the_new_password_must_differ_from_the_current_one(app: Flask, demo_data: object) -> None:
    client = staff(app, "clerk")
    same = client.post("/auth/password", data={"current": "clerk-demo-2026", "new": "clerk-demo-2026",
                                               "repeat": "clerk-demo-2026"})
    assert same.status_code == 400 and re.search(r'id="new-error">Choose a password different',
                                                 same.get_data(as_text=True))


def test_guessing_the_current_password_on_the_change_page_is_throttled(app: Flask, demo_data: object) -> None:
    client = staff(app, "clerk")
    guesses = [client.post("/auth/password", data={"current": f"guess-number-{n}", "new": STRONG,
                                                   "repeat": STRONG}).status_code for n in range(6)]
    assert guesses == [400] * 5 + [429]
    right = client.post("/auth/password", data={"current": "clerk-demo-2026", "new": STRONG, "repeat": STRONG})
    assert right.status_code == 429 and "Too many failed log-ins" in right.get_data(as_text=True)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.30"
    assert login(elsewhere, "clerk", STRONG).status_code == 200  # nothing changed
    assert login(elsewhere, "clerk").status_code == 302
