"""Surges: many similar cases in one area within a short window are a major emergency even when nobody declares
one. The worker checks each new placed case (outbox ``surge_check``): the cases of the same area received within
the window that the search index finds similar to it, with the case itself, make a cluster; when a cluster
reaches the rule's size an emergency alert is raised once on its first case (``cases.emergency``), and later
similar cases join that cluster instead of raising another."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import emergency, events
from cases.actors import SYSTEM
from cases.models import Case
from cases.models_places import CasePlace, Surge
from cases.workflow import Status

IGNORED = (Status.INVALID, Status.MERGED)


@dataclass(frozen=True)
class SurgeRule:
    """``min_cases`` similar cases (the new one included) in one area within ``window_minutes``; 0 turns it off."""

    window_minutes: int = 60
    min_cases: int = 5

    @property
    def active(self) -> bool:
        return self.window_minutes > 0 and self.min_cases > 1


def _neighbours(session: Session, case: Case, area_id: int, window: timedelta) -> dict[int, Case]:
    rows = session.scalars(select(Case).join(CasePlace, CasePlace.case_id == Case.id).where(
        CasePlace.area_id == area_id, Case.id != case.id, Case.status.not_in(IGNORED),
        Case.received_at >= case.received_at - window, Case.received_at <= case.received_at + window))
    return {c.id: c for c in rows}


def check(session: Session, case_id: int, similar: Callable[[int], Iterable[int]], rule: SurgeRule) -> Surge | None:
    """Look at case ``case_id`` for a surge; ``similar(case_id)`` gives the ids of cases whose text is like its
    (the search index's similarity). Returns the surge the case raised or joined, or None. The caller commits;
    the alert goes out after the commit (outbox)."""
    place = session.get(CasePlace, case_id)
    case = session.get(Case, case_id)
    if not rule.active or place is None or place.area_id is None or case is None or case.status in IGNORED:
        return None
    window = timedelta(minutes=rule.window_minutes)
    near = _neighbours(session, case, place.area_id, window)
    if not near:
        return None
    alike = {i for i in similar(case_id) if i in near}
    if not alike:
        return None
    members = alike | {case_id}
    current = session.scalars(select(Surge).where(Surge.area_id == place.area_id,
                                                  Surge.last_at >= case.received_at - window)).all()
    for surge in current:
        if members & set(surge.case_ids):
            if case_id not in surge.case_ids:
                _join(session, surge, case)
            return surge
    if len(members) < rule.min_cases:
        return None
    cluster = sorted([near[i] for i in alike] + [case], key=lambda c: (c.received_at, c.id))
    first = cluster[0]
    surge = Surge(area_id=place.area_id, case_id=first.id, case_ids=[c.id for c in cluster],
                  first_at=first.received_at, last_at=max(c.received_at for c in cluster), size=len(cluster))
    session.add(surge)
    session.flush()
    note = (f"Surge: {len(cluster)} similar cases in {place.area.name if place.area else 'one area'} within "
            f"{rule.window_minutes} minutes: " + ", ".join(c.number for c in cluster))
    alert = emergency.raise_alert(session, first, SYSTEM, note)
    surge.alert_id = alert.id if alert is not None else None
    for member in cluster[1:]:
        events.record(session, member, SYSTEM, "surge", note=f"part of a surge reported on {first.number}",
                      data={"surge_id": surge.id})
    return surge


def _join(session: Session, surge: Surge, case: Case) -> None:
    surge.case_ids = [*surge.case_ids, case.id]
    surge.size = len(surge.case_ids)
    surge.last_at = max(surge.last_at, case.received_at)
    first = session.get(Case, surge.case_id)
    events.record(session, case, SYSTEM, "surge", note=f"part of a surge reported on {first.number if first else ''}",
                  data={"surge_id": surge.id})


def cluster_of(session: Session, case: Case) -> list[Case]:
    """The other cases of the surges raised on ``case``, in the order they came (for the emergency report)."""
    ids: list[int] = []
    for surge in session.scalars(select(Surge).where(Surge.case_id == case.id).order_by(Surge.id)):
        ids.extend(i for i in surge.case_ids if i != case.id and i not in ids)
    if not ids:
        return []
    found = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return sorted((found[i] for i in ids if i in found), key=lambda c: (c.received_at, c.id))
