"""The one table of allowed case transitions: which action, from which status, by which role, to which status.

Services look every step up here, so the rules live in one place and the tests walk every (status, action) pair.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from cases.errors import N_, Code, RoleRefused, TransitionError


class Status(str, enum.Enum):
    RECEIVED = "received"  # a letter arrived, nobody has looked at it yet
    REGISTERED = "registered"  # the desk checked it: kind, category, contact
    DISPATCHED = "dispatched"  # handed to a unit, waiting for the unit to accept
    RETURNED = "returned"  # the unit sent it back to the desk with a reason
    ACCEPTED = "accepted"  # the unit is working on it
    ANSWERED = "answered"  # the unit gave feedback; the desk writes the reply
    REPLIED = "replied"  # the reply went out; waiting for the citizen's rating
    CLOSED = "closed"
    INVALID = "invalid"  # spam, abuse: kept, never deleted
    MERGED = "merged"  # a duplicate, folded into a main case
    DISPUTED = "disputed"  # the desk disputes a unit's return; a supervisor rules on it


class Action(str, enum.Enum):
    REGISTER = "register"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    RETURN = "return"
    FEEDBACK = "feedback"
    REPLY = "reply"
    CLOSE = "close"
    REOPEN = "reopen"
    MARK_INVALID = "mark_invalid"
    MERGE = "merge"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    APPROVE_REPLY = "approve_reply"  # a supervisor lets a reply that needs approval go out
    RETURN_REPLY = "return_reply"  # ... or sends it back to the clerk with a note
    ANSWER_DIRECTLY = "answer_directly"  # the desk answers a consultation itself, from the knowledge base
    RATE = "rate"  # the citizen's rating of a case closed without one (a direct answer)
    REOPEN_AT_DESK = "reopen_at_desk"  # a direct answer did not satisfy: back to the desk, to dispatch
    DISPUTE_RETURN = "dispute_return"  # the desk holds that a returned case is the unit's after all
    UPHOLD_RETURN = "uphold_return"  # a supervisor agrees with the unit: the case stays with the desk
    OVERRULE_RETURN = "overrule_return"  # a supervisor agrees with the desk: the case goes back to the unit
    RECALL = "recall"  # the desk takes back a case it sent to the wrong unit, to dispatch it again
    ASSIGN = "assign"  # a unit's head gives the case to one of the unit's handlers
    # Work shared across units (cases.levels, cases.cohandling); the case's own status does not move.
    PASS_DOWN = "pass_down"  # a unit passes the case (or its part) down to one of its sub-units (二级派单)
    ANSWER_PART = "answer_part"  # a sub-unit or co-handling unit gives its part to the unit it answers to
    ACCEPT_PART = "accept_part"  # the parent takes its sub-unit's part
    SEND_BACK_PART = "send_back_part"  # ... or sends it back to the sub-unit with a reason
    CHASE_PART = "chase_part"  # a unit's part is chased on its own (the lead, the desk or a supervisor)


DESK = frozenset({"clerk", "supervisor", "admin"})
UNIT = frozenset({"unit"})
SUPERVISION = frozenset({"supervisor", "admin"})
CITIZEN = frozenset({"citizen"})


@dataclass(frozen=True)
class Rule:
    target: Status
    roles: frozenset[str]


S, A = Status, Action
TRANSITIONS: dict[tuple[Status, Action], Rule] = {
    (S.RECEIVED, A.REGISTER): Rule(S.REGISTERED, DESK),
    (S.REGISTERED, A.DISPATCH): Rule(S.DISPATCHED, DESK),
    (S.RETURNED, A.DISPATCH): Rule(S.DISPATCHED, DESK),
    (S.DISPATCHED, A.ACCEPT): Rule(S.ACCEPTED, UNIT),
    (S.DISPATCHED, A.RETURN): Rule(S.RETURNED, UNIT),
    (S.ACCEPTED, A.RETURN): Rule(S.RETURNED, UNIT),
    (S.ACCEPTED, A.FEEDBACK): Rule(S.ANSWERED, UNIT),
    (S.ACCEPTED, A.REQUEST_EXTENSION): Rule(S.ACCEPTED, UNIT),
    (S.ACCEPTED, A.APPROVE_EXTENSION): Rule(S.ACCEPTED, SUPERVISION),
    (S.ACCEPTED, A.REJECT_EXTENSION): Rule(S.ACCEPTED, SUPERVISION),
    (S.ANSWERED, A.REPLY): Rule(S.REPLIED, DESK),
    (S.ANSWERED, A.APPROVE_REPLY): Rule(S.REPLIED, SUPERVISION),
    (S.ANSWERED, A.RETURN_REPLY): Rule(S.ANSWERED, SUPERVISION),
    (S.REPLIED, A.CLOSE): Rule(S.CLOSED, DESK | CITIZEN),
    (S.CLOSED, A.REOPEN): Rule(S.ACCEPTED, DESK | CITIZEN),
    (S.RECEIVED, A.ANSWER_DIRECTLY): Rule(S.CLOSED, DESK),
    (S.REGISTERED, A.ANSWER_DIRECTLY): Rule(S.CLOSED, DESK),
    (S.CLOSED, A.RATE): Rule(S.CLOSED, DESK | CITIZEN),
    (S.CLOSED, A.REOPEN_AT_DESK): Rule(S.REGISTERED, DESK | CITIZEN),
    (S.RECEIVED, A.MARK_INVALID): Rule(S.INVALID, DESK),
    (S.REGISTERED, A.MARK_INVALID): Rule(S.INVALID, DESK),
    (S.RETURNED, A.MARK_INVALID): Rule(S.INVALID, DESK),
    (S.RECEIVED, A.MERGE): Rule(S.MERGED, DESK),
    (S.REGISTERED, A.MERGE): Rule(S.MERGED, DESK),
    (S.RETURNED, A.MERGE): Rule(S.MERGED, DESK),
    (S.RETURNED, A.DISPUTE_RETURN): Rule(S.DISPUTED, DESK),
    (S.DISPUTED, A.UPHOLD_RETURN): Rule(S.RETURNED, SUPERVISION),
    (S.DISPUTED, A.OVERRULE_RETURN): Rule(S.ACCEPTED, SUPERVISION),
    (S.DISPATCHED, A.RECALL): Rule(S.REGISTERED, DESK),
    (S.ACCEPTED, A.RECALL): Rule(S.REGISTERED, DESK),
    (S.DISPATCHED, A.ASSIGN): Rule(S.DISPATCHED, UNIT),
    (S.ACCEPTED, A.ASSIGN): Rule(S.ACCEPTED, UNIT),
    # Parts: co-handling units may work before the lead signs for the case; passing down from the lead's own
    # level waits for its signature (cases.levels checks that).
    (S.DISPATCHED, A.PASS_DOWN): Rule(S.DISPATCHED, UNIT),
    (S.ACCEPTED, A.PASS_DOWN): Rule(S.ACCEPTED, UNIT),
    (S.DISPATCHED, A.ANSWER_PART): Rule(S.DISPATCHED, UNIT),
    (S.ACCEPTED, A.ANSWER_PART): Rule(S.ACCEPTED, UNIT),
    (S.DISPATCHED, A.ACCEPT_PART): Rule(S.DISPATCHED, UNIT),
    (S.ACCEPTED, A.ACCEPT_PART): Rule(S.ACCEPTED, UNIT),
    (S.DISPATCHED, A.SEND_BACK_PART): Rule(S.DISPATCHED, UNIT),
    (S.ACCEPTED, A.SEND_BACK_PART): Rule(S.ACCEPTED, UNIT),
    (S.DISPATCHED, A.CHASE_PART): Rule(S.DISPATCHED, UNIT | DESK),
    (S.ACCEPTED, A.CHASE_PART): Rule(S.ACCEPTED, UNIT | DESK),
}

# Statuses in which a unit's clock (or the desk's dispatch clock) is running.
DESK_CLOCK = frozenset({S.RECEIVED, S.REGISTERED, S.RETURNED})
UNIT_CLOCK = frozenset({S.DISPATCHED, S.ACCEPTED})
OPEN_STATUSES = DESK_CLOCK | UNIT_CLOCK | {S.ANSWERED, S.REPLIED, S.DISPUTED}
# The statuses on a clock in one fixed order, as the overdue list writes them: SQLite uses a partial index only when
# the query repeats its condition word for word.
ON_A_CLOCK = tuple(sorted(DESK_CLOCK | UNIT_CLOCK, key=lambda status: status.value))


def check(status: Status, action: Action, role: str) -> Status:
    """Return the status ``action`` leads to, or raise :class:`TransitionError` saying why it is not allowed."""
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        raise TransitionError(N_("A case that is %(status)s cannot be given the action “%(action)s”."),
                              status=Code(status.value), action=Code(action.value))
    if role not in rule.roles:
        raise RoleRefused(N_("The role %(role)s may not take the action “%(action)s”."), action.value,
                          role=Code(role), action=Code(action.value))
    return rule.target


def allowed_actions(status: Status, role: str) -> list[Action]:
    """The actions a user of ``role`` may take on a case in ``status`` (for buttons on the case page)."""
    return [a for (s, a), rule in TRANSITIONS.items() if s == status and role in rule.roles]
