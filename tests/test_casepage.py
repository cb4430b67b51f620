"""The case page as a clerk, a unit handler and a supervisor work on it: the action bar with the usual next step
first, the banner of what matters, landing where the change is, the confirmation step and merge undo, honest
translated messages, and the reply preview."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from cases import demo, supervision
from cases.models import Case, Event, Reply
from cases.workflow import Action
from tests.helpers.casepage import PageScan, app, flashes, make_case, staff  # noqa: F401 - app: the demo office
from tests.helpers.workflow import actor_for
from web.app_state import state
from web.auth import hasher
from web.code_labels import LABELS

def action_bar(page: str) -> list[str]:
    bar = re.search(r'<nav class="action-bar" id="action-bar".*?</nav>', page, re.S)
    assert bar, "no action bar"
    # The case's workflow actions; supervision and the emergency declaration follow them.
    return [a for a in re.findall(r'data-action="([a-z_]+)"', bar.group(0)) if a not in ("supervise", "emergency")]


def test_the_action_bar_puts_the_usual_next_step_first(app: Flask) -> None:
    clerk, unit = staff(app, "clerk"), staff(app, "transport")
    received = make_case(app)
    assert action_bar(clerk.get(f"/cases/{received}").get_data(as_text=True))[0] == "register"
    registered = make_case(app, until="registered")
    bar = action_bar(clerk.get(f"/cases/{registered}").get_data(as_text=True))
    assert bar[0] == "dispatch" and bar[-2:] == ["mark_invalid", "merge"]
    dispatched = make_case(app, until="dispatched")
    assert action_bar(unit.get(f"/cases/{dispatched}").get_data(as_text=True)) == ["accept", "return"]
    accepted = make_case(app, until="accepted")
    assert action_bar(unit.get(f"/cases/{accepted}").get_data(as_text=True))[0] == "feedback"
    answered = make_case(app, until="answered")
    page = clerk.get(f"/cases/{answered}").get_data(as_text=True)
    assert action_bar(page) == ["reply"]
    assert re.search(r'data-action="emergency">Declare a major emergency</a>\s*</nav>', page)
    # Each entry is a link that works without a script: the page again, with that form open.
    assert f'href="/cases/{answered}?open=reply#action-reply"' in page
    opened = clerk.get(f"/cases/{registered}?open=mark_invalid").get_data(as_text=True)
    assert re.search(r'<details class="action" id="action-mark_invalid" open', opened)
    assert not re.search(r'<details class="action" id="action-dispatch" open', opened)


def test_after_an_action_the_page_lands_on_what_changed(app: Flask) -> None:
    clerk, unit = staff(app, "clerk"), staff(app, "transport")
    number = make_case(app)
    done = clerk.post(f"/cases/{number}/register", data={"kind": "report", "category": 0})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{number}#case-summary")
    refused = clerk.post(f"/cases/{number}/dispatch", data={"unit": 0, "category": 0})
    # A form with errors comes back at the form itself (its action carries the fragment).
    assert refused.status_code == 400
    assert f'action="/cases/{number}/dispatch#action-dispatch"' in refused.get_data(as_text=True)
    accepted = make_case(app, until="accepted")
    fed = unit.post(f"/cases/{accepted}/feedback", data={"body": "Fixed."})
    assert fed.headers["Location"].endswith("#feedback")
    answered = make_case(app, until="answered")
    replied = clerk.post(f"/cases/{answered}/reply", data={"channel": "email", "subject": "Your case",
                                                           "body": "Dear Ana, it is repaired."})
    assert replied.headers["Location"].endswith("#replies")
    page = clerk.get(f"/cases/{answered}").get_data(as_text=True)
    assert 'id="case-summary"' in page and 'id="replies"' in page and 'id="feedback"' in page


def test_the_banner_shows_the_return_reason_instructions_time_left_and_supervision(app: Flask) -> None:
    clerk, unit, boss = staff(app, "clerk"), staff(app, "transport"), staff(app, "supervisor")
    number = make_case(app, until="dispatched", note="Call the citizen before 10:00 and check the school gate.")
    page = unit.get(f"/cases/{number}").get_data(as_text=True)
    instructions = re.search(r'id="banner-instructions">(.*?)</div>', page, re.S).group(1)
    assert "Call the citizen before 10:00" in instructions
    assert re.search(r'id="banner-time-left">\d+ working days? left<', page) or "due today" in page
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        supervision.supervise(s, state(app).policy, case, actor_for(s, "supervisor"), "Third complaint this month.")
        s.commit()
    assert "Third complaint this month." in re.search(r'id="banner-supervision">(.*?)</div>\s*</div>',
                                                      unit.get(f"/cases/{number}").get_data(as_text=True),
                                                      re.S).group(1)
    returned = unit.post(f"/cases/{number}/return", data={"reason": "Pavements are the district's."})
    # The case is no longer the unit's to see: the unit lands on its own list, told what happened.
    assert returned.status_code == 302 and returned.headers["Location"].endswith("/unit/")
    assert flashes(unit, "/unit/") == ["The case was returned to the desk."]
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert "Pavements are the district&#39;s." in re.search(r'id="banner-return-reason">(.*?)</div>', page,
                                                             re.S).group(1)
    # An urgent case counts its deadline in hours, and the banner says how many are left.
    urgent = make_case(app, until="dispatched", urgent=True)
    page = boss.get(f"/cases/{urgent}").get_data(as_text=True)
    assert re.search(r'id="banner-time-left">\d+ h \d+ min (left|overdue)<', page)


def test_merge_asks_for_confirmation_names_both_cases_and_can_be_undone(app: Flask) -> None:
    clerk = staff(app, "clerk")
    main, duplicate = make_case(app, until="registered"), make_case(app, until="registered")
    asked = clerk.post(f"/cases/{duplicate}/merge", data={"main_number": main})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="confirm-step"' in page and main in page
    assert 'name="confirm" value="yes"' in page and f'name="main_number" value="{main}"' in page

    def status(number: str) -> str:
        with state(app).sessions() as s:
            return s.scalar(select(Case.status).where(Case.number == number)).value

    assert status(duplicate) == "registered"  # nothing happened yet
    merged = clerk.post(f"/cases/{duplicate}/merge", data={"main_number": main, "confirm": "yes"})
    assert merged.status_code == 302 and status(duplicate) == "merged"
    assert f"The case was merged into {main}." in flashes(clerk, f"/cases/{duplicate}")
    dup_page = clerk.get(f"/cases/{duplicate}").get_data(as_text=True)
    main_page = clerk.get(f"/cases/{main}").get_data(as_text=True)
    assert f'href="/cases/{main}" class="other-case"' in dup_page
    assert f'href="/cases/{duplicate}" class="other-case"' in main_page
    assert 'id="undo-merge"' in dup_page
    undone = clerk.post(f"/cases/{duplicate}/undo-merge")
    assert undone.status_code == 302 and status(duplicate) == "registered"
    with state(app).sessions() as s:
        dup = s.scalar(select(Case).where(Case.number == duplicate))
        assert dup.merged_into_id is None and dup.due_date is not None
    assert f'href="/cases/{duplicate}" class="other-case"' in clerk.get(f"/cases/{main}").get_data(as_text=True)
    assert "duplicate taken out again" in clerk.get(f"/cases/{main}").get_data(as_text=True)


def test_a_merge_cannot_be_undone_after_the_undo_period(app_factory: Any) -> None:
    app = app_factory(MERGE_UNDO_HOURS=2)
    with state(app).sessions() as s:
        demo.load(s, state(app).policy, hasher(app))
        s.commit()
    clerk = staff(app, "clerk")
    main, duplicate = make_case(app, until="registered"), make_case(app, until="registered")
    assert clerk.post(f"/cases/{duplicate}/merge", data={"main_number": main, "confirm": "yes"}).status_code == 302
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == duplicate))
        event = next(e for e in case.events if e.action == "merge")
        event.at = datetime.now(timezone.utc) - timedelta(hours=3)
        s.commit()
    page = clerk.get(f"/cases/{duplicate}").get_data(as_text=True)
    assert 'id="undo-merge"' not in page and 'id="banner-merged"' in page
    clerk.post(f"/cases/{duplicate}/undo-merge")
    assert flashes(clerk, f"/cases/{duplicate}") == ["The merge can no longer be undone: it is older than 2 hours."]
    with state(app).sessions() as s:
        assert s.scalar(select(Case.status).where(Case.number == duplicate)).value == "merged"


def test_mark_invalid_asks_for_confirmation(app: Flask) -> None:
    clerk = staff(app, "clerk")
    number = make_case(app)
    asked = clerk.post(f"/cases/{number}/mark_invalid", data={"reason": "advertising"})
    assert asked.status_code == 200 and "Mark " + number + " invalid?" in asked.get_data(as_text=True)
    assert 'name="reason" value="advertising"' in asked.get_data(as_text=True)
    with state(app).sessions() as s:
        assert s.scalar(select(Case.status).where(Case.number == number)).value == "received"
    assert clerk.post(f"/cases/{number}/mark_invalid", data={"reason": "advertising", "confirm": "yes"}
                      ).status_code == 302
    assert "The case was marked invalid." in flashes(clerk, f"/cases/{number}")


def test_flash_messages_say_where_the_reply_really_is(app: Flask, smtp_server: Any) -> None:
    clerk, boss = staff(app, "clerk"), staff(app, "supervisor")
    # A complaint's reply waits for a supervisor: the clerk is told so, and it is not counted as sent.
    complaint = make_case(app, until="answered", kind="complaint")
    clerk.post(f"/cases/{complaint}/reply", data={"channel": "email", "subject": "Your complaint",
                                                  "body": "Dear Ana, we are sorry."})
    said = flashes(clerk, f"/cases/{complaint}")
    assert said == ["The reply is waiting for a supervisor's approval: it has not been sent yet."]
    # The mail server refuses for now: the clerk hears that it failed and will be retried, not "Done".
    later = make_case(app, until="answered", email="ana@later.example")
    clerk.post(f"/cases/{later}/reply", data={"channel": "email", "subject": "Your case", "body": "Repaired."})
    said = flashes(clerk, f"/cases/{later}")
    assert said == ["Sending failed, will retry: the reply has not reached the citizen yet."]
    page = clerk.get(f"/cases/{later}").get_data(as_text=True)
    assert '<span class="reply-status">sending failed, will retry</span>' in page
    # The case moved on, but its banner says the answer has not reached the citizen.
    assert "Sending failed, will retry." in re.search(r'id="banner-reply-not-out">(.*?)</div>', page, re.S).group(1)
    # A reply that went out says so; the supervisor's approval of the complaint sends it.
    boss.post(f"/cases/{complaint}/decide_reply", data={"decision": "approve", "note": ""})
    assert flashes(boss, f"/cases/{complaint}") == ["The reply was sent."]
    for messages in (said,):
        assert not any(m.startswith("Done") for m in messages)


def test_no_internal_action_name_reaches_a_user(app: Flask) -> None:
    for action in Action:
        assert action.value in LABELS, f"no label for the action {action.value}"
    # Every event name the code records has a label too (the timeline and the tracking page show them).
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    recorded = set()
    for folder in ("cases", "web", "mailbox"):
        for path in (root / folder).rglob("*.py"):
            recorded |= set(re.findall(r'events\.record\(\s*[^,()]+,\s*[^,()]+,\s*[^,()]+,\s*"([a-z_]+)"', path.read_text(), re.S))
    assert recorded and recorded - set(LABELS) == set()
    # The citizen's tracking page after a supervisor approved a reply: words, not approve_reply.
    complaint = make_case(app, until="answered", kind="complaint")
    clerk, boss = staff(app, "clerk"), staff(app, "supervisor")
    clerk.post(f"/cases/{complaint}/reply", data={"channel": "email", "subject": "S", "body": "Dear Ana."})
    boss.post(f"/cases/{complaint}/decide_reply", data={"decision": "approve", "note": ""})
    with state(app).sessions() as s:
        code = s.scalar(select(Case.tracking_code).where(Case.number == complaint))
    tracked = app.test_client().get(f"/track?number={complaint}&code={code}").get_data(as_text=True)
    assert "reply approved" in tracked and "approve_reply" not in tracked
    for page in (tracked, clerk.get(f"/cases/{complaint}").get_data(as_text=True)):
        shown = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S))
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown), re.findall(r"\b[a-z]+_[a-z_]+\b", shown)


def test_the_reply_editor_previews_the_letter_and_its_pdf_without_sending(app: Flask) -> None:
    clerk = staff(app, "clerk")
    number = make_case(app, until="answered")
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*class="grow"[^>]*rows="22"|<textarea[^>]*rows="22"[^>]*class="grow"', page)
    data = {"channel": "email", "subject": "Your case", "body": "Dear Ana,\n\nThe pavement was repaired on Monday."}
    preview = clerk.post(f"/cases/{number}/reply/preview", data=data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="reply-preview"' in html
    shown = re.search(r'id="reply-preview".*?</section>', html, re.S).group(0)
    assert "<p>The pavement was repaired on Monday.</p>" in shown
    # The editor keeps what was written, open, below the preview.
    assert "The pavement was repaired on Monday.</textarea>" in html
    pdf = clerk.post(f"/cases/{number}/reply/preview.pdf", data=data)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    with state(app).sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case.status.value == "answered"
        assert s.scalar(select(func.count()).select_from(Reply).where(Reply.case_id == case.id)) == 0
    # A unit handler may not use the preview of a reply (the desk writes replies).
    assert staff(app, "transport").post(f"/cases/{number}/reply/preview", data=data).status_code == 404


def test_the_supervisor_previews_the_waiting_reply_before_approving(app: Flask) -> None:
    clerk, boss = staff(app, "clerk"), staff(app, "supervisor")
    number = make_case(app, until="answered", kind="complaint")
    clerk.post(f"/cases/{number}/reply", data={"channel": "email", "subject": "Your complaint",
                                               "body": "Dear Ana, we looked into it."})
    page = boss.get(f"/cases/{number}").get_data(as_text=True)
    section = re.search(r'id="approval-preview".*?</section>', page, re.S).group(0)
    assert "Dear Ana, we looked into it." in section
    link = re.search(r'href="(/cases/[^"]+/preview\.pdf)" target="_blank" class="button secondary" '
                     r'id="approval-pdf"', section).group(1)
    pdf = boss.get(link)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert staff(app, "transport").get(link).status_code == 404


def test_the_dashboard_charts_carry_their_figures_as_text(app: Flask) -> None:
    make_case(app, until="dispatched")
    page = staff(app, "supervisor").get("/supervision/").get_data(as_text=True)
    descs = re.findall(r"<desc>([^<]*)</desc>", page)
    assert descs and len(descs) == page.count('role="img"')
    assert any(re.search(r"\w+: .*\d", d) for d in descs)


def test_every_page_has_a_skip_link_to_its_content(app: Flask) -> None:
    for client, path in ((app.test_client(), "/write"), (staff(app, "clerk"), "/desk/")):
        page = client.get(path).get_data(as_text=True)
        assert '<a class="skip-link" href="#content">' in page and '<main id="content"' in page


def test_events_table_stays_the_timeline(app: Flask) -> None:
    """The merge's event keeps what an undo needs (the duplicate's status and deadline)."""
    clerk = staff(app, "clerk")
    main, duplicate = make_case(app, until="registered"), make_case(app, until="registered")
    clerk.post(f"/cases/{duplicate}/merge", data={"main_number": main, "confirm": "yes"})
    with state(app).sessions() as s:
        event = s.scalar(select(Event).join(Case).where(Case.number == duplicate, Event.action == "merge"))
        assert event.from_status == "registered" and event.data["into"] == main and event.data["due_date"]


def test_the_case_page_and_its_messages_speak_chinese(app: Flask) -> None:
    clerk = staff(app, "clerk")
    clerk.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    number = make_case(app, until="answered", kind="complaint")
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert "撰写答复" in action_bar_html(page) and "Write the reply" not in page
    clerk.post(f"/cases/{number}/reply", data={"channel": "email", "subject": "答复", "body": "王先生您好。"})
    assert flashes(clerk, f"/cases/{number}") == ["答复正在等待督办人员审批：尚未发送。"]
    page = clerk.get(f"/cases/{number}").get_data(as_text=True)
    assert "有一份答复等待督办人员审批，尚未发送。" in page
    other = make_case(app, until="registered")
    asked = clerk.post(f"/cases/{other}/mark_invalid", data={"reason": "广告"}).get_data(as_text=True)
    assert f"将 {other} 标为无效？" in asked and "是，标为无效" in asked


def test_the_preview_and_confirmation_pages_repeat_no_id(app: Flask) -> None:
    clerk = staff(app, "clerk")
    answered, registered = make_case(app, until="answered"), make_case(app, until="registered")
    pages = [clerk.post(f"/cases/{answered}/reply/preview", data={"channel": "email", "subject": "S", "body": "B"}),
             clerk.post(f"/cases/{registered}/merge", data={"main_number": answered}),
             clerk.post(f"/cases/{registered}/dispatch", data={"unit": 0, "category": 0})]
    for response in pages:
        parser = PageScan()
        parser.feed(response.get_data(as_text=True))
        assert [name for name, count in parser.ids.items() if count > 1] == []


def action_bar_html(page: str) -> str:
    return re.search(r'<nav class="action-bar" id="action-bar".*?</nav>', page, re.S).group(0)


def test_a_refused_action_is_said_in_words_not_rule_names(app: Flask) -> None:
    clerk, other = staff(app, "clerk"), staff(app, "clerk")
    number = make_case(app)
    # Two clerks on the same page: the first registers, the second's register comes too late.
    assert clerk.post(f"/cases/{number}/register", data={"kind": "report", "category": 0}).status_code == 302
    late = other.post(f"/cases/{number}/register", data={"kind": "report", "category": 0})
    assert late.headers["Location"].endswith("#action-register")
    assert flashes(other, f"/cases/{number}") == ["This action is not possible now: the case is registered."]
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    main = make_case(app, until="registered")
    other.post(f"/cases/{main}/merge", data={"main_number": main, "confirm": "yes"})
    assert flashes(other, f"/cases/{main}") == ["Un caso no se puede unir a sí mismo."]
