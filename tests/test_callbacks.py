"""The clerks' satisfaction-callback list (回访): replied cases left unrated, with a phone script."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from cases import callbacks, intake, services, sms
from cases.actors import Actor
from cases.drafts import Channel, LetterDraft
from cases.models import Case, Event, Unit, User, utcnow
from tests.conftest import a_category, login
from web.app_state import state


def actor(s: Any, username: str) -> Actor:
    user = s.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id)


def replied_case(s: Any, policy: Any, subject: str, days_ago: int) -> Case:
    draft = LetterDraft(channel=Channel.PHONE, subject=subject, body=subject, sender_name="Li Wei",
                        sender_phone="13700000000", preferred_reply="phone")
    case = intake.receive(s, policy, draft).case
    clerk, unit = actor(s, "clerk"), actor(s, "transport")
    services.register(s, policy, case, clerk)
    services.dispatch(s, policy, case, clerk, s.scalar(select(Unit.id).where(Unit.name == "Transport Bureau")),
                          category_id=a_category(s))
    services.accept(s, policy, case, unit)
    services.give_feedback(s, policy, case, unit, "Done.")
    services.reply(s, policy, case, clerk, body="It is done.", channel="phone")
    s.flush()
    s.execute(update(Event).where(Event.case_id == case.id, Event.action == "reply")
              .values(at=utcnow() - timedelta(days=days_ago)))
    return case


def test_unrated_replies_wait_on_the_callback_list(app: Any, demo_data: object) -> None:
    policy = state(app).policy
    with state(app).sessions() as s:
        old = replied_case(s, policy, "Broken swing in the park", days_ago=10)
        fresh = replied_case(s, policy, "Graffiti on the bridge", days_ago=0)
        rated = replied_case(s, policy, "Missing manhole cover", days_ago=10)
        services.close(s, policy, rated, actor(s, "clerk"), "satisfied")
        # The old case's citizen got an SMS survey and did not answer it.
        survey = sms.queue(s, sms.SmsSettings(enabled=True), number="13700000000", text="1/2/3?", purpose="survey",
                           key="survey:old", case_id=old.id)
        survey.status, survey.sent_at = "delivered", utcnow() - timedelta(days=9)
        s.commit()
        due = [cb.case.number for cb in callbacks.due_callbacks(s, policy, 3)]
        assert old.number in due and fresh.number not in due and rated.number not in due
        assert fresh.number in [cb.case.number for cb in callbacks.due_callbacks(s, policy, 0)]
        numbers = old.number, fresh.number

    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get("/desk/callbacks").get_data(as_text=True)
    assert numbers[0] in page and numbers[1] not in page and "13700000000" in page
    assert "Are you satisfied, basically satisfied or not satisfied" in page
    assert page.count("unanswered") == 1  # the SMS survey of the old case
    unit = app.test_client()
    login(unit, "transport")
    assert unit.get("/desk/callbacks").status_code == 404  # the desk does not exist for units
    # The clerk records the answer on the case: not satisfied reopens it to its unit.
    assert clerk.post(f"/cases/{numbers[0]}/close", data={"satisfaction": "unsatisfied", "comment": "Still broken"}
                      ).status_code == 302
    with state(app).sessions() as s:
        assert s.scalar(select(Case).where(Case.number == numbers[0])).status.value == "accepted"
    assert numbers[0] not in clerk.get("/desk/callbacks").get_data(as_text=True)
