"""No page repeats an element id or shows an internal code name (approve_reply): every role (and the public)
walks every page it can reach by its links, with cases in every state on the way, and each page is checked."""
from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import urldefrag, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases import services
from cases.models import Case
from tests.conftest import login
from tests.helpers.casepage import PageScan, app, make_case  # noqa: F401 - app: the demo office
from tests.helpers.workflow import actor_for
from web.app_state import state

# Links that change something when followed, or that only download files.
SKIP = re.compile(r"/(auth/logout|static/)|\.(pdf|csv|xlsx|zip|json|png|jpe?g|svg|ico)(\?|$)|/files/|/raw|/export")
PER_ENDPOINT = 4  # pages of one kind (e.g. case pages) looked at per role
MAX_PAGES = 160




def _endpoint(app: Flask, path: str) -> str:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(path).path, method="GET")[0]
    except Exception:  # noqa: BLE001 - not one of ours (or not a GET): not followed
        return ""


def walk(app: Flask, client: FlaskClient, start: list[str]) -> dict[str, list[str]]:
    """Every page reachable from ``start`` (a few per endpoint): path -> the ids it repeats."""
    seen: set[str] = set()
    per_endpoint: Counter[str] = Counter()
    queue, repeated, given = list(start), {}, set(start)
    while queue and len(seen) < MAX_PAGES:
        path = urldefrag(queue.pop(0))[0]
        if not path.startswith("/") or path in seen or SKIP.search(path):
            continue
        endpoint = _endpoint(app, path)
        if not endpoint or (per_endpoint[endpoint] >= PER_ENDPOINT and path not in given):
            continue
        seen.add(path)
        per_endpoint[endpoint] += 1
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = PageScan()
        parser.feed(response.get_data(as_text=True))
        doubles = [name for name, count in parser.ids.items() if count > 1]
        if doubles:
            repeated[path] = doubles
        if parser.code_words:
            repeated[f"{path} code names"] = sorted(parser.code_words)
        queue.extend(parser.links)
    assert len(seen) > 5, seen
    return repeated


def cases_in_every_state(app: Flask) -> list[str]:
    """Case numbers in each state a page shows differently (and a merged and a returned one)."""
    numbers = [make_case(app), make_case(app, until="registered"), make_case(app, until="dispatched", note="Go"),
               make_case(app, until="accepted"), make_case(app, until="answered"),
               make_case(app, until="answered", kind="complaint"), make_case(app, until="answered", urgent=True)]
    main, duplicate, returned = (make_case(app, until="registered"), make_case(app, until="registered"),
                                 make_case(app, until="dispatched"))
    with state(app).sessions() as s:
        policy = state(app).policy
        clerk, unit = actor_for(s, "clerk"), actor_for(s, "transport")
        case = {n: s.scalar(select(Case).where(Case.number == n)) for n in (main, duplicate, returned)}
        services.merge(s, policy, case[duplicate], case[main], clerk)
        services.return_to_desk(s, policy, case[returned], unit, "Not ours.")
        services.request_extension(s, policy, s.scalar(select(Case).where(Case.number == numbers[3])), unit, 3,
                                   "Parts on order.")
        s.commit()
    return numbers + [main, duplicate, returned]


def test_no_page_of_any_role_repeats_an_element_id_or_shows_a_code_name(app: Flask, smtp_server: Any) -> None:
    numbers = cases_in_every_state(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    clerk.post(f"/cases/{numbers[5]}/reply", data={"channel": "email", "subject": "S", "body": "Dear Ana."})
    clerk.post(f"/cases/{numbers[6]}/reply", data={"channel": "email", "subject": "S", "body": "Dear Ana."})
    case_pages = [f"/cases/{n}" for n in numbers]
    with state(app).sessions() as s:
        tracking = [f"/track?number={n}&code={c}" for n, c in s.execute(
            select(Case.number, Case.tracking_code).where(Case.number.in_(numbers)))]
    repeated = {}
    for username in (None, "clerk", "transport", "supervisor", "admin"):
        client = app.test_client()
        if username:
            login(client, username)
        start = ["/", "/write", "/archive", "/statistics"] + tracking if username is None else \
            ["/", "/search/?q=pavement"] + case_pages
        start += [f"/cases/{n}?open={a}" for n in numbers for a in ("reply", "merge")] if username else []
        for path, ids in walk(app, client, start).items():
            repeated[f"{username or 'public'} {path}"] = ids
    assert repeated == {}
