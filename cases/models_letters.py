"""Tables of reply letters: admin-edited template versions, the letter details of each reply, postal batches.

``Reply`` (in ``cases.models``) stays the record of what was sent; ``ReplyLetter`` adds what the letter
machinery needs to send it (language, tracking address, the e-mail's HTML part) and what happened around it
(a supervisor's review, the outcome of a phone call, the print batch of a postal letter).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from cases.models import Base, Reply, User, utcnow


class LetterTemplate(Base):
    """One saved version of a letter template; a save adds a row, older rows are kept, one row is active."""

    __tablename__ = "letter_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("purpose", "lang", "version", name="uq_letter_template_version"),
        # At most one active version per purpose and language, even with two admins saving at once.
        Index("uq_letter_template_active", "purpose", "lang", unique=True,
              sqlite_where=(active == true()), postgresql_where=(active == true())),
    )


class PostalBatch(Base):
    """One "print today's post" run: the combined PDF and who printed it."""

    __tablename__ = "postal_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[User | None] = relationship()


class ReplyLetter(Base):
    """The letter details of one reply (one row per ``Reply``; read it as ``reply.letter``)."""

    __tablename__ = "reply_letter"
    reply_id: Mapped[int] = mapped_column(ForeignKey("reply.id"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40), default="reply")
    lang: Mapped[str] = mapped_column(String(5), default="en")
    template_version: Mapped[int | None] = mapped_column(Integer)  # None: the shipped default template
    tracking_url: Mapped[str] = mapped_column(Text, default="")
    email_html: Mapped[str | None] = mapped_column(Text)  # the HTML part of an e-mail reply, made at reply time
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    call_outcome: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("postal_batch.id"), index=True)
    reply: Mapped[Reply] = relationship(backref=backref("letter", uselist=False))
    reviewed_by: Mapped[User | None] = relationship()
    batch: Mapped[PostalBatch | None] = relationship()


# The print queue and the approval list look replies up by status.
Index("ix_reply_status", Reply.__table__.c.status)

# Reply statuses (``Reply.status``). A reply that needs approval waits, then is released or sent back;
# released replies are on their way to the citizen and shown on the tracking page.
AWAITING_APPROVAL = "awaiting_approval"
SENT_BACK = "sent_back"
PENDING = "pending"  # e-mail queued in the outbox
TO_PRINT = "to_print"  # postal letter waiting for "print today's post"
TO_CALL = "to_call"  # phone reply waiting for the clerk's call
SENT = "sent"
FAILED = "failed"
RELEASE_STATUS = {"email": PENDING, "post": TO_PRINT, "phone": TO_CALL}
RELEASED = frozenset({PENDING, TO_PRINT, TO_CALL, SENT, FAILED})
