"""What matters about a case, for the banner at the top of its page: why it came back, what the desk asked the
unit to do, how much time is left, what waits for whom, and whether a merge can still be undone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from flask_babel import gettext as _
from flask_babel import ngettext

from cases.actors import Actor
from cases.letters import awaiting_reply
from cases.merging import undo_until
from cases.models import Case, Event, Reply
from cases.models_letters import FAILED, PENDING, TO_CALL, TO_PRINT
from cases.workflow import DESK_CLOCK, UNIT_CLOCK, Status
from web.app_state import policy


@dataclass(frozen=True)
class Notice:
    """One line of the banner: its kind (a CSS class and a test hook), a heading, and the text."""

    kind: str
    heading: str
    text: str
    when: datetime | None = None
    who: str = ""


def _last(case: Case, action: str) -> Event | None:
    return next((e for e in reversed(case.events) if e.action == action), None)


def time_left(case: Case, now: datetime) -> tuple[str, bool] | None:
    """(how much time is left, overdue?) for an open clock: hours and minutes for a deadline in hours, working
    days for one in days; ``None`` when no clock runs."""
    if case.due_date is None or case.status not in DESK_CLOCK | UNIT_CLOCK:
        return None
    if case.due_hourly and case.due_at is not None:
        minutes = int((case.due_at - now).total_seconds() // 60)
        hours, rest = divmod(abs(minutes), 60)
        span = _("%(h)s h %(m)s min", h=hours, m=rest)
        return (_("%(span)s overdue", span=span), True) if minutes < 0 else (_("%(span)s left", span=span), False)
    today = policy().today(now)
    if case.due_date < today:
        days = policy().calendar.working_days_between(case.due_date, today)
        return ngettext("%(num)s working day overdue", "%(num)s working days overdue", max(days, 1)), True
    days = policy().calendar.working_days_between(today, case.due_date)
    if days == 0:
        return _("due today"), False
    return ngettext("%(num)s working day left", "%(num)s working days left", days), False


def case_summary(case: Case, actor: Actor, config: Mapping[str, Any]) -> dict[str, Any]:
    """The banner's notices for ``case`` as ``actor`` sees it, and the merge undo deadline (``None``: none)."""
    notices: list[Notice] = []
    if case.status == Status.RETURNED and (event := _last(case, "return")) is not None:
        notices.append(Notice("return-reason", _("Returned by the unit"), event.note, event.at,
                              str(event.data.get("actor", ""))))
    dispatch = _last(case, "dispatch")
    if case.unit is not None and case.status in UNIT_CLOCK | {Status.ANSWERED} and dispatch is not None \
            and dispatch.note:
        notices.append(Notice("instructions", _("The desk's instructions"), dispatch.note, dispatch.at,
                              str(dispatch.data.get("actor", ""))))
    if case.extension_requested_days:
        notices.append(Notice("extension", _("More time asked for"),
                              _("%(n)s working days: %(reason)s", n=case.extension_requested_days,
                                reason=case.extension_reason or "")))
    waiting = awaiting_reply(case)
    if waiting is not None:
        notices.append(Notice("awaiting-approval", _("Reply waiting"),
                              _("A reply waits for a supervisor's approval; it has not been sent."),
                              waiting.created_at, waiting.author.display_name if waiting.author else ""))
    out = [r for r in case.replies if r.status in (PENDING, FAILED, TO_PRINT, TO_CALL)]
    if case.status == Status.REPLIED and out:
        latest = out[-1]
        notices.append(Notice("reply-not-out", _("The reply has not reached the citizen yet"),
                              _state_text(latest), latest.created_at,
                              latest.author.display_name if latest.author else ""))
    undo = None
    if case.status == Status.MERGED and actor.role in {"clerk", "supervisor", "admin"}:
        until = undo_until(case, float(config.get("MERGE_UNDO_HOURS", 0) or 0))
        if until is not None and policy().now() <= until:
            undo = until
    return {"notices": notices, "time_left": time_left(case, policy().now()), "undo_until": undo,
            "merged_into": _merged_into(case)}


def _state_text(reply: Reply) -> str:
    if reply.status == TO_PRINT:
        return _("The letter waits to be printed and posted.")
    if reply.status == TO_CALL:
        return _("The citizen is still to be phoned.")
    if reply.status == FAILED:
        return _("Sending failed: retry or reply another way.")
    if (reply.error or "").strip():
        return _("Sending failed, will retry.")
    return _("The email is waiting to be sent.")


def _merged_into(case: Case) -> str:
    event = _last(case, "merge") if case.status == Status.MERGED else None
    return str(event.data.get("into", "")) if event is not None else ""
