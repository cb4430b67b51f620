"""Supervising units: overdue and near-due cases, reminder / chase / escalation notices, the supervise flag.

Each notice is sent once per case and deadline: sending records an event (``reminder``, ``chase``,
``escalation``) carrying the deadline, and the next run skips cases that have that event. The mail itself goes
through the outbox, so it leaves only after the commit that records it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from cases import events, outbox, rollups
from cases.actors import SYSTEM, Actor
from cases.policy import Policy
from cases.deadlines import EMERGENCY, ORDINARY, URGENT
from cases.errors import N_, NotFound, TransitionError, ValidationError
from cases.models import Case, Event, Role, Unit, User
from cases.models_rollups import StatOpen
from cases.queries import scoped
from cases.statistics import COUNT_FROM_CASES, unindexed
from cases.workflow import OPEN_STATUSES, UNIT_CLOCK

REMINDER, CHASE, ESCALATION, SUPERVISE = "reminder", "chase", "escalation", "supervise"
SUPERVISION_ENDED, SIGN_CHASE = "supervision_ended", "sign_chase"
NOTICE_ACTIONS = (REMINDER, CHASE, ESCALATION, SIGN_CHASE)
SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class NoticeSettings:
    """When notices go out, in working days around a case's deadline."""

    reminder_days_before: int = 2
    chase_days_after: int = 1
    escalate_days_after: int = 3

    def __post_init__(self) -> None:
        if min(self.reminder_days_before, self.chase_days_after, self.escalate_days_after) < 0:
            raise ValidationError(N_("Notice days cannot be negative."))
        if self.escalate_days_after < self.chase_days_after:
            raise ValidationError(N_("Escalation cannot come before the chase notice."))


@dataclass(frozen=True)
class UnitDeadlines:
    """A unit's open cases against the clock."""

    unit_id: int
    unit: str
    open_cases: int
    near_due: int
    overdue: int
    supervised: int
    pending_extensions: int


def unit_deadlines(session: Session, policy: Policy, today: date, near_days: int = 2) -> list[UnitDeadlines]:
    """Per active unit: open cases on its clock, how many are due within ``near_days`` working days and overdue;
    from the rollup of open cases per unit and due date when the rollups are built, else from the cases."""
    horizon = policy.calendar.add_working_days(today, near_days)
    if rollups.zone(session) is not None and not session.info.get(COUNT_FROM_CASES):
        rollups.settle(session)
        due = StatOpen.due_date
        per_unit = (
            select(StatOpen.unit_id.label("unit_id"), func.sum(StatOpen.cases).label("open_cases"),
                   func.sum(case((and_(due >= today, due <= horizon), StatOpen.cases), else_=0)).label("near"),
                   func.sum(case((due < today, StatOpen.cases), else_=0)).label("overdue"),
                   func.sum(StatOpen.supervised).label("supervised"),
                   func.sum(StatOpen.extensions).label("extensions"))
            .group_by(StatOpen.unit_id).subquery("pu"))
    else:
        # Counted per unit first, then joined to the units: walking each unit's index entries and fetching rows
        # one by one is several times slower on SQLite than one pass over the cases.
        unit_id = unindexed(session, Case.unit_id)
        per_unit = (
            select(unit_id.label("unit_id"), func.count(Case.id).label("open_cases"),
                   func.sum(case((and_(Case.due_date >= today, Case.due_date <= horizon), 1), else_=0)).label("near"),
                   func.sum(case((Case.due_date < today, 1), else_=0)).label("overdue"),
                   func.sum(case((Case.supervised, 1), else_=0)).label("supervised"),
                   func.sum(case((Case.extension_requested_days.is_not(None), 1), else_=0)).label("extensions"))
            .where(unindexed(session, Case.status).in_(UNIT_CLOCK), unit_id.is_not(None))
            .group_by(unit_id).subquery("pu"))
    rows = session.execute(
        select(Unit.id, Unit.name, per_unit.c.open_cases, per_unit.c.near, per_unit.c.overdue,
               per_unit.c.supervised, per_unit.c.extensions)
        .outerjoin(per_unit, per_unit.c.unit_id == Unit.id).where(Unit.active).order_by(Unit.name)).all()
    return [UnitDeadlines(r[0], r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0), int(r[5] or 0),
                          int(r[6] or 0)) for r in rows]


def cases_against_clock(session: Session, policy: Policy, today: date, *, unit_id: int | None = None,
                        near_days: int = 2, limit: int = 500) -> list[Case]:
    """Open cases on a unit's clock that are overdue or due within ``near_days`` working days, earliest first."""
    horizon = policy.calendar.add_working_days(today, near_days)
    stmt = (select(Case).where(Case.status.in_(UNIT_CLOCK), Case.due_date.is_not(None), Case.due_date <= horizon)
            .options(selectinload(Case.unit)).order_by(Case.due_date, Case.id).limit(limit))
    if unit_id is not None:
        stmt = stmt.where(Case.unit_id == unit_id)
    return list(session.scalars(stmt))


