"""What the case page says about its actions: their titles, which comes first, where the page lands after one,
the confirmation a risky one asks for, and the honest message after it ran.

An action added to ``views.ACTIONS`` appears in the action bar by itself; giving it a title, a place in
``ORDER``, a landing anchor and a message here makes it read well.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cases.models import Case, Reply
from cases.models_letters import AWAITING_APPROVAL, FAILED, PENDING, SENT, SENT_BACK, TO_CALL, TO_PRINT
from web.code_labels import label

# The button in the action bar (a verb for what the user will do).
TITLES: dict[str, Any] = {
    "register": _l("Register"), "dispatch": _l("Dispatch"), "accept": _l("Sign for"),
    "return": _l("Return to the desk"), "feedback": _l("Give feedback"), "request_extension": _l("Ask for more time"),
    "decide_extension": _l("Decide on the extension"), "reply": _l("Write the reply"),
    "decide_reply": _l("Review the reply"), "close": _l("Close"), "answer_directly": _l("Answer directly"),
    "rate": _l("Record the rating"), "mark_invalid": _l("Mark invalid"), "merge": _l("Merge into another case"),
}

# The usual next step first: decisions that others wait for, then the step the status calls for; the
# actions that end a case the unusual way last. Actions not listed go before those.
ORDER = ["decide_reply", "decide_extension", "register", "dispatch", "accept", "feedback", "reply", "close", "rate",
         "answer_directly", "request_extension", "return", "mark_invalid", "merge"]
_UNLISTED = ORDER.index("return")

# Actions that take a case out of every work list ask for a confirmation step first.
CONFIRM = {"mark_invalid": _l("Yes, mark it invalid"), "merge": _l("Yes, merge")}

# Where the page lands after an action: the part that changed (the case's facts by default).
LANDING = {"feedback": "feedback", "reply": "replies", "decide_reply": "replies", "answer_directly": "replies",
           "request_extension": "case-banner", "decide_extension": "case-banner", "merge": "case-banner"}


def title(name: str) -> str:
    """The translated title of action ``name``."""
    return str(TITLES[name]) if name in TITLES else label(name)


def ordered(names: list[str]) -> list[str]:
    """``names`` with the usual next step first."""
    return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else _UNLISTED - 0.5)


def landing(name: str) -> str:
    """The fragment the page is shown at after action ``name``."""
    return LANDING.get(name, "case-summary")


def confirmation(name: str, case: Case, form: Any) -> str:
    """What the confirmation step of a risky action says will happen."""
    if name == "merge":
        return _("Merge %(number)s into %(main)s? This case closes and follows the main case; the merge can be "
                 "undone for a while.", number=case.number, main=form.main_number.data.strip())
    if name == "mark_invalid":
        return _("Mark %(number)s invalid? It leaves every list of work and the citizen gets no answer.",
                 number=case.number)
    return _("Are you sure?")


def reply_message(reply: Reply) -> tuple[str, str]:
    """(message, category) saying truthfully where a reply is: waiting, on its way, sent, or failed."""
    error = (reply.error or "").strip()
    if reply.status == AWAITING_APPROVAL:
        return _("The reply is waiting for a supervisor's approval: it has not been sent yet."), "info"
    if reply.status == SENT_BACK:
        return _("The reply was sent back to the clerk with your note."), "success"
    if reply.status == PENDING and error:
        return _("Sending failed, will retry: the reply has not reached the citizen yet."), "warning"
    if reply.status == PENDING:
        return _("The reply is queued and will be sent by email in a moment."), "success"
    if reply.status == FAILED:
        return _("Sending failed: the reply did not reach the citizen. Retry or reply another way."), "error"
    if reply.status == TO_PRINT:
        return _("The letter is in today's post: print it and post it."), "success"
    if reply.status == TO_CALL:
        return _("The reply is on the call list: phone the citizen and record the call."), "success"
    if reply.status == SENT:
        return _("The reply was sent."), "success"
    return _("The reply was saved."), "success"


def done_message(name: str, case: Case, result: Any, form: Any) -> tuple[str, str]:
    """(message, category) after action ``name`` ran on ``case`` and returned ``result``."""
    if isinstance(result, Reply):
        return reply_message(result)
    if name == "answer_directly" and getattr(result, "reply", None) is not None and result.reply.channel != "call":
        text, category = reply_message(result.reply)
        return _("Answered and closed.") + " " + text, category
    messages = {
        "register": _("The case is registered."),
        "dispatch": _("The case was dispatched to %(unit)s.", unit=case.unit.name if case.unit else "—"),
        "accept": _("You signed for the case."),
        "return": _("The case was returned to the desk."),
        "feedback": _("Your feedback was sent to the desk."),
        "request_extension": _("The request for more time is waiting for a supervisor."),
        "close": _("The case is closed."),
        "answer_directly": _("Answered and closed."),
        "rate": _("The rating was recorded."),
        "mark_invalid": _("The case was marked invalid."),
        "merge": _("The case was merged into %(main)s.", main=form.main_number.data.strip()
                   if hasattr(form, "main_number") else ""),
    }
    if name == "decide_extension":
        approved = getattr(form, "decision", None) is not None and form.decision.data == "approve"
        return (_("The extension was approved.") if approved else _("The extension was refused.")), "success"
    if name in messages:
        return messages[name], "success"
    return _("Saved: %(action)s.", action=title(name)), "success"


def reply_state(reply: Reply) -> str:
    """A reply's state as the case page shows it (a retry in progress is said as such)."""
    if reply.status == PENDING and (reply.error or "").strip():
        return _("sending failed, will retry")
    if reply.status == PENDING:
        return _("waiting to be sent")
    if reply.status == FAILED:
        return _("sending failed")
    return label(reply.status)
