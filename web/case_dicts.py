"""Cases as plain dictionaries, for ``--json`` output and the search index."""
from __future__ import annotations

from datetime import date
from typing import Any

from cases.models import Case
from cases.queries import is_overdue


def case_summary(case: Case, today: date) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status.value,
        "kind": case.kind.value,
        "channel": case.channel.value,
        "subject": case.subject,
        "unit": case.unit.name if case.unit else None,
        "category": case.category.name if case.category else None,
        "received_at": case.received_at.isoformat(),
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "overdue": is_overdue(case, today),
        "urgent": case.urgent,
    }


def case_detail(case: Case, today: date) -> dict[str, Any]:
    detail = case_summary(case, today)
    detail["letters"] = [{"channel": l.channel.value, "subject": l.subject, "body": l.body,
                          "sender_name": l.sender_name, "received_at": l.received_at.isoformat(),
                          "automatic": l.automatic, "notes": l.notes} for l in case.letters]
    detail["events"] = [{"at": e.at.isoformat(), "action": e.action, "from": e.from_status, "to": e.to_status,
                         "note": e.note, "data": e.data} for e in case.events]
    detail["feedback"] = [{"unit": f.unit.name, "body": f.body, "at": f.created_at.isoformat()} for f in case.feedback]
    detail["replies"] = [{"channel": r.channel, "subject": r.subject, "body": r.body, "status": r.status}
                         for r in case.replies]
    return detail