def _recipients(session: Session, unit: Unit) -> list[str]:
    """The unit's mailbox and its active handlers' addresses."""
    handlers = session.scalars(select(User.email).where(User.unit_id == unit.id, User.active,
                                                        User.role == Role.UNIT, User.email != "")).all()
    seen: list[str] = []
    for address in [unit.email, *handlers]:
        if address and address.lower() not in (s.lower() for s in seen):
            seen.append(address)
    return seen


def _notice_text(kind: str, case: Case, due: date | str, note: str = "") -> tuple[str, str]:
    due = DueText(due) if isinstance(due, str) else due
    lines = {
        REMINDER: f"Case {case.number} “{case.subject}” is due on {due.isoformat()}. Please give your feedback "
                  "before the deadline.",
        CHASE: f"Case {case.number} “{case.subject}” was due on {due.isoformat()} and has no feedback yet. "
               "Please answer without delay.",
        ESCALATION: f"Case {case.number} “{case.subject}”, handled by {case.unit.name if case.unit else 'your unit'}"
                    f", was due on {due.isoformat()} and is still unanswered. It is now under supervision.",
        SUPERVISE: f"Case {case.number} “{case.subject}” has been placed under supervision by the office.",
        SUPERVISION_ENDED: f"Case {case.number} “{case.subject}” is no longer under supervision.",
        SIGN_CHASE: f"Case {case.number} “{case.subject}” was to be signed for by {due.isoformat()} and has not "
                    "been. Please sign for it and start work without delay.",
    }
    subjects = {REMINDER: "Reminder", CHASE: "Overdue", ESCALATION: "Escalation", SUPERVISE: "Supervision",
                SUPERVISION_ENDED: "Supervision ended", SIGN_CHASE: "Not signed for"}
    body = lines[kind] + (f"\n\nNote from the office: {note}" if note else "")
    return f"[{subjects[kind]}] Case {case.number}", body


class DueText(str):
    """A deadline already written out (an hour deadline, in office time), standing in for a date in notices."""

    def isoformat(self) -> str:
        return str(self)


def _enqueue_notice(session: Session, kind: str, case: Case, to: list[str], due: date | str | None, note: str = "",
                    event_id: int | None = None) -> None:
    subject, body = _notice_text(kind, case, due or date.min, note)
    # Deadline notices go once per deadline; a supervisor's notices once per decision (its event).
    key = f"notice:{kind}:{case.id}:" + (f"event-{event_id}" if event_id else due.isoformat() if due else "none")
    outbox.enqueue(session, outbox.SEND_MAIL, key,
                   {"kind": "notice", "notice": kind, "to": to, "subject": subject, "body": body, "case_id": case.id})


def _sent(session: Session, case_ids: Sequence[int]) -> set[tuple[int, str, str]]:
    """(case id, notice, deadline) already sent for these cases."""
    sent: set[tuple[int, str, str]] = set()
    for chunk_start in range(0, len(case_ids), 500):
        chunk = case_ids[chunk_start:chunk_start + 500]
        for case_id, action, data in session.execute(
                select(Event.case_id, Event.action, Event.data)
                .where(Event.case_id.in_(chunk), Event.action.in_(NOTICE_ACTIONS))):
            sent.add((case_id, action, str((data or {}).get("due"))))
    return sent


def due_notices(case_due: date, today: date, policy: Policy, settings: NoticeSettings) -> list[str]:
    """Which notices a case due on ``case_due`` calls for on ``today`` (before the once-only check).

    Everything counts in working days of the office's calendar, and nothing goes out on a day off: the reminder
    on a working day at most ``reminder_days_before`` working days ahead of the deadline, the chase on the
    ``chase_days_after``-th working day after it, the escalation on the ``escalate_days_after``-th. A notice whose
    day passed without a run (the worker was down) goes out on the next working day.
    """
    cal = policy.calendar
    if not cal.is_working_day(today):
        return []
    kinds = []
    if today <= case_due <= cal.add_working_days(today, settings.reminder_days_before):
        kinds.append(REMINDER)
    if today >= cal.add_working_days(case_due, settings.chase_days_after) and today > case_due:
        kinds.append(CHASE)
    if today >= cal.add_working_days(case_due, settings.escalate_days_after) and today > case_due:
        kinds.append(ESCALATION)
    return kinds


