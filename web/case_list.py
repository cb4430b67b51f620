"""The case list every work area shows: a filter, a page, due dates and overdue marks."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import render_template, request

from cases import queries
from cases.models import Case
from cases.queries import CaseFilter
from web.auth import current_actor
from web.app_state import db, policy


def render_case_list(template: str, flt: CaseFilter, row_info: Callable[[Sequence[Case]], dict] | None = None,
                     **context: object) -> str:
    """A page of the list (newest first), after the ``before`` cursor of the page before it; ``row_info`` adds a
    column of words per case (``{case id: text}``)."""
    today = policy().today()
    found = queries.case_page(db(), current_actor(), flt, today=today, cursor=request.args.get("before"))
    return render_template(template, cases=found.rows, found=found, today=today, is_overdue=queries.is_overdue,
                           row_info=row_info(found.rows) if row_info else None, **context)
