"""No request with odd dates, numbers, lengths or characters gets a 500, whoever sends it.

A property test over every route of the app (from its URL map) with the parameters the views read: for each role
(no log-in, clerk, unit handler, supervisor, administrator), Hypothesis picks a route and a method, fills its path
values, query string and form with odd values (dates at the ends of the calendar, numbers too big for any column,
CR/LF, NUL, right-to-left marks, very long text) and asserts the answer is not a server error. A bounded number of
examples keeps it fast; the seed varies from run to run, and a failure prints the request that caused it.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cases import demo
from cases.models import Case
from tests.conftest import login
from web.auth import hasher
from web.tasks.queue import drain
from web.app_state import state

ROLES = [None, "clerk", "transport", "supervisor", "admin"]
# What the views read from the query string and forms (and a few they do not).
NAMES = ["start", "end", "page", "unit", "q", "status", "sort", "desc", "week", "number", "code", "purpose", "lang",
         "next", "all", "service_request_id", "service_code", "start_date", "end_date", "date_from", "date_to",
         "kind", "channel", "year", "api_key", "note", "days", "reason", "category", "subject", "body", "name",
         "email", "phone", "summary", "caller", "username", "password", "role", "text", "satisfaction", "comment",
         "preferred_reply", "address", "consent", "urgent", "target", "approve", "decision", "page_number"]
ODD = ["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "2026-13-01", "1899-12-31", "3000-01-01",
       "2026-01-01T00:00:00+14:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "-1", "0", "1",
       "2147483648", "9223372036854775808", "99999999999999999999", "1e99", "NaN", "inf", "１２", "٣",
       "\r\nX-Injected: 1", "/\r\n/evil.example", "/%0d%0aSet-Cookie:x=1", "\x00", "a\x00b", "\u202e", "\ufeff",
       "%", "%%", "' OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}", "\\\\evil", "//evil.example",
       "/\t/evil.example", "x" * 3000, "长" * 600, "", " ", "🙂", "\ud7ff", "𝔘𝔫𝔦"]
# The names the views read come up more often than the others.
READ = ["start", "end", "page", "unit", "week", "date_from", "date_to", "start_date", "end_date", "next", "q",
        "number", "code", "purpose", "lang"]
NAME = st.sampled_from(READ) | st.sampled_from(READ) | st.sampled_from(NAMES)
VALUE = st.sampled_from(ODD) | st.sampled_from(ODD) | st.text(max_size=40)
# The instances the security review reported, always tried (as every role) besides the random ones.
REPORTED = [("GET", "/statistics", {"end": "9999-12-31"}, {}),
            ("GET", "/statistics", {"start": "0001-01-01"}, {}),
            ("GET", "/search/", {"q": "road", "date_to": "9999-12-31"}, {}),
            ("GET", "/search/", {"q": "road", "date_from": "0001-01-01"}, {}),
            ("GET", "/supervision/", {"end": "9999-12-31"}, {}),
            ("GET", "/supervision/performance", {"start": "0001-01-01", "end": "0001-01-02"}, {}),
            ("GET", "/supervision/performance.csv", {"end": "9999-12-31"}, {}),
            ("GET", "/supervision/deadlines", {"unit": "99999999999999999999"}, {}),
            ("POST", "/supervision/reports", {}, {"week": "9999-12-31"}),
            ("GET", "/desk/", {"page": "9223372036854775808"}, {}),
            ("GET", "/archive", {"page": "99999999999999999999"}, {}),
            ("GET", "/open311/v2/requests.json", {"start_date": "0001-01-01T00:00:00+14:00"}, {}),
            ("GET", "/track", {"number": "\x00", "code": "x"}, {}),
            ("POST", "/lang/en", {}, {"next": "/\r\nX-Injected: 1"}),
            ("GET", "/auth/login", {"next": "/\r\n/evil.example"}, {}),
            ("POST", "/auth/login", {"next": "/\r\n"}, {"username": "clerk", "password": "x"})]
INT_PATH = st.sampled_from([0, 1, 2, 2**31 - 1, 2**31, 2**63, 10**30])


def _routes(app) -> list[tuple[str, str, tuple[str, ...]]]:
    """(rule, method, its converters' names) of every route but static files and log-out (which would end the
    session the rest of the run needs)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"static", "auth.logout"}:
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule, method))
    return sorted(found, key=lambda item: (item[0].rule, item[1]))


@pytest.fixture
def demo_app(app_factory):
    app = app_factory(TRACK_RATE_LIMIT="10000 per minute")
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, hasher())
        session.commit()
        number = session.scalar(select(Case.number).order_by(Case.id).limit(1))
    drain(app, "index_case")
    return app, number


@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_no_odd_request_gets_a_server_error(demo_app, role):
    app, number = demo_app
    client = app.test_client()
    if role:
        assert login(client, role).status_code == 302
    routes = _routes(app)
    path_value = {"int": INT_PATH.map(str), "default": st.sampled_from([number, "2026-000001", "en", "html", "json",
                                                                         "xml", "pdf", "assign"]) | VALUE,
                  "path": st.sampled_from([number, "1", "a/b"]) | VALUE}

    @st.composite
    def requests(draw):
        rule, method = draw(st.sampled_from(routes))
        values = {}
        for name, converter in rule._converters.items():
            kind = {"IntegerConverter": "int", "BoundedInt": "int", "PathConverter": "path"}.get(
                type(converter).__name__, "default")
            values[name] = draw(path_value[kind])
        url = "".join(quote(str(values[part[1]]), safe="") if part[0] else part[1]
                      for part in _parts(rule))
        query = draw(st.dictionaries(NAME, VALUE, max_size=4))
        form = draw(st.dictionaries(NAME, VALUE, max_size=6)) if method == "POST" else {}
        return method, url, query, form

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(requests())
    def check(request):
        _send(request)

    def _send(request):
        method, url, query, form = request
        response = client.open(url, method=method, query_string=query, data=form)
        assert response.status_code < 500, (method, url, query, form, response.status_code)

    for request in REPORTED:
        _send(request)
    check()


def _parts(rule) -> list[tuple[bool, str]]:
    """The rule as (is a variable, text or variable name) parts."""
    parts = []
    for converter, _arguments, variable in _parse_rule(rule.rule):
        parts.append((converter is not None, variable))
    return parts


def _parse_rule(text: str):
    position = 0
    for match in re.finditer(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>.*?)\))?:)?"
                             r"(?P<variable>[a-zA-Z_][a-zA-Z0-9_]*)>", text):
        if match.start() > position:
            yield None, None, text[position:match.start()]
        yield match.group("converter") or "default", match.group("args"), match.group("variable")
        position = match.end()
    if position < len(text):
        yield None, None, text[position:]
