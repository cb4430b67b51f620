"""Plain letter drafts: what every intake adapter (web form, phone desk, email, scan) hands to ``cases``.

Adapters know the outside world; ``cases`` knows the rules. A draft is the only thing that crosses between them,
so it holds plain values and nothing of the database.
"""
from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from cases.sniff import sniff


class Channel(str, enum.Enum):
    """How a letter reached the office."""

    WEB = "web"
    PHONE = "phone"
    EMAIL = "email"
    PAPER = "paper"
    SMS = "sms"


@dataclass(frozen=True)
class HeldBytes:
    """A file's bytes left where they already are (an email attachment inside its stored raw message): what
    registering it needs, without the bytes themselves."""

    sha256: str
    size: int
    content_type: str  # sniffed from the whole file while it was at hand (``cases.sniff``)

    @classmethod
    def of(cls, data: bytes) -> "HeldBytes":
        return cls(hashlib.sha256(data).hexdigest(), len(data), sniff(data))


@dataclass
class AttachmentDraft:
    """A file that came with a letter. The real type is sniffed from ``data``; ``declared_type`` is only a hint.

    ``data`` is ``HeldBytes`` when the bytes stay elsewhere; only a file store with ``hold`` registers those.
    """

    filename: str
    data: bytes | HeldBytes
    declared_type: str | None = None
    text: str | None = None  # recognised text (OCR) when the adapter already has it

    @property
    def size(self) -> int:
        return self.data.size if isinstance(self.data, HeldBytes) else len(self.data)

    def content_type(self) -> str:
        """The file's real type, sniffed from its bytes (``cases.sniff``)."""
        return self.data.content_type if isinstance(self.data, HeldBytes) else sniff(self.data)


@dataclass(frozen=True)
class PlaceDraft:
    """Where the matter is, as the adapter got it: a point (a map pin, Open311's lat/long) and/or an address to
    look up in the office's address list. ``source`` says which way in gave it (``pin``, ``open311``, ``address``)."""

    lat: float | None = None
    lon: float | None = None
    address: str = ""
    source: str = "pin"


@dataclass
class LetterDraft:
    """One inbound item, as plain values, before ``cases`` registers it."""

    channel: Channel
    subject: str
    body: str
    sender_name: str = ""
    sender_email: str = ""
    sender_phone: str = ""
    sender_address: str = ""
    preferred_reply: str = ""  # "email", "post", "phone" or "" (decided from the contact details)
    received_at: datetime | None = None
    kind: str | None = None
    category: str | None = None
    body_html: str | None = None  # already sanitised by the adapter
    attachments: list[AttachmentDraft] = field(default_factory=list)
    raw_sha256: str | None = None  # the stored original (email source, scan file) this draft came from
    external_id: str | None = None  # e.g. the email Message-ID
    in_reply_to: list[str] = field(default_factory=list)  # Message-IDs this item answers
    case_token: str | None = None  # a case number found in the subject, e.g. "2026-000123"
    automatic: bool = False  # auto-reply, bulk or bounce: recorded, never answered
    consent_to_publish: bool = False
    urgent: bool = False
    ocr_confidence: float | None = None
    notes: list[str] = field(default_factory=list)  # facts about the intake, e.g. "charset fallback: gb2312"
    place: PlaceDraft | None = None  # none given: a listed address named in the letter places the case
