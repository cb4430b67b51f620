"""The retention period: closed cases older than it lose their personal data (``cases.erasure``).

A case counts from its last change once it is closed (closed, invalid or merged): a reopened case starts again.
Each case is erased in a transaction of its own, so a long run holds no lock for long and a crash loses nothing
(the next run carries on with the cases not yet marked erased).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cases.actors import Actor
from cases.erasure import RETENTION, Erased, case_files, erase_case
from cases.models import Attachment, Case, utcnow
from cases.models_privacy import CaseErasure
from cases.files.store import FileStore
from cases.workflow import Status

FINISHED = (Status.CLOSED, Status.INVALID, Status.MERGED)


@dataclass(frozen=True)
class Due:
    """A case whose personal data is due for erasure, and what it holds."""

    case_id: int
    number: str
    last_change: datetime
    attachments: int | None = None  # counted only when asked for (a dry run): it reads every case's files
    files: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"number": self.number, "last_change": self.last_change.isoformat(),
                "attachments": self.attachments, "files": self.files}


def cutoff(days: int, now: datetime | None = None) -> datetime:
    """The moment before which a finished case's personal data is kept no longer."""
    return (now or utcnow()) - timedelta(days=days)


def due_cases(session: Session, before: datetime, *, detail: bool = False) -> list[Due]:
    """The finished cases last changed before ``before`` whose personal data is still held, oldest first;
    ``detail``: with how many attachments and stored files each holds (one more read per case)."""
    where = (Case.status.in_(FINISHED), Case.updated_at < before, Case.id.not_in(select(CaseErasure.case_id)))
    order = (Case.updated_at, Case.id)
    if not detail:
        return [Due(case_id=row.id, number=row.number, last_change=row.updated_at) for row in session.execute(
            select(Case.id, Case.number, Case.updated_at).where(*where).order_by(*order))]
    found = []
    for case in session.scalars(select(Case).where(*where).order_by(*order)):
        attachments = session.scalar(select(func.count()).where(Attachment.case_id == case.id)) or 0
        found.append(Due(case_id=case.id, number=case.number, last_change=case.updated_at, attachments=attachments,
                         files=len(case_files(session, case))))
    return found


def purge(sessions: sessionmaker[Session], store: FileStore, due: Iterable[Due], actor: Actor,
          on_case: Callable[[Erased], None] | None = None) -> list[Erased]:
    """Erase the personal data of each of ``due``, one transaction per case; returns what was erased.

    A case changed since it was listed (reopened, or erased by someone else meanwhile) is skipped."""
    done = []
    for item in due:
        with sessions() as session:
            case = session.get(Case, item.case_id)
            if (case is None or case.status not in FINISHED or case.updated_at > item.last_change
                    or session.get(CaseErasure, item.case_id) is not None):
                continue
            erased = erase_case(session, store, case, actor, RETENTION)
            session.commit()
        done.append(erased)
        if on_case is not None:
            on_case(erased)
    return done
