"""Tables of the desk's own work: direct answers and the knowledge base they are given from.

A consultation the desk answers itself gets one ``DirectAnswer`` (what was said, from which articles, by which
channel). ``Article`` is the knowledge base entry as it stands now; ``ArticleVersion`` keeps every proposed and
approved text: units propose, the office approves, and only approved text reaches ``Article``.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from cases.models import Base, Case, Category, Reply, Unit, User, utcnow

ARTICLE_LANGUAGES = ("zh", "en", "es")
# How a direct answer reached the citizen: said on the call, or sent as an e-mail or a postal letter.
ANSWER_CHANNELS = ("call", "email", "post")

PROPOSED, APPROVED, REJECTED = "proposed", "approved", "rejected"


class DirectAnswer(Base):
    """The desk's own answer to a consultation or help request (``case.direct_answers``; a case reopened at the
    desk after an answer that did not satisfy may be answered again)."""

    __tablename__ = "direct_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    article_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("reply.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    case: Mapped[Case] = relationship(backref=backref("direct_answers", order_by="DirectAnswer.id"))
    author: Mapped[User | None] = relationship()
    reply: Mapped[Reply | None] = relationship()


class Article(Base):
    """A knowledge base article as approved now; searchable while active and valid."""

    __tablename__ = "kb_article"
    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    question: Mapped[str] = mapped_column(String(500), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # the unit that owns it
    source: Mapped[str] = mapped_column(String(1000), default="")  # the document or link it rests on
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # the approved version shown; 0 until one is
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    category: Mapped[Category | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    versions: Mapped[list[ArticleVersion]] = relationship(back_populates="article", order_by="ArticleVersion.id")

    def valid_on(self, day: date) -> bool:
        """Whether the article is approved, active and in force on ``day``."""
        return (self.active and self.version > 0 and (self.valid_from is None or self.valid_from <= day)
                and (self.valid_until is None or day <= self.valid_until))


class ArticleVersion(Base):
    """One proposed text of an article; approving it makes it the article's next version."""

    __tablename__ = "kb_article_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)  # set when approved
    status: Mapped[str] = mapped_column(String(20), default=PROPOSED, index=True)
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    question: Mapped[str] = mapped_column(String(500))
    answer: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    source: Mapped[str] = mapped_column(String(1000), default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")  # why the change is proposed
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str] = mapped_column(Text, default="")
    article: Mapped[Article] = relationship(back_populates="versions")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])

    __table_args__ = (UniqueConstraint("article_id", "version", name="uq_kb_article_version"),)
