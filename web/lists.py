"""The case list every work area shows: a filter, a page, due dates and overdue marks."""
from __future__ import annotations

from flask import render_template, request

from cases import queries
from cases.queries import CaseFilter
from web.auth import current_actor
from web.state import db, policy


def render_case_list(template: str, flt: CaseFilter, **context: object) -> str:
    page = max(request.args.get("page", 1, type=int), 1)
    today = policy().today()
    rows, total = queries.list_cases(db(), current_actor(), flt, today=today, page=page)
    return render_template(template, cases=rows, total=total, page=page, per_page=50, today=today,
                           is_overdue=queries.is_overdue, **context)
