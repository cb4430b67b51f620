"""Cases as plain search documents: everything written on a case, with personal data kept apart.

The search index is derived from the database; this module decides what goes into it, and nothing here knows
which search engine receives it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from cases.models import Case, Event


def versions(session: Session, case_ids: Iterable[int] | None = None) -> dict[str, str]:
    """``{case id: version}`` as the index should hold it; every change to a case adds an event, so the
    case's row version and its newest event together say whether the indexed copy is current."""
    stmt = (select(Case.id, Case.version, func.max(Event.id)).join(Event, Event.case_id == Case.id, isouter=True)
            .group_by(Case.id, Case.version))
    if case_ids is not None:
        stmt = stmt.where(Case.id.in_(list(case_ids)))
    return {str(cid): f"{ver}.{last or 0}" for cid, ver, last in session.execute(stmt)}


def load_cases(session: Session, case_ids: Sequence[int]) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.id.in_(case_ids)).options(
        selectinload(Case.letters), selectinload(Case.feedback), selectinload(Case.replies),
        selectinload(Case.attachments), selectinload(Case.unit), selectinload(Case.category),
        selectinload(Case.citizen))))


def document(case: Case, version: str) -> dict[str, Any]:
    """The search document of ``case``."""
    text: list[str] = [case.subject]
    private: list[str] = []
    for letter in case.letters:
        text += [letter.subject, letter.body]
        private += [letter.sender_name, letter.sender_email, letter.sender_phone, letter.sender_address]
    text += [a.text for a in case.attachments if a.text]
    text += [f.body for f in case.feedback]
    text += [r.body for r in case.replies]
    if case.citizen:
        private += [case.citizen.name, case.citizen.phone, case.citizen.email, case.citizen.address]
    return {
        "id": str(case.id),
        "version": version,
        "number": case.number,
        "kind": case.kind.value,
        "category": case.category.name if case.category else None,
        "status": case.status.value,
        "channel": case.channel.value,
        "unit_id": str(case.unit_id) if case.unit_id else None,
        "unit_name": case.unit.name if case.unit else None,
        "urgency": "urgent" if case.urgent else "normal",
        "title": case.subject,
        "created": case.received_at,
        "updated": case.updated_at,
        "text": [t for t in text if t],
        "private": [p for p in private if p],
    }


def documents(session: Session, case_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Documents for ``case_ids`` (missing ids are simply absent)."""
    current = versions(session, case_ids)
    return [document(case, current[str(case.id)]) for case in load_cases(session, case_ids)]


def all_case_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Case.id).order_by(Case.id)))
