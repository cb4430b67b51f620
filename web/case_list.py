"""The case list every work area shows: a filter, a page, due dates and overdue marks."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import render_template

from cases import queries
from cases.models import Case
from cases.queries import CaseFilter
from web.auth import current_actor
from web.query_args import int_arg
from web.app_state import db, policy


def render_case_list(template: str, flt: CaseFilter, row_info: Callable[[Sequence[Case]], dict] | None = None,
                     **context: object) -> str:
    """A page of ``flt``'s cases; ``row_info`` adds a column of words per case (``{case id: text}``)."""
    page = int_arg("page", 1, maximum=100_000)
    today = policy().today()
    rows, total = queries.list_cases(db(), current_actor(), flt, today=today, page=page)
    return render_template(template, cases=rows, total=total, page=page, per_page=50, today=today,
                           is_overdue=queries.is_overdue, row_info=row_info(rows) if row_info else None, **context)
