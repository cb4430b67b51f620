"""Major emergencies: marking a case one raises an alert (once per case while unacknowledged), which the worker
turns into the emergency report (专报) and messages to the duty supervisors and the leaders; every supervisor
page shows it until a supervisor acknowledges it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cases import events, outbox
from cases.actors import Actor
from cases.errors import N_, NotFound, TransitionError, ValidationError
from cases.models import Case, Event
from cases.models_emergency import EmergencyAlert
from cases.workflow import OPEN_STATUSES

RAISERS = frozenset({"clerk", "supervisor", "admin", "system"})
ACKNOWLEDGERS = frozenset({"supervisor", "admin"})


def raise_alert(session: Session, case: Case, actor: Actor, note: str = "") -> EmergencyAlert | None:
    """Flag ``case`` a major emergency and raise its alert; ``None`` when an alert on it is still open.
    The caller commits; the worker sends the alert after the commit (outbox)."""
    if actor.role not in RAISERS:
        raise TransitionError(N_("Your role may not declare a major emergency."))
    case.major_emergency = case.urgent = True
    if session.scalar(select(EmergencyAlert.id).where(EmergencyAlert.case_id == case.id,
                                                      EmergencyAlert.acknowledged_at.is_(None))) is not None:
        return None
    alert = EmergencyAlert(case=case, raised_by_id=actor.user_id, note=(note or "").strip()[:2000])
    session.add(alert)
    session.flush()
    events.record(session, case, actor, "major_emergency", note=alert.note, data={"alert_id": alert.id})
    outbox.enqueue(session, outbox.EMERGENCY_ALERT, str(alert.id), fresh=True)
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))
    return alert


def declare(session: Session, case: Case, actor: Actor, note: str) -> EmergencyAlert | None:
    """The desk or a supervisor marks an open case a major emergency, saying why."""
    if not (note or "").strip():
        raise ValidationError(N_("Say what the emergency is."))
    if case.status not in OPEN_STATUSES:
        raise ValidationError(N_("Only open cases can be declared major emergencies."))
    return raise_alert(session, case, actor, note)


def open_alerts(session: Session, limit: int = 20) -> list[EmergencyAlert]:
    """Alerts no supervisor has acknowledged yet, newest first (the banner)."""
    return list(session.scalars(select(EmergencyAlert).where(EmergencyAlert.acknowledged_at.is_(None))
                                .options(selectinload(EmergencyAlert.case)).order_by(EmergencyAlert.id.desc())
                                .limit(limit)))


def acknowledge(session: Session, alert_id: int, actor: Actor, now: datetime) -> EmergencyAlert:
    if actor.role not in ACKNOWLEDGERS:
        raise TransitionError(N_("Your role may not acknowledge an emergency alert."))
    alert = session.get(EmergencyAlert, alert_id)
    if alert is None:
        raise NotFound(N_("No such alert."))
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by_id = now, actor.user_id
        events.record(session, alert.case, actor, "emergency_acknowledged", data={"alert_id": alert.id})
    return alert


@dataclass(frozen=True)
class ReportFacts:
    """What the emergency report says: the case, its cluster (duplicates merged into it), citizens, actions."""

    case: Case
    cluster: list[Case]
    citizens: int
    first_at: datetime
    actions: list[Event]
    where: str = ""  # the case's area and address, when it has a place


def report_facts(session: Session, case: Case) -> ReportFacts:
    from cases.case_places import describe_place
    from cases.surge import cluster_of

    cluster = [case, *session.scalars(select(Case).where(Case.merged_into_id == case.id).order_by(Case.id))]
    cluster += [c for c in cluster_of(session, case) if c not in cluster]
    citizens = {c.citizen_id or -c.id for c in cluster}
    actions = list(session.scalars(select(Event).where(Event.case_id == case.id, Event.action.not_in(
        ("deadline", "reminder", "chase", "escalation", "sign_chase"))).order_by(Event.id)))
    return ReportFacts(case, cluster, len(citizens), min(c.received_at for c in cluster), actions,
                       describe_place(session, case.id))
