"""Internal notes through the web app (both databases): a thread on the case page, errors next to the field, a
unit confined to its own cases' notes, and nothing of a note on any page, feed or file the citizen receives."""
from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from flask import Flask
from sqlalchemy import select

from cases import disclosure, services
from cases.models import Case, Unit
from tests.conftest import a_category
from tests.helpers.returns import actor
from tests.helpers.returns import a_case, as_user
from tests.helpers.web_forms import submit_letter
from web.app_state import state

SECRET = "NOTE-7731 the caller sounded drunk"


def test_a_thread_on_the_case_page_and_errors_next_to_the_field(app: Flask, demo_data: Any) -> None:
    number = a_case(app)
    clerk, transport, housing = as_user(app, "clerk"), as_user(app, "transport"), as_user(app, "housing")
    refused = clerk.post(f"/cases/{number}/notes", data={"body": "   "})
    assert refused.status_code == 400 and 'id="note-body-error"' in refused.get_data(as_text=True)
    assert clerk.post(f"/cases/{number}/notes", data={"body": "x", "reply_to": "1 OR 1=1"}).status_code == 400
    posted = clerk.post(f"/cases/{number}/notes", data={"body": "Caller rang again."})
    assert posted.status_code == 302
    first = int(re.search(r"#note-(\d+)$", posted.headers["Location"]).group(1))
    assert transport.post(f"/cases/{number}/notes", data={"body": "Crew sent <b>today</b>.", "reply_to": first}
                          ).status_code == 302
    page = transport.get(f"/cases/{number}").get_data(as_text=True)
    thread = page.split(f'id="note-{first}"')[1].split("</section>")[0]
    replies = thread.split('class="note-replies"')[1]
    assert "Caller rang again." in thread and "Crew sent &lt;b&gt;today&lt;/b&gt;." in replies
    # Another unit neither reads nor writes on the case.
    assert housing.get(f"/cases/{number}").status_code == 404
    assert housing.post(f"/cases/{number}/notes", data={"body": "let me in"}).status_code == 404
    # An answer to a note of another case is refused next to the field.
    other = a_case(app, "Housing")
    posted = clerk.post(f"/cases/{other}/notes", data={"body": "Housing case note."})
    other_note = int(re.search(r"#note-(\d+)$", posted.headers["Location"]).group(1))
    refused = transport.post(f"/cases/{number}/notes", data={"body": "sneaky", "reply_to": other_note})
    assert refused.status_code == 400 and "not on this case" in refused.get_data(as_text=True)
    assert "Housing case note." not in refused.get_data(as_text=True)


def test_the_citizen_never_sees_a_note(app: Flask, demo_data: Any) -> None:
    public = app.test_client()
    number, code = submit_letter(public, consent="y", subject="Streetlights off on Elm Avenue")
    clerk, supervisor, transport = as_user(app, "clerk"), as_user(app, "supervisor"), as_user(app, "transport")
    assert clerk.post(f"/cases/{number}/notes", data={"body": SECRET}).status_code == 302
    with state(app).sessions() as s:
        policy = state(app).policy
        case = s.scalar(select(Case).where(Case.number == number))
        desk = actor(s, "clerk")
        services.register(s, policy, case, desk)
        services.dispatch(s, policy, case, desk, s.scalar(select(Unit.id).where(Unit.name == "Transport Bureau")),
                          category_id=a_category(s))
        s.commit()
    assert transport.post(f"/cases/{number}/notes", data={"body": SECRET + " (unit)"}).status_code == 302
    with state(app).sessions() as s:
        policy = state(app).policy
        case = s.scalar(select(Case).where(Case.number == number))
        services.accept(s, policy, case, actor(s, "transport"))
        services.give_feedback(s, policy, case, actor(s, "transport"), "Lights repaired.")
        services.reply(s, policy, case, actor(s, "clerk"), channel="email", body="The lights are repaired.")
        draft = disclosure.prepare(policy, case)
        disclosure.publish(s, policy, case, actor(s, "supervisor"), subject=draft.subject,
                           letter_text=draft.letter_text, reply_text=draft.reply_text)
        s.commit()
    assert SECRET in clerk.get(f"/cases/{number}").get_data(as_text=True)
    citizen_sees = {
        "tracking": public.get(f"/track?number={number}&code={code}"),
        "archive": public.get("/archive"),
        "archive item": public.get(f"/archive/{number}"),
        "open311 item": public.get(f"/open311/v2/requests/{number}.json"),
        "open311 list": public.get("/open311/v2/requests.json"),
        "open311 xml": public.get(f"/open311/v2/requests/{number}.xml"),
    }
    for what, response in citizen_sees.items():
        assert response.status_code == 200, what
        assert "NOTE-7731" not in response.get_data(as_text=True), what
    assert number in citizen_sees["archive item"].get_data(as_text=True)
    assert "Lights repaired" in citizen_sees["archive item"].get_data(as_text=True) or \
        "lights are repaired" in citizen_sees["archive item"].get_data(as_text=True)
    # The citizen's own data, as the office exports it for them, leaves internal notes out (docs/privacy.md).
    exported = supervisor.get(f"/privacy/citizen/{number}/export.zip")
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        data = json.loads(archive.read("data.json"))
        assert all("NOTE-7731" not in archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    assert [c["number"] for c in data["cases"]] == [number]
    # Notes are not indexed: a search finds a case by its own words, never by a note's (so no unit learns of
    # another's notes through search).
    from web.tasks.queue import drain

    drain(app, "index_case")
    assert number not in supervisor.get("/search/?q=NOTE-7731").get_data(as_text=True)
    assert number in supervisor.get("/search/?q=Streetlights").get_data(as_text=True)