def send_notices(session: Session, policy: Policy, settings: NoticeSettings, today: date | None = None,
                 ) -> dict[str, int]:
    """Queue every reminder, chase and escalation that is due today and not yet sent; returns counts by kind.

    The caller commits; running twice on the same day sends nothing the second time.
    """
    today = today or policy.today()
    counts = {kind: 0 for kind in (REMINDER, CHASE, ESCALATION)}
    if not policy.calendar.is_working_day(today):
        return counts  # weekends and holidays are quiet: what falls due goes out on the next working day
    horizon = policy.calendar.add_working_days(today, settings.reminder_days_before)
    candidates = list(session.scalars(
        select(Case).where(Case.status.in_(UNIT_CLOCK), Case.due_date.is_not(None), Case.due_date <= horizon,
                           Case.unit_id.is_not(None), ~hourly_levels(policy))
        .options(selectinload(Case.unit)).order_by(Case.id)))
    sent = _sent(session, [c.id for c in candidates])
    for item in candidates:
        due = item.due_date
        for kind in due_notices(due, today, policy, settings):
            if (item.id, kind, due.isoformat()) in sent:
                continue
            if kind == ESCALATION:
                to = [item.unit.head_email] if item.unit.head_email else _recipients(session, item.unit)
                item.supervised = True
            else:
                to = _recipients(session, item.unit)
            if to:
                _enqueue_notice(session, kind, item, to, due)
            events.record(session, item, SYSTEM, kind, note=f"{kind} notice for the deadline {due.isoformat()}",
                          data={"due": due.isoformat(), "to": to})
            counts[kind] += 1
    return counts


def hourly_levels(policy: Policy) -> ColumnElement[bool]:
    """Cases whose urgency level counts feedback in hours: their notices go by the hour, not by the day."""
    conditions = {ORDINARY: and_(~Case.urgent, ~Case.major_emergency),
                  URGENT: and_(Case.urgent, ~Case.major_emergency), EMERGENCY: Case.major_emergency}
    hourly = [conditions[level] for level, rule in policy.urgency.items() if rule.feedback.in_hours]
    return or_(*hourly) if hourly else false()


def supervise(session: Session, policy: Policy, case: Case, actor: Actor, note: str) -> None:
    """Put an open case under supervision: the flag shows on the case, the unit and its head are told why."""
    if actor.role not in SUPERVISOR_ROLES:
        raise TransitionError(N_("Your role may not supervise a case."))
    note = (note or "").strip()
    if not note:
        raise ValidationError(N_("A note for the unit is required."))
    if case.status not in OPEN_STATUSES:
        raise ValidationError(N_("Only open cases can be supervised."))
    if case.supervised:
        raise ValidationError(N_("The case is already under supervision."))
    case.supervised = True
    event = events.record(session, case, actor, SUPERVISE, note=note, data={"unit_id": case.unit_id})
    _tell_unit_and_head(session, SUPERVISE, case, note, event)
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))


def end_supervision(session: Session, policy: Policy, case: Case, actor: Actor, note: str = "") -> None:
    """Lift the supervise flag (recorded); the unit and its head are told."""
    if actor.role not in SUPERVISOR_ROLES:
        raise TransitionError(N_("Your role may not supervise a case."))
    if not case.supervised:
        raise ValidationError(N_("The case is not under supervision."))
    note = (note or "").strip()[:2000]
    case.supervised = False
    event = events.record(session, case, actor, SUPERVISION_ENDED, note=note, data={"unit_id": case.unit_id})
    _tell_unit_and_head(session, SUPERVISION_ENDED, case, note, event)
    outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))


def _tell_unit_and_head(session: Session, kind: str, case: Case, note: str, event: Event | None) -> None:
    """Mail the unit (its mailbox and handlers) and the unit's head about a supervisor's decision."""
    if case.unit is None:
        return
    to = _recipients(session, case.unit)
    if case.unit.head_email and case.unit.head_email.lower() not in (a.lower() for a in to):
        to.append(case.unit.head_email)
    if to:
        session.flush()  # the event's id names the notice
        _enqueue_notice(session, kind, case, to, case.due_date, note, event_id=event.id if event else None)


def supervision_notes(session: Session, case: Case) -> list[Event]:
    """The supervise and escalation events of a case, newest first (what the unit is shown)."""
    return list(session.scalars(select(Event).where(Event.case_id == case.id,
                                                    Event.action.in_((SUPERVISE, ESCALATION, SUPERVISION_ENDED)))
                                .order_by(Event.id.desc())))


def supervised_cases(session: Session, unit_id: int | None = None, limit: int = 200,
                     scope: Actor | None = None) -> list[Case]:
    """Open cases under supervision, of one unit (``unit_id``) or those ``scope`` may see (a unit handler: the
    cases of their unit, of its parts and of the units below it)."""
    stmt = (select(Case).where(Case.supervised, Case.status.in_(OPEN_STATUSES)).options(selectinload(Case.unit))
            .order_by(Case.due_date, Case.id).limit(limit))
    if scope is not None:
        stmt = scoped(session, scope, stmt)
    if unit_id is not None:
        stmt = stmt.where(Case.unit_id == unit_id)
    return list(session.scalars(stmt))


def get_open_case(session: Session, number: str) -> Case:
    found = session.scalar(select(Case).where(Case.number == number))
    if found is None:
        raise NotFound(N_("No such case."))
    return found

