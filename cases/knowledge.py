"""The knowledge base (知识库): articles the desk answers from. Units propose new articles and changes; the office
(supervisors, administrators) approves or rejects each proposal; only approved text is shown and searched.

Every approval makes a new numbered version; the proposals stay as the article's history.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from cases import outbox
from cases.actors import Actor
from cases.errors import N_, NotFound, ValidationError
from cases.models import Category, Unit
from cases.models_desk import APPROVED, ARTICLE_LANGUAGES, PROPOSED, REJECTED, Article, ArticleVersion

INDEX_ARTICLE = "index_article"
OFFICE = frozenset({"supervisor", "admin"})
STAFF = frozenset({"clerk", "unit", "supervisor", "admin"})
REVIEW_SOON_DAYS = 30


@dataclass(frozen=True)
class ArticleDraft:
    """The text of an article as a proposal carries it."""

    question: str
    answer: str
    lang: str = "zh"
    category_id: int | None = None
    source: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    review_date: date | None = None


def _check(session: Session, draft: ArticleDraft) -> None:
    if not draft.question.strip() or not draft.answer.strip():
        raise ValidationError(N_("An article needs a question and an answer."))
    if draft.lang not in ARTICLE_LANGUAGES:
        raise ValidationError(N_("An article is written in Chinese, English or Spanish."))
    if draft.category_id is not None and session.get(Category, draft.category_id) is None:
        raise ValidationError(N_("Unknown category."))
    if draft.valid_from and draft.valid_until and draft.valid_until < draft.valid_from:
        raise ValidationError(N_("An article cannot end before it starts."))


def propose(session: Session, actor: Actor, draft: ArticleDraft, *, article_id: int | None = None,
            unit_id: int | None = None, note: str = "") -> ArticleVersion:
    """Propose a new article (``article_id`` None) or a change to one. A unit proposes for its own articles
    and new articles become its own; the office may propose for any unit (``unit_id``)."""
    if actor.role not in STAFF:
        raise NotFound(N_("No such article."))
    _check(session, draft)
    if article_id is None:
        owner = actor.unit_id if actor.is_unit else unit_id
        if owner is not None and session.get(Unit, owner) is None:
            raise ValidationError(N_("Unknown unit."))
        article = Article(lang=draft.lang, unit_id=owner, version=0, active=True)
        session.add(article)
    else:
        article = get(session, actor, article_id, for_change=True)
    row = ArticleVersion(article=article, status=PROPOSED, lang=draft.lang, question=draft.question.strip()[:500],
                         answer=draft.answer.strip(), category_id=draft.category_id, source=draft.source.strip()[:1000],
                         valid_from=draft.valid_from, valid_until=draft.valid_until, review_date=draft.review_date,
                         note=note.strip(), proposed_by_id=actor.user_id)
    session.add(row)
    session.flush()
    return row


def decide(session: Session, actor: Actor, version_id: int, approve: bool, note: str = "") -> ArticleVersion:
    """The office approves a proposal (it becomes the article's next version and is indexed) or rejects it."""
    if actor.role not in OFFICE:
        raise NotFound(N_("No such proposal."))
    row = session.get(ArticleVersion, version_id)
    if row is None:
        raise NotFound(N_("No such proposal."))
    if row.status != PROPOSED:
        raise ValidationError(N_("This proposal has already been decided."))
    row.decided_by_id, row.decided_at = actor.user_id, datetime.now(timezone.utc)
    row.decision_note = note.strip()
    if not approve:
        row.status = REJECTED
        session.flush()
        return row
    article = row.article
    last = session.scalar(select(func.max(ArticleVersion.version)).where(ArticleVersion.article_id == article.id))
    row.status, row.version = APPROVED, (last or 0) + 1
    for name in ("lang", "question", "answer", "category_id", "source", "valid_from", "valid_until", "review_date"):
        setattr(article, name, getattr(row, name))
    article.version = row.version
    session.flush()
    outbox.enqueue(session, INDEX_ARTICLE, str(article.id))
    return row


def retire(session: Session, actor: Actor, article_id: int) -> Article:
    """The office takes an article out of use (kept, no longer suggested or searched)."""
    if actor.role not in OFFICE:
        raise NotFound(N_("No such article."))
    article = get(session, actor, article_id)
    article.active = False
    outbox.enqueue(session, INDEX_ARTICLE, str(article.id))
    return article


def get(session: Session, actor: Actor, article_id: int, *, for_change: bool = False) -> Article:
    """An article every staff member may read; changing it is for its own unit or the office."""
    article = session.get(Article, article_id)
    if article is None or actor.role not in STAFF:
        raise NotFound(N_("No such article."))
    if for_change and actor.is_unit and article.unit_id != actor.unit_id:
        raise NotFound(N_("No such article."))
    return article


def proposals(session: Session, actor: Actor) -> list[ArticleVersion]:
    """Proposals waiting for the office: all of them for the office, a unit's own for a unit."""
    stmt = (select(ArticleVersion).join(Article).where(ArticleVersion.status == PROPOSED)
            .options(selectinload(ArticleVersion.article), selectinload(ArticleVersion.proposed_by))
            .order_by(ArticleVersion.id))
    if actor.is_unit:
        stmt = stmt.where(Article.unit_id == actor.unit_id)
    elif actor.role not in STAFF:
        return []
    return list(session.scalars(stmt))


def due_for_review(session: Session, unit_id: int | None, today: date, days: int = REVIEW_SOON_DAYS) -> list[Article]:
    """Approved, active articles of ``unit_id`` (every unit's for ``None``) whose review date falls within
    ``days`` (overdue ones included), soonest first."""
    stmt = (select(Article).where(Article.active, Article.version > 0, Article.review_date.is_not(None),
                                  Article.review_date <= today + timedelta(days=days))
            .order_by(Article.review_date, Article.id))
    if unit_id is not None:
        stmt = stmt.where(Article.unit_id == unit_id)
    return list(session.scalars(stmt))


def listing(session: Session, *, unit_id: int | None = None, limit: int = 200) -> list[Article]:
    """Approved articles, newest first (optionally of one unit)."""
    stmt = select(Article).where(Article.version > 0).order_by(Article.updated_at.desc(), Article.id.desc())
    if unit_id is not None:
        stmt = stmt.where(Article.unit_id == unit_id)
    return list(session.scalars(stmt.limit(limit)))


def in_force(session: Session, ids: list[int], today: date) -> dict[int, Article]:
    """The articles among ``ids`` that may be used today, by id (suggestions drop the rest)."""
    if not ids:
        return {}
    rows = session.scalars(select(Article).where(Article.id.in_(ids)).options(
        selectinload(Article.category), selectinload(Article.unit)))
    return {a.id: a for a in rows if a.valid_on(today)}


# ---- search documents ---------------------------------------------------------------------------------------

def versions(session: Session, article_ids: list[int] | None = None) -> dict[str, str]:
    """``{article id: version}`` as the article index should hold it (retired articles are absent)."""
    stmt = select(Article.id, Article.version).where(Article.version > 0, Article.active)
    if article_ids is not None:
        stmt = stmt.where(Article.id.in_(article_ids))
    return {str(i): str(v) for i, v in session.execute(stmt)}


def documents(session: Session, article_ids: list[int]) -> tuple[list[dict[str, Any]], list[str]]:
    """(search documents of the approved, active articles among ``article_ids``, ids to remove)."""
    rows = list(session.scalars(select(Article).where(Article.id.in_(article_ids)).options(
        selectinload(Article.category), selectinload(Article.unit))))
    docs, gone = [], [str(i) for i in article_ids if i not in {a.id for a in rows}]
    for a in rows:
        if a.version <= 0 or not a.active:
            gone.append(str(a.id))
            continue
        docs.append({
            "id": str(a.id), "version": str(a.version), "number": f"KB-{a.id}", "kind": "article",
            "category": a.category.name if a.category else None, "status": "active", "channel": a.lang,
            "unit_id": str(a.unit_id) if a.unit_id else None, "unit_name": a.unit.name if a.unit else None,
            "title": a.question, "created": a.valid_from, "updated": a.updated_at,
            "text": [a.answer, a.source],
        })
    return docs, gone


def all_article_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Article.id).where(Article.version > 0, Article.active).order_by(Article.id)))

