"""Knowledge base pages: search and read articles, propose new ones and changes, decide proposals, reviews due."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from cases import knowledge
from cases.errors import CaseError, NotFound
from cases.models import Unit
from cases.models_desk import Article
from search_index.query import any_words_query
from web.auth import current_actor, role_required
from web.code_labels import named
from web.domain_text import say
from web.form_fields import category_choices
from web.tasks.queue import kick
from web.knowledge.forms import ArticleForm, DecideForm
from web.knowledge.search import search_articles
from web.app_state import db, policy

bp = Blueprint("knowledge", __name__, url_prefix="/knowledge")
STAFF = ("clerk", "unit", "supervisor", "admin")


@bp.route("/")
@role_required(*STAFF)
def index() -> str:
    query = (request.args.get("q") or "").strip()[:500]
    if query:
        ids = search_articles(current_app, any_words_query(query), limit=50)
        found = knowledge.in_force(db(), ids, policy().today())
        articles = [found[i] for i in ids if i in found]
    else:
        articles = knowledge.listing(db())
    actor = current_actor()
    due = knowledge.due_for_review(db(), actor.unit_id if actor.is_unit else None, policy().today())
    return render_template("pages/knowledge/index.html", articles=articles, query=query, due=due,
                           proposals=len(knowledge.proposals(db(), actor)), today=policy().today())


@bp.route("/<int:article_id>")
@role_required(*STAFF)
def show(article_id: int) -> str:
    try:
        article = knowledge.get(db(), current_actor(), article_id)
    except NotFound:
        abort(404)
    return render_template("pages/knowledge/article.html", article=article, today=policy().today())


def _article_form(article: Article | None) -> ArticleForm:
    form = ArticleForm()
    form.category.choices = category_choices()
    actor = current_actor()
    units = db().scalars(select(Unit).where(Unit.active).order_by(Unit.name))
    form.unit.choices = [(0, "—")] + [(u.id, named(u)) for u in units if not actor.is_unit or u.id == actor.unit_id]
    if article is not None and not form.is_submitted():
        for name in ("question", "answer", "lang", "source", "valid_from", "valid_until", "review_date"):
            getattr(form, name).data = getattr(article, name)
        form.category.data = article.category_id or 0
        form.unit.data = article.unit_id or 0
    return form


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:article_id>/propose", methods=["GET", "POST"])
@role_required(*STAFF)
def propose(article_id: int | None = None) -> str | Response | tuple[str, int]:
    actor = current_actor()
    try:
        article = knowledge.get(db(), actor, article_id, for_change=True) if article_id else None
    except NotFound:
        abort(404)
    form = _article_form(article)
    if form.validate_on_submit() and _propose(form, article_id):
        flash(_("Proposal saved: the office will review it."), "success")
        return redirect(url_for("knowledge.proposals"))
    return render_template("pages/knowledge/propose.html", form=form, article=article), \
        400 if form.is_submitted() else 200


def _propose(form: ArticleForm, article_id: int | None) -> bool:
    """Save the proposal; False with the reason flashed when the domain refuses it."""
    draft = knowledge.ArticleDraft(
        question=form.question.data, answer=form.answer.data, lang=form.lang.data,
        category_id=form.category.data or None, source=form.source.data or "", valid_from=form.valid_from.data,
        valid_until=form.valid_until.data, review_date=form.review_date.data)
    try:
        knowledge.propose(db(), current_actor(), draft, article_id=article_id, unit_id=form.unit.data or None,
                          note=form.note.data or "")
        db().commit()
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return False
    return True


@bp.route("/proposals")
@role_required(*STAFF)
def proposals() -> str:
    actor = current_actor()
    rows = knowledge.proposals(db(), actor)
    return render_template("pages/knowledge/proposals.html", rows=rows, decide=actor.role in knowledge.OFFICE,
                           form=DecideForm(formdata=None))


@bp.route("/proposals/<int:version_id>", methods=["POST"])
@role_required("supervisor", "admin")
def decide(version_id: int) -> Response:
    form = DecideForm()
    if not form.validate_on_submit():
        flash(_("Choose approve or reject."), "error")
        return redirect(url_for("knowledge.proposals"))
    try:
        knowledge.decide(db(), current_actor(), version_id, form.decision.data == "approve", form.note.data or "")
        db().commit()
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return redirect(url_for("knowledge.proposals"))
    kick((knowledge.INDEX_ARTICLE,))
    flash(_("Decision recorded."), "success")
    return redirect(url_for("knowledge.proposals"))
