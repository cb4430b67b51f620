"""The case system's tables (SQLAlchemy 2.0, typed). The database is the truth; the search index is derived."""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from cases.drafts import Channel
from cases.workflow import Status


def utcnow() -> datetime:
    """Timezone-aware now; every stored timestamp is UTC."""
    return datetime.now(timezone.utc)


class AwareDateTime(TypeDecorator):
    """A DateTime column that always hands back timezone-aware UTC values, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: AwareDateTime, dict[str, Any]: JSON}


class Role(str, enum.Enum):
    CLERK = "clerk"
    UNIT = "unit"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class CaseKind(str, enum.Enum):
    CONSULTATION = "consultation"
    REPORT = "report"
    SUGGESTION = "suggestion"
    HELP = "help"
    COMPLAINT = "complaint"
    PRAISE = "praise"


class Satisfaction(str, enum.Enum):
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    UNSATISFIED = "unsatisfied"


def _enum(cls: type[enum.Enum]) -> Enum:
    # Store the readable value, not the Python name, and avoid native ENUM types so migrations stay simple.
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)


class Unit(Base):
    """A government unit: municipal department, district or county; units form a tree."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="department")  # department / district / county
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    email: Mapped[str] = mapped_column(String(254), default="")
    head_email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The name in the office's other languages ("" : the main name is used).
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    name_es: Mapped[str] = mapped_column(String(200), default="")
    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class Category(Base):
    """Subject categories as a tree (交通 → 公交 → 站台设施): data an admin edits.

    ``unit_id`` is the unit that usually handles the category (dispatch proposes it) and ``answer_days`` the
    unit's working days to answer (``None``: the case kind's default).
    """

    __tablename__ = "category"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    answer_days: Mapped[int | None] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_es: Mapped[str] = mapped_column(String(100), default="")
    parent: Mapped[Category | None] = relationship(remote_side=[id])
    unit: Mapped[Unit | None] = relationship()


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Copied into the session at log-in and checked on every request: raising it ends every session of the user.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by an administrator's password reset: the user must choose a password before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A unit handler who heads the unit: assigns its cases to its handlers (set by an administrator).
    unit_head: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    unit: Mapped[Unit | None] = relationship()

    # Flask-Login reads these; plain attributes keep the domain free of Flask.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Citizen(Base):
    """Contact details of the person who wrote; personal data, shown only to staff who need it."""

    __tablename__ = "citizen"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    # The phone number's last digits (``cases.callers.phone_key``): finds a caller's earlier cases however the
    # number was written.
    phone_key: Mapped[str] = mapped_column(String(20), default="", index=True)
    # callers.address_key of ``address``: the caller history finds a citizen's cases by it
    address_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    preferred_reply: Mapped[str] = mapped_column(String(10), default="email")  # email / post / phone


class CaseSequence(Base):
    """The last case number handed out per year; incremented in one atomic UPDATE."""

    __tablename__ = "case_sequence"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "case_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    tracking_code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[CaseKind] = mapped_column(_enum(CaseKind))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.RECEIVED, index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    major_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_to_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizen.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))  # indexed by ix_case_file_unit_received
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date | None] = mapped_column(Date)
    extension_requested_days: Mapped[int | None] = mapped_column(Integer)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[Satisfaction | None] = mapped_column(_enum(Satisfaction))
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set with the unit's first feedback (kept here so the performance figures need no join): when it came and
    # the deadline the unit was held to at that moment.
    first_feedback_at: Mapped[datetime | None] = mapped_column()
    due_at_feedback: Mapped[date | None] = mapped_column(Date)
    # The clock in hours: when the case reached its unit, when the unit must sign for it (签收) and did, the
    # moment feedback is due (``due_date`` is its office date), and how the current deadlines were computed.
    dispatched_at: Mapped[datetime | None] = mapped_column()
    sign_due_at: Mapped[datetime | None] = mapped_column()
    signed_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    due_hourly: Mapped[bool] = mapped_column(Boolean, default=False)  # due at a moment, not at the end of a day
    deadline_basis: Mapped[str] = mapped_column(Text, default="")
    # The unit handler the unit's head gave the case to (cleared when the case leaves the unit).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    category: Mapped[Category | None] = relationship()
    citizen: Mapped[Citizen | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    letters: Mapped[list[Letter]] = relationship(back_populates="case", order_by="Letter.received_at")
    events: Mapped[list[Event]] = relationship(back_populates="case", order_by="Event.id")
    feedback: Mapped[list[Feedback]] = relationship(back_populates="case", order_by="Feedback.id")
    replies: Mapped[list[Reply]] = relationship(back_populates="case", order_by="Reply.id")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="case", order_by="Attachment.id")

    __mapper_args__ = {"version_id_col": version}


