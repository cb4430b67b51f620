"""The staff archive search: words, phrases, OR, -exclusion, field filters, facets and highlighted snippets."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _

from cases.admin import unit_names
from search_index import FILTER_KEYS, IndexUnavailableError, QueryError
from web.auth import current_actor, role_required
from web.domain_text import say
from web.search.forms import SearchForm
from web.query_args import int_arg
from web.search_wiring import backend, request_for
from web.app_state import db

bp = Blueprint("search", __name__, url_prefix="/search")


def _filters() -> dict[str, list[str]]:
    return {key: values for key in FILTER_KEYS if (values := request.args.getlist(key)[:10])}


@bp.route("/")
@role_required("clerk", "unit", "supervisor", "admin")
def index() -> tuple[str, int] | str:
    form = SearchForm(request.args)
    if not request.args or not form.validate():
        return render_template("pages/search/index.html", form=form, result=None, filters={})
    filters = _filters()
    page = int_arg("page", 1, maximum=500)
    try:
        result = backend(current_app).search(request_for(
            current_actor(), query=form.q.data or "", filters=filters, date_from=form.date_from.data,
            date_to=form.date_to.data, sort=form.sort.data or "relevance", page=min(page, 500)))
    except QueryError as err:
        form.q.errors = [say(err)]
        return render_template("pages/search/index.html", form=form, result=None, filters=filters), 400
    except IndexUnavailableError:
        form.q.errors = [_("The archive index is busy; please try again in a moment.")]
        return render_template("pages/search/index.html", form=form, result=None, filters=filters), 503
    return render_template("pages/search/index.html", form=form, result=result, filters=filters,
                           narrow=_narrow_url, page_url=_page_url, unit_names=unit_names(db()))


def _narrow_url(key: str, value: str) -> str:
    """The current search with one more facet value (or without it, when it is already chosen)."""
    args = request.args.to_dict(flat=False)
    values = args.get(key, [])
    args[key] = [v for v in values if v != value] if value in values else values + [value]
    args.pop("page", None)
    return url_for("search.index", **args)


def _page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("search.index", **args)
