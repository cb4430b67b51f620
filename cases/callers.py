"""Who is calling: a citizen's earlier and open cases, found by phone number, e-mail or postal address, for the
desk.

Shown beside the phone form and on a case, so the clerk sees a repeat caller (N cases in 30 days) and can add
a new call to the open case it is about instead of opening a duplicate.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from cases import events, outbox
from cases.actors import Actor
from cases.policy import Policy
from cases.drafts import LetterDraft
from cases.errors import N_, CaseError, NotFound, ValidationError
from cases.models import Attachment, Case, Citizen, Letter
from cases.queries import STAFF_ROLES
from cases.workflow import OPEN_STATUSES

REPEAT_DAYS = 30
KEY_DIGITS = 11  # a mainland mobile number; "+86 139 ..." and "139..." are the same caller
_NOT_DIGITS = re.compile(r"\D")


def phone_key(phone: str) -> str:
    """The digits of ``phone``, the last eleven of them ("" for fewer than five digits: too short to match)."""
    digits = _NOT_DIGITS.sub("", phone or "")
    return digits[-KEY_DIGITS:] if len(digits) >= 5 else ""


ADDRESS_KEY_LENGTH = 200
# What two spellings of one address differ in once NFKC has made full-width digits, letters and spaces plain:
# spaces, punctuation, and the traditional 號 for 号 (house number).
_ADDRESS_NOISE = re.compile(r"[\s\W_]+")


def address_key(address: str) -> str:
    """``address`` as a key two spellings of one address share: full-width characters made plain (NFKC), case
    folded, 號 read as 号, spaces and punctuation dropped ("" for fewer than six characters left: too vague)."""
    text = unicodedata.normalize("NFKC", address or "").casefold().replace("號", "号")
    key = _ADDRESS_NOISE.sub("", text)
    return key[:ADDRESS_KEY_LENGTH] if len(key) >= 6 else ""


@dataclass(frozen=True)
class CallerHistory:
    """A caller's cases, newest first (``limit`` of them), and how many arrived in the last 30 days."""

    cases: list[Case]
    recent: int

    @property
    def open_cases(self) -> list[Case]:
        return [c for c in self.cases if c.status in OPEN_STATUSES]


def history(session: Session, actor: Actor, *, phone: str = "", email: str = "", address: str = "",
            exclude_case_id: int | None = None, limit: int = 10, now: datetime | None = None) -> CallerHistory:
    """The cases of the caller with this phone number, e-mail or postal address (the desk only: personal data)."""
    if actor.role not in STAFF_ROLES:
        raise NotFound(N_("No such page."))
    conditions = []
    key = phone_key(phone)
    if key:
        conditions.append(Citizen.phone_key == key)
    email = (email or "").strip().lower()
    if "@" in email:
        conditions.append(Citizen.email == email)
    place = address_key(address)
    if place:
        conditions.append(Citizen.address_key == place)
    if not conditions:
        return CallerHistory([], 0)
    stmt = select(Case).join(Citizen, Citizen.id == Case.citizen_id).where(or_(*conditions))
    if exclude_case_id is not None:
        stmt = stmt.where(Case.id != exclude_case_id)
    cases = list(session.scalars(stmt.options(selectinload(Case.category))
                                 .order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)))
    since = (now or datetime.now(timezone.utc)) - timedelta(days=REPEAT_DAYS)
    if len(cases) < limit:
        recent = sum(1 for c in cases if c.received_at >= since)
    else:
        recent = len(session.scalars(stmt.with_only_columns(Case.id).where(Case.received_at >= since)).all())
    return CallerHistory(cases, recent)


def add_follow_up(session: Session, case: Case, draft: LetterDraft, actor: Actor, *, policy: Policy | None = None,
                  allowed_types: frozenset[str] | None = None) -> Letter:
    """Add a new call (or letter) to the open case it follows up, instead of opening a duplicate case. The draft's
    files (a call's recording) are stored with ``policy``'s store, refused unless of ``allowed_types``."""
    if actor.role not in STAFF_ROLES:
        raise NotFound(N_("No such case."))
    if case.status not in OPEN_STATUSES:
        raise ValidationError(N_("That case is no longer open: save the call as a new case."))
    letter = Letter(case=case, channel=draft.channel, subject=draft.subject[:300], body=draft.body,
                    sender_name=draft.sender_name[:200], sender_email=draft.sender_email[:254],
                    sender_phone=draft.sender_phone[:50], sender_address=draft.sender_address,
                    recorded_by_id=actor.user_id)
    session.add(letter)
    session.flush()
    if draft.attachments:
        _attach(session, case, letter, draft, policy, allowed_types)
    events.record(session, case, actor, "follow_up", internal=False,
                  data={"channel": draft.channel.value, "letter_id": letter.id})
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))
    return letter


def _attach(session: Session, case: Case, letter: Letter, draft: LetterDraft, policy: Policy | None,
            allowed_types: frozenset[str] | None) -> None:
    # new_cases imports this module (phone_key): its file helpers are imported here, where they are used.
    from cases.new_cases import attachment_row, store_file

    if policy is None:
        raise CaseError(N_("A follow-up with files needs the file store."))
    for item in draft.attachments:
        content_type, sha256 = store_file(policy, item, allowed_types)
        session.add(Attachment(**attachment_row(case.id, letter.id, item, content_type, sha256)))
