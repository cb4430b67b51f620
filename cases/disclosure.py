"""Publishing letters and replies: only with the citizen's consent, only after staff approve the redacted text.

The public archive and the API read the ``Publication`` table and nothing else, so an original text can reach
the public only through :func:`publish`, which redacts again whatever the reviewer submits.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from cases import events, keyset
from cases.actors import Actor
from cases.policy import Policy
from cases.errors import N_, NotFound, TransitionError, ValidationError
from cases.models import Case, utcnow
from cases.models_disclosure import ApiKey, Publication
from cases.models_letters import RELEASED
from cases.redaction import Known, learned, redact
from cases.workflow import Status

PUBLISHABLE = (Status.REPLIED, Status.CLOSED)
REVIEWER_ROLES = frozenset({"clerk", "supervisor", "admin"})
PUBLISHED, WITHDRAWN = "published", "withdrawn"
LETTER_SEPARATOR = "\n\n———\n\n"


def known_personal(case: Case) -> Known:
    """Everything on file that names or reaches the citizen: their record and every letter's sender fields."""
    names, phones, emails, addresses = set(), set(), set(), set()
    people = [case.citizen] if case.citizen else []
    for person in people:
        names.add(person.name), phones.add(person.phone), emails.add(person.email), addresses.add(person.address)
    for letter in case.letters:
        names.add(letter.sender_name), phones.add(letter.sender_phone)
        emails.add(letter.sender_email), addresses.add(letter.sender_address)

    def clean(values: set[str]) -> tuple[str, ...]:
        return tuple(sorted({v.strip() for v in values if v and v.strip()}, key=len, reverse=True))

    return Known(names=clean(names), phones=clean(phones), emails=clean(emails), addresses=clean(addresses))


@dataclass(frozen=True)
class PublicationDraft:
    """The automatically redacted texts a reviewer starts from, with how many items were taken out."""

    subject: str
    letter_text: str
    reply_text: str
    removed: dict[str, int]
    ways_in: tuple[str, ...] = ()  # links and codes found in the originals (stripped), for the reviewer to see


@dataclass(frozen=True)
class PublicItem:
    """A publication as the public sees it: its texts stripped once more of any way into a private case, so a
    row published before a rule existed is still safe to show."""

    number: str
    kind: str
    category: str
    unit_name: str
    subject: str
    letter_text: str
    reply_text: str
    received_on: date
    replied_on: date | None
    satisfaction: str
    published_at: datetime


def public_item(policy: Policy, publication: Publication) -> PublicItem:
    """The public view of ``publication``."""
    def clean(text: str) -> str:
        return policy.ways_in.strip(text or "")[0]

    return PublicItem(number=publication.number, kind=publication.kind, category=publication.category or "",
                      unit_name=publication.unit_name or "", subject=clean(publication.subject),
                      letter_text=clean(publication.letter_text), reply_text=clean(publication.reply_text),
                      received_on=publication.received_on, replied_on=publication.replied_on,
                      satisfaction=publication.satisfaction or "", published_at=publication.published_at)


def _public_texts(policy: Policy, case: Case, texts: list[str]) -> tuple[list[str], dict[str, int]]:
    """``texts`` made fit to publish: ways into the case stripped first (a link's query is no phone number), then
    personal data redacted, together with the case's own subject, letters and reply: whoever one of them names
    (a neighbour in the letter) is removed from every text (the reply too). Returns the texts and how many items
    of each kind were taken out."""
    counts: dict[str, int] = {}
    stripped = []
    for text in texts:
        clean, links = policy.ways_in.strip(text or "", [case.tracking_code])
        stripped.append(clean)
        counts["link"] = counts.get("link", 0) + links
    originals = [policy.ways_in.strip(t, [case.tracking_code])[0]
                 for t in (case.subject, _letters_text(case), _reply_text(case))]
    known = learned(known_personal(case), originals + stripped, policy.phone_regions)
    out = []
    for text in stripped:
        result = redact(text, known, regions=policy.phone_regions)
        for kind, count in result.counts().items():
            counts[kind] = counts.get(kind, 0) + count
        out.append(result.text)
    return out, counts


def _letters_text(case: Case) -> str:
    return LETTER_SEPARATOR.join(letter.body.strip() for letter in case.letters
                                 if not letter.automatic and letter.body.strip())


def _reply_text(case: Case) -> str:
    # The office's answer as it went out: not a draft awaiting approval or sent back, not the acknowledgement.
    answers = [r for r in case.replies if r.status in RELEASED and r.template != "acknowledgement"]
    return answers[-1].body.strip() if answers else ""


def check_publishable(case: Case) -> None:
    if not case.consent_to_publish:
        raise ValidationError(N_("The citizen did not consent to publication."))
    if case.status not in PUBLISHABLE:
        raise ValidationError(N_("Only replied or closed cases can be published."))


def prepare(policy: Policy, case: Case) -> PublicationDraft:
    """Redact the case's subject, letters and reply automatically, for the reviewer's preview; list the links and
    codes that were taken out."""
    check_publishable(case)
    originals = [case.subject, _letters_text(case), _reply_text(case)]
    found = [way for text in originals for way in policy.ways_in.find(text, [case.tracking_code])]
    texts, removed = _public_texts(policy, case, originals)
    return PublicationDraft(texts[0], texts[1], texts[2], removed, tuple(dict.fromkeys(found)))


def ways_in_found(policy: Policy, case: Case, texts: list[str]) -> list[str]:
    """The links and codes in ``texts`` (a reviewer's edit) that could open a private case; publishing strips them."""
    found = [way for text in texts for way in policy.ways_in.find(text or "", [case.tracking_code])]
    return list(dict.fromkeys(found))


