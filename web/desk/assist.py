"""What the desk sees while it types (JSON for the small script ``static/js/desk.js``): knowledge base articles
and earlier cases matching the text, and the caller's history by phone number or e-mail address."""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from flask_babel import format_date
from werkzeug.wrappers import Response

from cases import callers, knowledge, queries
from cases.errors import NotFound
from search_index import IndexUnavailableError, QueryError
from search_index.query import any_words_query
from web.auth import current_actor, role_required
from web.security import no_session_cookie
from web.desk.views import DESK_ROLES, bp
from web.knowledge.search import search_articles
from web.code_labels import label
from web.search_wiring import backend, request_for
from web.app_state import db, policy

MAX_TEXT = 2000


def _case_hits(query: str, exclude: str) -> list[dict[str, str]]:
    try:
        page = backend(current_app).search(request_for(current_actor(), query=query, per_page=6,
                                                       facets=False))
    except (IndexUnavailableError, QueryError):
        return []
    return [{"number": h.number or "", "title": h.title or "", "status": label(h.status or ""),
             "url": url_for("casepage.show", number=h.number)} for h in page.hits if h.number and h.number != exclude][:5]


@bp.route("/suggest")
@no_session_cookie
@role_required(*DESK_ROLES)
def suggest() -> Response:
    """Articles in force and earlier cases that match ``q`` (what the clerk typed), best first."""
    query = any_words_query((request.args.get("q") or "")[:MAX_TEXT])
    if not query:
        return jsonify(articles=[], cases=[])
    ids = search_articles(current_app, query, limit=8)
    found = knowledge.in_force(db(), ids, policy().today())
    articles = [{"id": a.id, "question": a.question, "answer": a.answer, "lang": a.lang,
                 "category": a.category.name if a.category else "", "unit": a.unit.name if a.unit else "",
                 "url": url_for("knowledge.show", article_id=a.id)} for a in (found[i] for i in ids if i in found)]
    return jsonify(articles=articles[:5], cases=_case_hits(query, request.args.get("case", "")))


@bp.route("/caller")
@no_session_cookie
@role_required(*DESK_ROLES)
def caller() -> Response:
    """The caller's earlier and open cases by ``phone``, ``email`` or ``address``, and how many came in the last
    30 days."""
    exclude = None
    number = (request.args.get("case") or "").strip()
    if number:
        try:
            exclude = queries.get_case(db(), current_actor(), number).id
        except NotFound:
            exclude = None
    found = callers.history(db(), current_actor(), phone=(request.args.get("phone") or "")[:50],
                            email=(request.args.get("email") or "")[:254],
                            address=(request.args.get("address") or "")[:500], exclude_case_id=exclude)
    rows = [{"number": c.number, "subject": c.subject, "status": label(c.status.value), "open": c in
             found.open_cases, "received": format_date(policy().local_date(c.received_at), "short"),
             "url": url_for("casepage.show", number=c.number)} for c in found.cases]
    return jsonify(recent=found.recent, days=callers.REPEAT_DAYS, cases=rows)
