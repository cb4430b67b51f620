"""Returns and reassignment through the web app (both databases): disputing a return, the supervisors' list of
disputes, the ruling and its figure, and a recall with a new dispatch; forms refuse bad input next to the field
and without a CSRF token."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from cases import demo
from cases.models import Case, Unit
from cases.workflow import Status
from tests.conftest import DEMO_PASSWORDS, csrf_token
from web.auth import Argon2idHasher
from web.tasks.queue import drain
from web.app_state import state
from tests.helpers.returns import as_user, a_case


def stored(app: Flask, number: str) -> Case:
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        session.expunge(case)
        return case


def test_dispute_list_ruling_and_the_units_figure(app: Flask, demo_data: Any) -> None:
    number = a_case(app, returned=True)
    clerk, supervisor, transport = as_user(app, "clerk"), as_user(app, "supervisor"), as_user(app, "transport")
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert 'id="action-dispute_return"' in page
    refused = clerk.post(f"/cases/{number}/dispute_return", data={"reason": "  "})
    assert refused.status_code == 400
    assert re.search(r'id="dispute_return-reason-error"', refused.get_data(as_text=True))
    assert stored(app, number).status == Status.RETURNED
    assert clerk.post(f"/cases/{number}/dispute_return", data={"reason": "Bus stops are the bureau's."}
                      ).status_code == 302
    assert stored(app, number).status == Status.DISPUTED
    assert number in clerk.get("/desk/disputed").get_data(as_text=True)
    assert number not in clerk.get("/desk/to-dispatch").get_data(as_text=True)
    assert clerk.get("/supervisor/disputes").status_code == 404
    assert transport.get("/supervisor/disputes").status_code == 404
    listed = supervisor.get("/supervisor/disputes").get_data(as_text=True)
    assert number in listed and "Shelters are the district&#39;s." in listed and "Bus stops are the bureau" in listed
    # The unit no longer holds the case while the dispute waits, so it can neither see nor rule on it.
    assert transport.get(f"/cases/{number}").status_code == 404
    assert transport.post(f"/cases/{number}/rule_on_dispute", data={"decision": "uphold", "note": "x"}
                          ).status_code == 404
    assert 'id="action-rule_on_dispute"' not in clerk.get(f"/cases/{number}").get_data(as_text=True)
    refused = supervisor.post(f"/cases/{number}/rule_on_dispute", data={"decision": "overrule", "note": ""})
    assert refused.status_code == 400 and 'id="rule_on_dispute-note-error"' in refused.get_data(as_text=True)
    assert supervisor.post(f"/cases/{number}/rule_on_dispute",
                           data={"decision": "overrule", "note": "Bus stops are the Transport Bureau's."}
                           ).status_code == 302
    assert stored(app, number).status == Status.ACCEPTED
    assert number not in supervisor.get("/supervisor/disputes").get_data(as_text=True)
    back = transport.get(f"/cases/{number}")
    assert back.status_code == 200 and "Bus stops are the Transport Bureau&#39;s." in back.get_data(as_text=True)
    figures = supervisor.get("/supervision/performance").get_data(as_text=True)
    row = next(r for r in figures.split("<tr>") if "Transport Bureau" in r)
    assert '<td class="num returns-overruled">1</td>' in row
    other = next(r for r in figures.split("<tr>") if "Housing" in r)
    assert '<td class="num returns-overruled">0</td>' in other
    csv = supervisor.get("/supervision/performance.csv").get_data(as_text=True)
    header, *lines = csv.lstrip("\ufeff").splitlines()
    column = header.split(",").index("Returns overruled")
    assert next(line for line in lines if line.startswith("Transport Bureau")).split(",")[column] == "1"


def test_an_upheld_dispute_goes_back_to_the_desk_in_any_language(app: Flask, demo_data: Any) -> None:
    number = a_case(app, returned=True)
    clerk, supervisor = as_user(app, "clerk"), as_user(app, "supervisor")
    clerk.post(f"/cases/{number}/dispute_return", data={"reason": "It is theirs."})
    supervisor.post("/lang/zh")
    page = supervisor.get(f"/cases/{number}").get_data(as_text=True)
    assert "驳回退单" in page and "支持退单" in page
    assert supervisor.post(f"/cases/{number}/rule_on_dispute", data={"decision": "uphold", "note": "Right."}
                           ).status_code == 302
    case = stored(app, number)
    assert case.status == Status.RETURNED and case.unit_id is None
    assert 'id="action-dispatch"' in clerk.get(f"/cases/{number}").get_data(as_text=True)


def test_recall_and_dispatch_again_takes_the_case_from_the_first_unit(app: Flask, demo_data: Any) -> None:
    number = a_case(app, "Housing", accepted=True)
    clerk, housing, transport = as_user(app, "clerk"), as_user(app, "housing"), as_user(app, "transport")
    assert number in housing.get("/unit/working").get_data(as_text=True)
    assert 'id="action-recall"' not in housing.get(f"/cases/{number}").get_data(as_text=True)
    refused = clerk.post(f"/cases/{number}/recall", data={"reason": "", "unit": 0})
    assert refused.status_code == 400 and 'id="recall-reason-error"' in refused.get_data(as_text=True)
    with state(app).sessions() as session:
        transport_id = session.scalar(select(Unit.id).where(Unit.name == "Transport Bureau"))
    assert clerk.post(f"/cases/{number}/recall", data={"reason": "Shelters are transport's.", "unit": transport_id,
                                                       "note": "Repair the roof."}).status_code == 302
    case = stored(app, number)
    assert case.status == Status.DISPATCHED and case.unit_id == transport_id
    assert housing.get(f"/cases/{number}").status_code == 404
    assert number not in housing.get("/unit/working").get_data(as_text=True)
    assert number not in housing.get("/unit/new").get_data(as_text=True)
    assert housing.post(f"/cases/{number}/notes", data={"body": "still mine?"}).status_code == 404
    page = transport.get(f"/cases/{number}").get_data(as_text=True)
    assert "Repair the roof." in page and "Shelters are transport&#39;s." in page
    assert number in transport.get("/unit/new").get_data(as_text=True)
    timeline = clerk.get(f"/cases/{number}").get_data(as_text=True).split('class="timeline"')[-1]
    assert timeline.index("event recall") < timeline.rindex("event dispatch")
    # Once the index has the change, the first unit's search no longer finds the case; the new unit's does.
    drain(app, "index_case")
    assert number not in housing.get("/search/?q=shelter").get_data(as_text=True)
    assert number in transport.get("/search/?q=shelter").get_data(as_text=True)


def test_work_forms_need_the_csrf_token(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, Argon2idHasher("CHEAPEST"))
        session.commit()
    number = a_case(app, returned=True)
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    client.post("/auth/login", data={"username": "clerk", "password": DEMO_PASSWORDS["clerk"], "csrf_token": token})
    assert client.post(f"/cases/{number}/dispute_return", data={"reason": "It is theirs."}).status_code == 400
    assert client.post(f"/cases/{number}/notes", data={"body": "forged"}).status_code == 400
    assert stored(app, number).status == Status.RETURNED
    token = csrf_token(client, f"/cases/{number}")
    assert client.post(f"/cases/{number}/dispute_return", data={"reason": "It is theirs.", "csrf_token": token}
                       ).status_code == 302
    assert client.post(f"/cases/{number}/notes", data={"body": "with a token", "csrf_token": token}
                       ).status_code == 302
    assert stored(app, number).status == Status.DISPUTED
    assert "with a token" in client.get(f"/cases/{number}").get_data(as_text=True)
