"""Workflow services: each moves a case along the transition table, moves its clock, and records the event."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import cohandling, deadlines, email_survey, emergency, events, outbox, parts, texts
from cases.actors import Actor
from cases.policy import Policy
from cases.drafts import AttachmentDraft, Channel
from cases.errors import N_, NotFound, ValidationError
from cases.intake import store_attachments
from cases.models import Case, CaseKind, Category, Feedback, Reply, Satisfaction, Unit
from cases.models_desk import ANSWER_CHANNELS, Article, DirectAnswer
from cases.models_letters import AWAITING_APPROVAL, RELEASE_STATUS, SENT, SENT_BACK
from cases.steps import feedback_deadline, held_clock, move_clock, require_text, step
from cases.workflow import Action, Status, check


def register(session: Session, policy: Policy, case: Case, actor: Actor, *, kind: str | None = None,
             category_id: int | None = None, urgent: bool | None = None, major_emergency: bool | None = None,
             note: str = "") -> None:
    """The desk checks a received letter: confirms kind, category, urgency and the major-emergency flag."""
    if kind:
        try:
            case.kind = CaseKind(kind)
        except ValueError as exc:
            raise ValidationError(N_("Unknown case kind: %(kind)s"), kind=kind) from exc
    if category_id is not None:
        if session.get(Category, category_id) is None:
            raise ValidationError(N_("Unknown category."))
        case.category_id = category_id
    if urgent is not None:
        case.urgent = urgent
    if major_emergency:
        emergency.raise_alert(session, case, actor, note)
    elif major_emergency is not None:
        case.major_emergency = False
    step(session, case, actor, Action.REGISTER, note=note, internal=False)


def dispatch(session: Session, policy: Policy, case: Case, actor: Actor, unit_id: int, note: str = "",
             category_id: int | None = None, co_unit_ids: Sequence[int] = (), co_due: date | None = None) -> None:
    """Hand the case to a unit; its clocks start: sign for (签收) and feedback, by the case's urgency level (an
    ordinary case's feedback in the category's answer days, else the case kind's).

    A case is dispatched only with a category (``category_id`` sets it now): the category routes it and counts
    it in the figures. ``co_unit_ids``: co-handling units (协办) beside the lead, their parts due on ``co_due``
    (by default a little before the lead's feedback)."""
    if category_id is not None:
        chosen = session.get(Category, category_id)
        if chosen is None:
            raise ValidationError(N_("Unknown category."))
        case.category = chosen  # the relationship too: the feedback deadline reads its answer days
    category = case.category
    if category is None:
        raise ValidationError(N_("Choose a category before dispatching."))
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.active:
        raise ValidationError(N_("Choose an active unit."))
    step(session, case, actor, Action.DISPATCH, note=note, internal=False,
          data={"unit": unit.name, "category": category.name})
    case.unit_id = unit.id
    now = policy.now()
    level = deadlines.level_of(case.urgent, case.major_emergency)
    sign = deadlines.compute(policy.calendar, policy.timezone, now, policy.urgency[level].sign,
                             what=deadlines.sign_for(level))
    case.dispatched_at, case.sign_due_at, case.signed_at = now, sign.at, None
    move_clock(session, case, actor, None,
               texts.text(N_("dispatched to %(unit)s"), unit=texts.unit(unit.name)),
                deadline=feedback_deadline(policy, case, now), sign=sign)
    parts.withdraw_all(session, case)  # a case dispatched again starts its shared work afresh
    cohandling.add_co_units(session, policy, case, actor, co_unit_ids, co_due)


def accept(session: Session, policy: Policy, case: Case, actor: Actor) -> None:
    """The unit signs for the case (签收): it takes the case on; the moment is kept against the sign-for deadline."""
    now = policy.now()
    on_time = case.sign_due_at is None or now <= case.sign_due_at
    step(session, case, actor, Action.ACCEPT,
          data={"signed_at": now.isoformat(), "sign_due_at": case.sign_due_at.isoformat() if case.sign_due_at
                else None, "on_time": on_time})
    case.signed_at = now


def return_to_desk(session: Session, policy: Policy, case: Case, actor: Actor, reason: str) -> None:
    """The unit says the case is not theirs; it goes back to the desk, whose dispatch clock restarts."""
    reason = require_text(reason, N_("A reason for the return is required."))
    step(session, case, actor, Action.RETURN, note=reason, data={"unit_id": case.unit_id, **held_clock(case)})
    case.unit_id = case.assignee_id = None
    parts.withdraw_all(session, case)  # co-handling and sub-units lose the case with its lead
    case.sign_due_at = case.signed_at = case.dispatched_at = None
    move_clock(session, case, actor, policy.calendar.add_working_days(policy.today(), policy.dispatch_days),
                texts.text(N_("returned to the desk: dispatch again within %(days)s working days"),
                           days=policy.dispatch_days), policy)


def give_feedback(session: Session, policy: Policy, case: Case, actor: Actor, body: str,
                  files: list[AttachmentDraft] | None = None,
                  allowed_types: frozenset[str] | None = None, without_parts_reason: str = "") -> Feedback:
    """The unit answers; the desk then writes the reply to the citizen.

    The lead answers once its sub-unit's part is settled and every co-handling unit's part is in, or says why it
    answers without the missing ones (``without_parts_reason``)."""
    body = require_text(body, N_("A feedback text is required."))
    if actor.is_unit and case.unit_id == actor.unit_id:
        check(case.status, Action.FEEDBACK, actor.role)
        about_parts = cohandling.ready_for_feedback(session, case, actor, without_parts_reason)
    else:
        about_parts = {}
    step(session, case, actor, Action.FEEDBACK, data=about_parts or None)
    feedback = Feedback(case=case, unit_id=case.unit_id, author_id=actor.user_id, body=body)
    session.add(feedback)
    session.flush()
    if case.first_feedback_at is None:
        case.first_feedback_at, case.due_at_feedback = feedback.created_at, case.due_date
    store_attachments(session, policy, case, files or [], feedback_id=feedback.id, allowed_types=allowed_types)
    case.extension_requested_days = None
    return feedback


def reply(session: Session, policy: Policy, case: Case, actor: Actor, *, body: str, subject: str = "",
          channel: str | None = None, template: str = "", needs_approval: bool = False,
          pdf_sha256: str | None = None) -> Reply:
    """Record the office's reply to the citizen.

    With ``needs_approval`` (e.g. a complaint answered by a clerk) the reply waits for a supervisor
    (:func:`approve_reply` / :func:`return_reply`) and the case stays answered. Otherwise the case moves to
    replied and the reply is released by its channel: e-mail to the outbox, post to the print queue (with the
    stored PDF ``pdf_sha256``), phone to the clerk's call list.
    """
    body = require_text(body, N_("A reply text is required."))
    channel = channel or (case.citizen.preferred_reply if case.citizen else "phone")
    if channel not in {"email", "post", "phone"}:
        raise ValidationError(N_("Unknown reply channel."))
    if channel == "email" and not (case.citizen and case.citizen.email):
        raise ValidationError(N_("The citizen gave no email address: reply by post or phone."))
    if awaiting_reply(case) is not None:
        raise ValidationError(N_("A reply on this case is already waiting for a supervisor's approval."))
    if needs_approval:
        if actor.is_unit and case.unit_id != actor.unit_id:
            raise NotFound(N_("No such case."))
        check(case.status, Action.REPLY, actor.role)
    else:
        step(session, case, actor, Action.REPLY, internal=False, data={"channel": channel})
    reply_row = Reply(case=case, author_id=actor.user_id, channel=channel, subject=subject or case.subject,
                      body=body, template=template, status=AWAITING_APPROVAL)
    session.add(reply_row)
    session.flush()
    if needs_approval:
        events.record(session, case, actor, "reply_submitted", data={"channel": channel, "reply_id": reply_row.id})
        outbox.enqueue(session, outbox.INDEX_CASE, str(case.id))
    else:
        _release(session, reply_row, pdf_sha256)
    return reply_row


def _release(session: Session, reply_row: Reply, pdf_sha256: str | None) -> None:
    """Send the reply on its way: e-mail through the outbox, post to the print queue, phone to the call list."""
    reply_row.status = RELEASE_STATUS[reply_row.channel]
    if pdf_sha256:
        reply_row.pdf_sha256 = pdf_sha256
    if reply_row.channel == "email":
        outbox.enqueue(session, outbox.SEND_MAIL, f"reply:{reply_row.id}", {"reply_id": reply_row.id})
    if reply_row.case.channel == Channel.SMS:
        outbox.enqueue(session, outbox.SMS_REPLY, str(reply_row.id), {"case_id": reply_row.case_id})
    email_survey.schedule(session, reply_row)


def awaiting_reply(case: Case) -> Reply | None:
    """The reply on ``case`` that waits for a supervisor's approval, if any."""
    return next((r for r in case.replies if r.status == AWAITING_APPROVAL), None)


def approve_reply(session: Session, policy: Policy, case: Case, actor: Actor, *, note: str = "",
                  pdf_sha256: str | None = None) -> Reply:
    """A supervisor approves the waiting reply: the case moves to replied and the reply goes out."""
    reply_row = awaiting_reply(case)
    if reply_row is None:
        raise ValidationError(N_("There is no reply waiting for approval on this case."))
    step(session, case, actor, Action.APPROVE_REPLY, note=note.strip(), internal=False,
          data={"channel": reply_row.channel, "reply_id": reply_row.id})
    _release(session, reply_row, pdf_sha256)
    return reply_row


def return_reply(session: Session, policy: Policy, case: Case, actor: Actor, note: str) -> Reply:
    """A supervisor sends the waiting reply back to the clerk with a note; the case stays answered."""
    note = require_text(note, N_("A note for the clerk is required."))
    reply_row = awaiting_reply(case)
    if reply_row is None:
        raise ValidationError(N_("There is no reply waiting for approval on this case."))
    step(session, case, actor, Action.RETURN_REPLY, note=note, data={"reply_id": reply_row.id})
    reply_row.status = SENT_BACK
    return reply_row


def close(session: Session, policy: Policy, case: Case, actor: Actor, satisfaction: str, comment: str = "") -> None:
    """Close with the citizen's rating; an unsatisfied rating reopens the case to its unit instead."""
    rating = _rating(satisfaction)
    step(session, case, actor, Action.CLOSE, note=comment, internal=False, data={"satisfaction": rating.value})
    case.satisfaction = rating
    case.due_date, case.due_at = None, None
    if rating == Satisfaction.UNSATISFIED:
        reopen(session, policy, case, actor, comment or "The citizen is not satisfied.")


def _rating(satisfaction: str) -> Satisfaction:
    try:
        return Satisfaction(satisfaction)
    except ValueError as exc:
        raise ValidationError(N_("Choose satisfied, basically satisfied or unsatisfied.")) from exc


def reopen(session: Session, policy: Policy, case: Case, actor: Actor, reason: str) -> None:
    """Back to the unit that answered, with a fresh answer deadline."""
    step(session, case, actor, Action.REOPEN, note=require_text(reason, N_("A reason is required.")), internal=False)
    move_clock(session, case, actor, None, texts.text(N_("reopened")),
               deadline=feedback_deadline(policy, case, policy.now()))


# The kinds the desk may answer itself; reports, complaints and the rest need a unit.
DIRECT_KINDS = frozenset({CaseKind.CONSULTATION, CaseKind.HELP})
# A direct answer's channel -> the reply channel it is recorded under.
ANSWER_REPLY_CHANNEL = {"call": "phone", "email": "email", "post": "post"}


def answer_directly(session: Session, policy: Policy, case: Case, actor: Actor, *, body: str, channel: str,
                    article_ids: Sequence[int] = (), subject: str = "", template: str = "direct_answer",
                    pdf_sha256: str | None = None) -> DirectAnswer:
    """The desk answers a consultation or help request itself, and the case closes unrated.

    The answer is kept as a reply: said on the call it is recorded as a phone reply already given; by e-mail or
    post it goes out like any reply (the outbox, the print queue with the stored PDF ``pdf_sha256``). The
    citizen may still rate it (:func:`rate`).
    """
    body = require_text(body, N_("An answer is required."))
    if case.kind not in DIRECT_KINDS:
        raise ValidationError(N_("Only consultations and requests for help are answered at the desk; dispatch this "
                                 "case to a unit."))
    if channel not in ANSWER_CHANNELS:
        raise ValidationError(N_("Choose how the answer was given: on the call, by email or by post."))
    citizen = case.citizen
    if channel == "email" and not (citizen and citizen.email):
        raise ValidationError(N_("The citizen gave no email address: answer on the call or by post."))
    if channel == "post" and not (citizen and citizen.address.strip()):
        raise ValidationError(N_("The citizen gave no postal address: answer on the call or by email."))
    ids = sorted({int(i) for i in article_ids})
    if ids:
        found = set(session.scalars(select(Article.id).where(Article.id.in_(ids), Article.version > 0)))
        if found != set(ids):
            raise ValidationError(N_("Some of the chosen articles do not exist."))
    step(session, case, actor, Action.ANSWER_DIRECTLY, internal=False,
          data={"channel": channel, "articles": ids})
    case.due_date, case.due_at, case.satisfaction = None, None, None
    reply_channel = ANSWER_REPLY_CHANNEL[channel]
    reply_row = Reply(case=case, author_id=actor.user_id, channel=reply_channel, subject=subject or case.subject,
                      body=body, template=template[:100])
    session.add(reply_row)
    session.flush()  # the outbox names the reply by its id
    if channel == "call":
        reply_row.status, reply_row.sent_at = SENT, datetime.now(timezone.utc)
    else:
        _release(session, reply_row, pdf_sha256)
    answer = DirectAnswer(case=case, author_id=actor.user_id, channel=channel, body=body, article_ids=ids,
                          reply=reply_row)
    session.add(answer)
    session.flush()
    return answer


def rate(session: Session, policy: Policy, case: Case, actor: Actor, satisfaction: str, comment: str = "") -> None:
    """The rating of a case closed without one (answered at the desk); unsatisfied sends it back to the desk."""
    rating = _rating(satisfaction)
    if case.satisfaction is not None:
        raise ValidationError(N_("This case has already been rated."))
    step(session, case, actor, Action.RATE, note=comment, internal=False, data={"satisfaction": rating.value})
    case.satisfaction = rating
    if rating == Satisfaction.UNSATISFIED:
        reopen_at_desk(session, policy, case, actor, comment or "The citizen is not satisfied.")


def reopen_at_desk(session: Session, policy: Policy, case: Case, actor: Actor, reason: str) -> None:
    """A case the desk closed goes back to the desk, registered, to be dispatched to a unit this time."""
    step(session, case, actor, Action.REOPEN_AT_DESK, note=require_text(reason, N_("A reason is required.")),
         internal=False)
    move_clock(session, case, actor, policy.calendar.add_working_days(policy.today(), policy.dispatch_days),
                texts.text(N_("reopened at the desk: dispatch to a unit")))


def collect_rating(session: Session, policy: Policy, case: Case, actor: Actor, satisfaction: str,
                   comment: str = "") -> None:
    """The citizen's rating, whichever way the case was answered: closes a replied case, rates a closed one."""
    if case.status == Status.CLOSED:
        rate(session, policy, case, actor, satisfaction, comment)
    else:
        close(session, policy, case, actor, satisfaction, comment)


def mark_invalid(session: Session, policy: Policy, case: Case, actor: Actor, reason: str) -> None:
    """Spam or abuse: the case stays on file, out of every work list."""
    step(session, case, actor, Action.MARK_INVALID, note=require_text(reason, N_("A reason is required.")))
    case.due_date, case.due_at = None, None


def merge(session: Session, policy: Policy, duplicate: Case, main: Case, actor: Actor, note: str = "") -> None:
    """Fold a duplicate into a main case; its letters stay where they are and the main case's timeline says so."""
    if duplicate.id == main.id:
        raise ValidationError(N_("A case cannot be merged into itself."))
    if main.status in {Status.MERGED, Status.INVALID}:
        raise ValidationError(N_("The main case is itself merged or invalid."))
    # The status comes with the step; the deadline is kept here so that an undo (cases.merging) restores it.
    step(session, duplicate, actor, Action.MERGE, note=note, data={
        "into": main.number, "due_date": duplicate.due_date.isoformat() if duplicate.due_date else None,
        "due_at": duplicate.due_at.isoformat() if duplicate.due_at else None})
    duplicate.merged_into_id = main.id
    duplicate.due_date, duplicate.due_at = None, None
    events.record(session, main, actor, "merged_in", note=note, data={"duplicate": duplicate.number})
    outbox.enqueue(session, outbox.INDEX_CASE, str(main.id))


def request_extension(session: Session, policy: Policy, case: Case, actor: Actor, days: int, reason: str) -> None:
    if not 1 <= days <= policy.max_extension_days:
        raise ValidationError(N_("An extension is 1 to %(days)s working days."), days=policy.max_extension_days)
    if case.extension_requested_days:
        raise ValidationError(N_("An extension request is already waiting for approval."))
    step(session, case, actor, Action.REQUEST_EXTENSION, note=require_text(reason, N_("A reason is required.")),
         data={"days": days})
    case.extension_requested_days = days
    case.extension_reason = reason.strip()


def decide_extension(session: Session, policy: Policy, case: Case, actor: Actor, approve: bool, note: str = "") -> None:
    """A supervisor approves (the clock moves by the requested working days) or rejects the request."""
    days = case.extension_requested_days
    if not days:
        raise ValidationError(N_("There is no extension request on this case."))
    step(session, case, actor, Action.APPROVE_EXTENSION if approve else Action.REJECT_EXTENSION, note=note,
          data={"days": days})
    case.extension_requested_days = None
    if approve:
        base = case.due_date or policy.today()
        move_clock(session, case, actor, policy.calendar.add_working_days(base, days),
                    texts.text(N_("extension of %(days)s working days from %(day)s approved"), days=days,
                               day=base.isoformat()), policy)


def find_case(session: Session, number: str) -> Case:
    """The case with this number, unscoped (for the system and the desk); see ``queries`` for scoped access."""
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise NotFound(N_("No such case."))
    return case