class Letter(Base):
    """One inbound item on a case, with a pointer to its stored original (on PostgreSQL partitioned by year on
    ``received_at``, see cases.partitions)."""

    __tablename__ = "letter"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    sender_email: Mapped[str] = mapped_column(String(254), default="")
    sender_phone: Mapped[str] = mapped_column(String(50), default="")
    sender_address: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    external_id: Mapped[str | None] = mapped_column(String(500))  # indexed by uq_letter_external_raw
    # The intake adapter's identity of the item (email: Message-ID + content hash); unique, so racing pollers
    # register a message once. On PostgreSQL, where letters are partitioned by year, a trigger keeps it unique.
    dedup_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    ocr_confidence: Mapped[float | None] = mapped_column()
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    case: Mapped[Case] = relationship(back_populates="letters")

    __table_args__ = (UniqueConstraint("external_id", "raw_sha256", name="uq_letter_external_raw"),)


class Attachment(Base):
    """A stored file on a case (letter scan, email attachment, feedback document)."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str | None] = mapped_column(Text)  # recognised text, when there is any
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship(back_populates="attachments")


class Feedback(Base):
    """A unit's answer on a case."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship(back_populates="feedback")
    unit: Mapped[Unit] = relationship()
    author: Mapped[User | None] = relationship()


class Reply(Base):
    """The office's letter to the citizen, kept exactly as sent."""

    __tablename__ = "reply"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(String(10))  # email / post / phone
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending / sent / failed
    message_id: Mapped[str | None] = mapped_column(String(300), index=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    case: Mapped[Case] = relationship(back_populates="replies")
    author: Mapped[User | None] = relationship()


class Event(Base):
    """Every change to a case: the timeline and the audit trail are this one table (on PostgreSQL partitioned by
    year on ``at``, see cases.partitions)."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the citizen may see it on tracking
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class OutboxItem(Base):
    """Work to do after commit (index a case, send a mail); written in the same transaction as the change."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))  # indexed by ix_outbox_pending
    key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")

    # enqueue() looks for a pending item of the same topic and key before adding one.
    __table_args__ = (Index("ix_outbox_pending", "topic", "key", "done_at"),)


class QuarantineItem(Base):
    """An item that could not become a letter: kept with its reason, visible to staff, retryable."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # email / scan / web
    reason: Mapped[str] = mapped_column(Text)
    raw_sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MailFolderState(Base):
    """Where the mail poller stopped, per account and folder."""

    __tablename__ = "mail_folder_state"
    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    folder: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)  # an unsigned 32-bit value: too big for INTEGER
    last_uid: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    locked_by: Mapped[str | None] = mapped_column(String(120))  # the lease holder (cases.folder_lease)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LoginAttempt(Base):
    """Failed log-ins, per account and per address; in the database so every web process shares the throttle."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# The other areas' tables live in modules of their own; importing them here registers them all on Base.
from cases import (models_desk, models_disclosure, models_emergency, models_letters, models_levels,  # noqa: E402,F401
                   models_lists, models_places, models_privacy, models_reports, models_rollups, models_scans,
                   models_sms, models_work)