def candidates(session: Session, limit: int = 100) -> list[Case]:
    """Consented, answered cases not yet reviewed for publication, oldest first."""
    reviewed = select(Publication.case_id)
    return list(session.scalars(select(Case).where(Case.consent_to_publish, Case.status.in_(PUBLISHABLE),
                                                   Case.id.not_in(reviewed))
                                .order_by(Case.received_at).limit(limit)))


def publish(session: Session, policy: Policy, case: Case, actor: Actor, *, subject: str, letter_text: str,
            reply_text: str) -> Publication:
    """Publish the reviewer's texts; they are redacted once more, so a known detail typed back in is removed."""
    if actor.role not in REVIEWER_ROLES:
        raise TransitionError(N_("Your role may not publish cases."))
    check_publishable(case)
    subject, letter_text = (subject or "").strip(), (letter_text or "").strip()
    if not subject or not letter_text:
        raise ValidationError(N_("A published case needs a subject and the letter's text."))
    reply_event = next((e for e in reversed(case.events) if e.action == "reply"), None)
    publication = session.scalar(select(Publication).where(Publication.case_id == case.id))
    if publication is None:
        publication = Publication(case_id=case.id)
    publication.status = PUBLISHED
    publication.number = case.number
    publication.kind = case.kind.value
    publication.category = case.category.name if case.category else ""
    publication.unit_name = case.unit.name if case.unit else ""
    texts, _counts = _public_texts(policy, case, [subject, letter_text, (reply_text or "").strip()])
    publication.subject, publication.letter_text, publication.reply_text = texts[0][:300], texts[1], texts[2]
    publication.received_on = policy.local_date(case.received_at)
    publication.replied_on = policy.local_date(reply_event.at) if reply_event else None
    publication.satisfaction = case.satisfaction.value if case.satisfaction else ""
    publication.approved_by_id = actor.user_id
    publication.published_at = utcnow()
    publication.withdrawn_at = None
    session.add(publication)
    events.record(session, case, actor, "published", note="published in the public archive")
    return publication


def decline(session: Session, case: Case, actor: Actor, reason: str) -> Publication:
    """Decide not to publish a consented case (it leaves the review list); recorded with the reason."""
    if actor.role not in REVIEWER_ROLES:
        raise TransitionError(N_("Your role may not review publications."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(N_("A reason is required."))
    publication = session.scalar(select(Publication).where(Publication.case_id == case.id))
    if publication is None:
        publication = Publication(case_id=case.id, number=case.number, kind=case.kind.value, subject="",
                                  letter_text="", received_on=case.received_at.date())
    publication.status = WITHDRAWN
    publication.subject = publication.letter_text = publication.reply_text = ""
    publication.withdrawn_at = utcnow()
    session.add(publication)
    events.record(session, case, actor, "publication_withdrawn", note=reason)
    return publication


def withdraw(session: Session, case: Case, actor: Actor, reason: str) -> Publication:
    """Take a published case out of the archive (its texts are blanked, the decision is recorded)."""
    return decline(session, case, actor, reason)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def public_page(session: Session, policy: Policy, *, query: str = "", cursor: str | None = None,
                per_page: int = 20) -> keyset.Page[PublicItem]:
    """The page of published cases after ``cursor`` (a keyset cursor; None: the newest), optionally matching
    every word of ``query`` (redacted text)."""
    stmt = select(Publication).where(Publication.status == PUBLISHED)
    for word in (query or "").split()[:8]:
        like = _like_pattern(word[:100])
        stmt = stmt.where(or_(Publication.subject.ilike(like, escape="\\"),
                              Publication.letter_text.ilike(like, escape="\\"),
                              Publication.reply_text.ilike(like, escape="\\"),
                              Publication.number.ilike(like, escape="\\")))
    found = keyset.page(session, stmt, Publication.published_at, Publication.id, cursor, per_page)
    return replace(found, rows=[public_item(policy, row) for row in found.rows])


def public_get(session: Session, policy: Policy, number: str) -> PublicItem:
    publication = session.scalar(select(Publication).where(Publication.number == (number or "").strip(),
                                                           Publication.status == PUBLISHED))
    if publication is None:
        raise NotFound(N_("No published case has this number."))
    return public_item(policy, publication)


def case_for_review(session: Session, number: str) -> Case:
    case = session.scalar(select(Case).where(Case.number == number).options(
        selectinload(Case.letters), selectinload(Case.replies), selectinload(Case.events)))
    if case is None:
        raise NotFound(N_("No such case."))
    return case


def publication_of(session: Session, case: Case) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.case_id == case.id))


# ---- API keys ---------------------------------------------------------------------------------------------------

def _hash_key(secret: str) -> str:
    # Keys are 32 random bytes, so a plain SHA-256 is enough: there is nothing to guess, unlike a password.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, name: str) -> tuple[ApiKey, str]:
    """A new key for ``name``; the secret is returned once and only its hash is stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(N_("An API key needs a name (who uses it)."))
    secret = secrets.token_urlsafe(32)
    key = ApiKey(name=name[:200], key_hash=_hash_key(secret))
    session.add(key)
    session.flush()
    return key, secret


def check_api_key(session: Session, secret: str | None) -> ApiKey | None:
    """The active key matching ``secret``, or None."""
    if not secret or len(secret) > 200:
        return None
    digest = _hash_key(secret)
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.active))
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        return None
    key.last_used_at = utcnow()
    return key


def revoke_api_key(session: Session, key_id: int) -> None:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(N_("No such API key."))
    key.active = False

