"""Readable, translated names for the domain's code values (statuses, kinds, channels, actions)."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

LABELS = {
    # statuses
    "received": _l("received"), "registered": _l("registered"), "dispatched": _l("dispatched"),
    "returned": _l("returned"), "accepted": _l("accepted"), "answered": _l("answered"), "replied": _l("replied"),
    "closed": _l("closed"), "invalid": _l("invalid"), "merged": _l("merged"),
    "disputed": _l("return disputed"),
    # kinds
    "consultation": _l("consultation"), "report": _l("report of a problem"), "suggestion": _l("suggestion"),
    "help": _l("request for help"), "complaint": _l("complaint"), "praise": _l("praise"),
    # channels and reply ways
    "web": _l("web form"), "phone": _l("phone"), "email": _l("email"), "paper": _l("paper letter"), "sms": _l("SMS"),
    "post": _l("post"),
    # actions and events
    "register": _l("register"), "dispatch": _l("dispatch"), "accept": _l("sign for"), "return": _l("return"),
    "feedback": _l("feedback"), "reply": _l("reply"), "close": _l("close"), "reopen": _l("reopen"),
    "mark_invalid": _l("mark invalid"), "merge": _l("merge"), "merged_in": _l("duplicate merged in"),
    "request_extension": _l("request extension"), "approve_extension": _l("extension approved"),
    "reject_extension": _l("extension rejected"), "decide_extension": _l("decide extension"),
    "deadline": _l("deadline"), "letter_added": _l("letter added"),
    "answer_directly": _l("answer directly"), "rate": _l("rating"), "reopen_at_desk": _l("reopened at the desk"),
    "call": _l("on the call"), "proposed": _l("proposed"), "approved": _l("approved"), "rejected": _l("rejected"),
    "supervise": _l("put under supervision"), "supervision_ended": _l("supervision ended"),
    "reminder": _l("reminder sent"), "chase": _l("overdue notice sent"), "escalation": _l("escalated to the unit head"),
    "sign_chase": _l("not-signed-for notice sent"), "major_emergency": _l("declared a major emergency"),
    "dispute_return": _l("dispute the return"), "uphold_return": _l("return upheld"),
    "overrule_return": _l("return overruled"), "rule_on_dispute": _l("rule on the disputed return"),
    "recall": _l("recall"), "assign": _l("assign to a handler"),
    "pass_down": _l("passed down"), "answer_part": _l("part given"), "accept_part": _l("part accepted"),
    "send_back_part": _l("part sent back"), "chase_part": _l("part chased"), "co_handling": _l("co-handling units"),
    "answer_without_parts": _l("answered without a part"), "part_reminder": _l("part reminder sent"),
    "part_chase": _l("overdue part notice sent"), "open": _l("open"), "withdrawn": _l("withdrawn"),
    "emergency_acknowledged": _l("emergency alert acknowledged"), "unmerge": _l("merge undone"),
    "unmerged": _l("duplicate taken out again"), "follow_up": _l("follow-up call"),
    "mail_sent": _l("email sent"), "mail_failed": _l("email not sent"), "mail_retry": _l("email sent again"),
    "personal_data_erased": _l("personal data erased"), "published": _l("published"),
    "publication_withdrawn": _l("publication withdrawn"), "answered_directly": _l("answered at the desk"),
    "approve_reply": _l("reply approved"), "return_reply": _l("reply sent back"),
    "decide_reply": _l("approve reply"), "reply_submitted": _l("reply submitted for approval"),
    "reply_posted": _l("reply posted"), "survey_sent": _l("survey sent"), "reply_called": _l("reply given by phone"),
    # text messages (purpose and state)
    "acknowledgement": _l("acknowledgement"), "reply_notice": _l("reply notice"), "survey": _l("survey"),
    "queued": _l("queued"), "sending": _l("sending"), "opted_out": _l("opted out"), "stop": _l("stop"),
    "start": _l("start"), "limited": _l("limited"), "delivered": _l("delivered"), "attached": _l("attached"),
    # ratings and reply states
    "satisfied": _l("satisfied"), "basically": _l("basically satisfied"), "unsatisfied": _l("not satisfied"),
    "pending": _l("pending"), "sent": _l("sent"), "failed": _l("failed"),
    "awaiting_approval": _l("awaiting approval"), "sent_back": _l("sent back"), "to_print": _l("to print"),
    "to_call": _l("to call"), "return_notice": _l("return notice"), "merged_duplicate": _l("merged duplicate"),
    "satisfaction_request": _l("satisfaction request"),
    # unit kinds and work queues
    "department": _l("municipal department"), "district": _l("district"), "county": _l("county"),
    "street": _l("street office"), "surge": _l("part of a surge of similar cases"),
    "new": _l("new"), "to-dispatch": _l("to dispatch"), "to-reply": _l("to reply"), "with-units": _l("with units"),
    "working": _l("working"), "passed-down": _l("passed down to us"), "co-handling": _l("co-handling"),
    "below": _l("our sub-units'"),
    # roles
    "clerk": _l("clerk"), "unit": _l("unit handler"), "supervisor": _l("supervisor"), "admin": _l("administrator"),
    # who did it, when no person did
    "system": _l("system"),
}


def label(value: object) -> str:
    """The translated label of a code value; unknown values are shown as they are (escaped by Jinja)."""
    key = getattr(value, "value", value)
    return str(LABELS.get(str(key), key))


def actor_name(name: str) -> str:
    """The name an event records for who acted: a person's name as it is, the system's translated."""
    from cases.actors import SYSTEM

    return label(name) if name == SYSTEM.name else name


def named(item: object) -> str:
    """A unit's or category's name in the reader's language ("—" for none)."""
    if item is None:
        return "—"
    from cases.categories import localized_name
    from web.reply_letters.drafting import ui_language

    return localized_name(item, ui_language())  # type: ignore[arg-type]


def named_by_name(name: str | None, kind: str = "unit") -> str:
    """The reader's-language name of the unit (``kind`` "category": the category) whose main name is ``name``, for
    figures and search hits that carry the name only; ``name`` itself when no such item exists ("—" for none)."""
    if not name:
        return "—"
    from cases.categories import localized_name
    from cases.models import Category, Unit
    from web.app_state import db
    from web.reply_letters.drafting import ui_language

    lang = ui_language()
    if lang == "en":
        return name
    cache = g.setdefault("localized_names", {})
    if kind not in cache:  # one query per kind and request
        model = Category if kind == "category" else Unit
        cache[kind] = {item.name: localized_name(item, lang) for item in db().scalars(select(model))}
    return cache[kind].get(name, name)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["named"] = named
    app.jinja_env.filters["actor_name"] = actor_name
    app.jinja_env.filters["named_by_name"] = named_by_name
    from web.domain_text import deadline_basis, event_note, log_target  # they build on the labels above

    app.jinja_env.filters["event_note"] = event_note
    app.jinja_env.filters["deadline_basis"] = deadline_basis
    app.jinja_env.filters["log_target"] = log_target
