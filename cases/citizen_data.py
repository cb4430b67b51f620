"""One citizen's own data: everything the office holds about them, exported as a zip (JSON and their files),
and erased on their request with the case statistics kept (``cases.erasure``).

A citizen record is made per case, so "one citizen" is the person of a given case together with every other
case whose citizen has the same email address or the same phone number (a name alone is not enough: many people
share one).
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cases import audit, texts
from cases.actors import Actor
from cases.erasure import REQUEST, Erased, erase_case, is_erased
from cases.errors import N_, NotFound
from cases.models import Case, Citizen
from cases.models_scans import ScanItem
from cases.files.store import FileStore


def citizen_cases(session: Session, case: Case) -> list[Case]:
    """``case`` and every other case of the same person (same email or phone), oldest first."""
    citizen = case.citizen
    if citizen is None:
        return [case]
    same = []
    if citizen.email.strip():
        same.append(func.lower(Citizen.email) == citizen.email.strip().lower())
    if citizen.phone.strip():
        same.append(Citizen.phone == citizen.phone.strip())
    if not same:
        return [case]
    found = list(session.scalars(select(Case).join(Citizen, Case.citizen_id == Citizen.id)
                                 .where(or_(*same)).order_by(Case.received_at, Case.id)))
    return found if case in found else [case, *found]


def _safe(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")[:100] or "file"


def _case_record(session: Session, case: Case) -> dict[str, Any]:
    citizen = case.citizen
    return {
        "number": case.number, "status": case.status.value, "kind": case.kind.value, "channel": case.channel.value,
        "subject": case.subject, "received_at": case.received_at.isoformat(),
        "category": case.category.name if case.category else None, "unit": case.unit.name if case.unit else None,
        "satisfaction": case.satisfaction.value if case.satisfaction else None,
        "consent_to_publish": case.consent_to_publish,
        "citizen": None if citizen is None else {"name": citizen.name, "phone": citizen.phone, "email": citizen.email,
                                                 "address": citizen.address,
                                                 "preferred_reply": citizen.preferred_reply},
        "letters": [{"received_at": l.received_at.isoformat(), "channel": l.channel.value, "subject": l.subject,
                     "body": l.body, "sender_name": l.sender_name, "sender_email": l.sender_email,
                     "sender_phone": l.sender_phone, "sender_address": l.sender_address, "notes": l.notes or []}
                    for l in case.letters],
        "feedback": [{"unit": f.unit.name, "at": f.created_at.isoformat(), "body": f.body} for f in case.feedback],
        "replies": [{"at": r.created_at.isoformat(), "channel": r.channel, "status": r.status, "subject": r.subject,
                     "body": r.body} for r in case.replies],
        "events": [{"at": e.at.isoformat(), "action": e.action, "from": e.from_status, "to": e.to_status,
                    "note": e.note} for e in case.events],
        "scans": [{"text": s.text, "sender_name": s.sender_name, "sender_address": s.sender_address}
                  for s in session.scalars(select(ScanItem).where(ScanItem.case_id == case.id))],
        "files": [],
    }


def export(session: Session, store: FileStore, cases: list[Case]) -> bytes:
    """A zip of ``cases`` as the citizen's data: ``data.json`` and, under ``files/<case>/``, their attachments
    and the originals of their letters (an email as ``.eml``). A file that is no longer stored is listed in the
    JSON as missing."""
    buffer = io.BytesIO()
    records = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for case in cases:
            record = _case_record(session, case)
            wanted = [(f"{a.id}-{_safe(a.filename)}", a.sha256, a.filename) for a in case.attachments]
            wanted += [(f"letter-{l.id}{'.eml' if l.channel.value == 'email' else '.original'}", l.raw_sha256,
                        f"original of letter {l.id}") for l in case.letters if l.raw_sha256]
            for name, digest, label in wanted:
                path = f"files/{case.number}/{name}"
                try:
                    archive.writestr(path, store.get(digest))
                    record["files"].append({"name": label, "path": path, "sha256": digest})
                except FileNotFoundError:
                    record["files"].append({"name": label, "path": None, "sha256": digest, "missing": True})
            records.append(record)
        archive.writestr("data.json", json.dumps({"cases": records}, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def export_for(session: Session, store: FileStore, case: Case, actor: Actor, address: str = "") -> bytes:
    """Export the data of ``case``'s citizen (see ``export``) and log who did it; the caller commits."""
    cases = citizen_cases(session, case)
    data = export(session, store, cases)
    audit.record(session, actor, audit.EXPORT_CITIZEN, case_number=case.number, address=address,
                 target=texts.text(N_("citizen of %(case)s"), case=case.number),
                 data={"cases": [c.number for c in cases]})
    return data


def erase_for(session: Session, store: FileStore, case: Case, actor: Actor, reason: str,
              address: str = "") -> list[Erased]:
    """Erase the personal data of ``case``'s citizen in every case of theirs (statistics stay) and log it;
    the caller commits. ``reason``: the request it answers (kept in the access log, one row per case)."""
    if is_erased(session, case):
        raise NotFound(N_("This case's personal data was erased already."))
    cases = [c for c in citizen_cases(session, case) if not is_erased(session, c)]
    return [erase_case(session, store, c, actor, REQUEST, note=reason, address=address) for c in cases]
