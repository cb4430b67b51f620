"""Redirects to a place the request names (``next=``) stay on this site, read the way a browser reads them."""
from __future__ import annotations

import ada_url
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.helpers.web_forms import submit_letter
from web.redirects import local_path

SITE = "https://mailbox.example"
HOSTILE = [
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\\evil.example", "/\\\\evil.example",
    "//evil.example", "///evil.example", "https://evil.example/", "http:evil.example", "javascript:alert(1)",
    " //evil.example", "\x00//evil.example", "/\x0b/evil.example", "/\u3000/evil.example", "/\u200b/evil.example",
    "/\r\nSet-Cookie: planted=1", "/x\r\nLocation: https://evil.example/", "\t//evil.example",
    "/" + "a" * 5000,
]


def lands_on_site(location: str) -> bool:
    """Whether a browser that follows ``location`` from a page of the site stays on the site."""
    return ada_url.URL(location, base=f"{SITE}/desk/").host == "mailbox.example"


@given(st.text(max_size=60) | st.from_regex(r"\A[/\\\t\n\r .%:a-z0-9@?#]{0,20}\Z"))
@example("/\t/evil.example")
@example("/\\evil.example")
def test_the_helper_never_leads_off_the_site(target: str) -> None:
    result = local_path(target, "/home")
    assert lands_on_site(result)
    assert not any(char in result for char in "\r\n\t\x00")


@given(st.from_regex(r"\A/[a-z0-9_\-]{1,10}(/[a-z0-9_\-]{1,10}){0,3}(\?[a-z]{1,5}=[a-z0-9%]{0,8})?\Z"))
def test_plain_paths_on_the_site_are_kept(target: str) -> None:
    assert local_path(target, "/home") == target


def _assert_stays(response, *, default: str, target: str = "") -> None:  # type: ignore[no-untyped-def]
    if "\x00" in target:  # a request carrying NUL is refused whole (web.query_args), never redirected
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert lands_on_site(location), location
    assert location.endswith(default) or location.startswith("/")


def test_log_in_language_switch_and_supervise_form_refuse_other_sites(app: Flask, demo_data: object) -> None:
    number, _code = submit_letter(app.test_client())
    for target in HOSTILE:
        client = app.test_client()
        if "\x00" in target:
            _assert_stays(client.post("/auth/login", query_string={"next": target},
                                      data={"username": "supervisor", "password": "supervisor-demo-2026"}),
                          default="/", target=target)
            continue
        logged_in = client.post("/auth/login", query_string={"next": target},
                                data={"username": "supervisor", "password": "supervisor-demo-2026"})
        _assert_stays(logged_in, default="/supervisor/")
        assert logged_in.headers["Location"] == "/supervisor/", target
        switched = client.post("/lang/es", data={"next": target})
        _assert_stays(switched, default="/")
        assert switched.headers["Location"] == "/", target
        supervised = client.post(f"/supervision/cases/{number}/supervise", data={"note": "why", "next": target})
        assert supervised.status_code == 302, target
        assert supervised.headers["Location"] == "/supervision/deadlines", target


def test_a_path_on_the_site_is_followed(app: Flask, demo_data: object) -> None:
    client = app.test_client()
    response = client.post("/auth/login", query_string={"next": "/search/?q=noise"},
                           data={"username": "clerk", "password": "clerk-demo-2026"})
    assert response.headers["Location"] == "/search/?q=noise"
    assert client.post("/lang/zh", data={"next": "/desk/"}).headers["Location"] == "/desk/"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.text(max_size=40))
def test_the_language_switch_never_fails_or_leaves(client: FlaskClient, target: str) -> None:
    response = client.post("/lang/en", data={"next": target})
    _assert_stays(response, default="/", target=target)


def test_the_log_in_page_keeps_next_for_the_form_only_escaped(client: FlaskClient) -> None:
    html = client.get("/auth/login", query_string={"next": '/"><script>x</script>'}).get_data(as_text=True)
    assert "<script>x" not in html


def test_staff_pages_send_strangers_to_log_in_with_a_local_next(client: FlaskClient, demo_data: object) -> None:
    response = client.get("/desk/")
    assert response.status_code == 302 and lands_on_site(response.headers["Location"])
    login(client, "clerk")
    assert client.get("/desk/").status_code == 200
