"""The case list every work area shows: a filter, a page, due dates and overdue marks."""
from __future__ import annotations

from flask import render_template, request

from cases import queries
from cases.queries import CaseFilter
from web.auth import current_actor
from web.state import db, policy


def render_case_list(template: str, flt: CaseFilter, **context: object) -> str:
    """A page of the list (newest first), after the ``before`` cursor of the page before it."""
    today = policy().today()
    found = queries.case_page(db(), current_actor(), flt, today=today, cursor=request.args.get("before"))
    return render_template(template, cases=found.rows, found=found, today=today, is_overdue=queries.is_overdue,
                           **context)
