"""SMS with citizens, the domain side: message length and cost, outbound messages queued exactly once through
the outbox, and inbound messages turned into letters (a new case or a follow-up), survey answers or opt-outs.

The gateway (Kannel) is reached by the worker (``web/sms``); this module only decides and records.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cases import intake, outbox, services
from cases.actors import CITIZEN
from cases.policy import Policy
from cases.drafts import Channel, LetterDraft
from cases.errors import N_, ValidationError
from cases.models import Case, Satisfaction, utcnow
from cases.models_sms import SmsMessage, SmsOptOut
from cases.workflow import OPEN_STATUSES, Status

SEND_SMS = outbox.SEND_SMS
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
                "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")  # two septets each
STOP_WORDS = {"STOP", "UNSUBSCRIBE", "TD", "退订", "BAJA"}
START_WORDS = {"START", "订阅", "ALTA"}
SURVEY_ANSWERS = {"1": Satisfaction.SATISFIED, "2": Satisfaction.BASICALLY, "3": Satisfaction.UNSATISFIED}


@dataclass(frozen=True)
class SmsSettings:
    """What configuration decides about SMS (``SMS_*`` settings)."""

    enabled: bool = False
    max_segments: int = 6
    per_number_per_hour: int = 5  # outbound messages to one number; more wait for the next hour
    inbound_per_number_per_hour: int = 20  # inbound from one number; more are kept but open no case
    follow_up_days: int = 30  # an SMS from a number we wrote to about an open case within this many days answers it
    public_url: str = ""  # the tracking page's base URL, written into messages


def encoding(text: str) -> str:
    """``gsm`` when every character is in the GSM 03.38 alphabet (7-bit), else ``ucs2``."""
    return "gsm" if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text) else "ucs2"


def segments(text: str) -> tuple[str, int]:
    """The encoding and how many billed segments ``text`` takes: GSM 160 characters alone or 153 per part of a
    concatenated message (extended characters count twice); UCS-2 70 alone or 67 per part (UTF-16 units)."""
    enc = encoding(text)
    if enc == "gsm":
        units, single, part = sum(2 if c in GSM_EXTENDED else 1 for c in text), 160, 153
    else:
        units, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return enc, 1 if units <= single else math.ceil(units / part)


def clip(text: str, max_segments: int) -> str:
    """``text`` shortened (with an ellipsis) to fit ``max_segments``."""
    if segments(text)[1] <= max_segments:
        return text
    while text and segments(text + "…")[1] > max_segments:
        text = text[:-1]
    return text + "…"


_NUMBER = re.compile(r"^\+?\d{5,20}$")


def normalise_number(raw: str) -> str:
    """A phone number as digits with an optional leading +; raises ``ValidationError`` for anything else."""
    number = re.sub(r"[\s\-().]", "", raw or "")
    if not _NUMBER.match(number):
        raise ValidationError(N_("Not a phone number."))
    return number


def opted_out(session: Session, number: str) -> bool:
    return session.get(SmsOptOut, number) is not None


def queue(session: Session, settings: SmsSettings, *, number: str, text: str, purpose: str, key: str,
          case_id: int | None = None) -> SmsMessage | None:
    """Queue one outbound message, once per ``key`` (e.g. ``acknowledgement:<case>``); returns it, or ``None``
    when that key was queued before. A number that opted out gets a row saying so and nothing is sent."""
    if session.scalar(select(SmsMessage.id).where(SmsMessage.key == key)) is not None:
        return None
    text = clip(text, settings.max_segments)
    enc, count = segments(text)
    message = SmsMessage(direction="out", key=key, number=normalise_number(number), text=text, purpose=purpose,
                         case_id=case_id, encoding=enc, segments=count, status="queued")
    if opted_out(session, message.number):
        message.status = "opted_out"
    session.add(message)
    session.flush()
    if message.status == "queued":
        outbox.enqueue(session, SEND_SMS, str(message.id), fresh=True)
    return message


def sent_in_last_hour(session: Session, number: str, now: datetime) -> int:
    """Outbound messages that left for ``number`` in the hour before ``now`` (the per-number rate limit)."""
    return session.scalar(select(func.count(SmsMessage.id)).where(
        SmsMessage.number == number, SmsMessage.direction == "out", SmsMessage.sent_at > now - timedelta(hours=1))) or 0


def case_messages(session: Session, case_id: int) -> list[SmsMessage]:
    """The text messages to and from the citizen of a case, oldest first (the case page shows them to the desk)."""
    return list(session.scalars(select(SmsMessage).where(SmsMessage.case_id == case_id).order_by(SmsMessage.id)))


def _zh(case: Case) -> bool:
    body = case.letters[0].body if case.letters else case.subject
    return any("\u4e00" <= c <= "\u9fff" for c in body)


def _track_url(settings: SmsSettings, case: Case) -> str:
    return f"{settings.public_url.rstrip('/')}/track?number={case.number}"


def acknowledge(session: Session, settings: SmsSettings, case: Case) -> SmsMessage | None:
    """The acknowledgement of a new case: its number and secret tracking code."""
    if _zh(case):
        text = f"您的来信已受理，案件编号{case.number}，查询码{case.tracking_code}。查询：{_track_url(settings, case)}"
    else:
        text = (f"Your letter is case {case.number}, tracking code {case.tracking_code}. "
                f"Follow it at {_track_url(settings, case)}")
    return queue(session, settings, number=case.citizen.phone, text=text, purpose="acknowledgement",
                 key=f"acknowledgement:{case.id}", case_id=case.id)


def reply_released(session: Session, settings: SmsSettings, case: Case, reply_id: int) -> None:
    """A reply went out on a case that came by SMS: tell the citizen it arrived, and ask how satisfied they are."""
    if case.channel != Channel.SMS or not (case.citizen and case.citizen.phone):
        return
    if _zh(case):
        notice = f"您的案件{case.number}已有答复，请凭查询码查看：{_track_url(settings, case)}"
    else:
        notice = f"There is a reply on your case {case.number}; read it with your tracking code at " \
                 f"{_track_url(settings, case)}"
    queue(session, settings, number=case.citizen.phone, text=notice, purpose="reply_notice",
          key=f"reply_notice:{reply_id}", case_id=case.id)
    survey(session, settings, case, reply_id)


def survey(session: Session, settings: SmsSettings, case: Case, reply_id: int) -> SmsMessage | None:
    """The satisfaction survey: answered with 1, 2 or 3."""
    if _zh(case):
        text = f"您对案件{case.number}的办理是否满意？请回复：1 满意，2 基本满意，3 不满意。回复TD退订。"
    else:
        text = f"Are you satisfied with how case {case.number} was handled? Reply 1 satisfied, 2 basically " \
               "satisfied, 3 not satisfied. Reply STOP to opt out."
    return queue(session, settings, number=case.citizen.phone, text=text, purpose="survey",
                 key=f"survey:{reply_id}", case_id=case.id)


def _open_survey(session: Session, number: str) -> Case | None:
    """The replied case whose survey went to ``number`` most recently, if it still waits for a rating."""
    case_id = session.scalar(select(SmsMessage.case_id).where(
        SmsMessage.number == number, SmsMessage.direction == "out", SmsMessage.purpose == "survey")
        .order_by(SmsMessage.id.desc()).limit(1))
    case = session.get(Case, case_id) if case_id else None
    return case if case is not None and case.status == Status.REPLIED else None


def _answered_case(session: Session, settings: SmsSettings, number: str, now: datetime) -> Case | None:
    """The open case we last wrote to ``number`` about, within ``follow_up_days``: an SMS from it answers it."""
    case_id = session.scalar(select(SmsMessage.case_id).where(
        SmsMessage.number == number, SmsMessage.direction == "out", SmsMessage.case_id.is_not(None),
        SmsMessage.created_at > now - timedelta(days=settings.follow_up_days)).order_by(SmsMessage.id.desc()).limit(1))
    case = session.get(Case, case_id) if case_id else None
    return case if case is not None and case.status in OPEN_STATUSES else None


def receive(session: Session, policy: Policy, settings: SmsSettings, *, message_id: str, number: str, text: str,
            received_at: datetime | None = None) -> SmsMessage:
    """Handle one inbound SMS, once per gateway ``message_id`` (a repeated delivery returns the first record).

    STOP / START switch messages off and on; 1, 2 or 3 answers an open survey (3 reopens the case); anything
    else becomes a letter through the one intake path: a follow-up on the open case we last wrote to this
    number about, or a new case, acknowledged by SMS. Past the per-number hourly limit the message is kept and
    opens nothing. The caller commits."""
    key = f"in:{message_id}"[:100]
    existing = session.scalar(select(SmsMessage).where(SmsMessage.key == key))
    if existing is not None:
        return existing
    number = normalise_number(number)
    now = received_at or utcnow()
    text = (text or "").strip()
    enc, count = segments(text)
    message = SmsMessage(direction="in", key=key, number=number, text=text, encoding=enc, segments=count,
                         status="received", created_at=now)
    session.add(message)
    word = text.upper()
    if word in STOP_WORDS:
        if not opted_out(session, number):
            session.add(SmsOptOut(number=number, at=now))
        message.status = "stop"
        return message
    if word in START_WORDS:
        session.execute(delete(SmsOptOut).where(SmsOptOut.number == number))
        message.status = "start"
        return message
    if word in SURVEY_ANSWERS and (surveyed := _open_survey(session, number)) is not None:
        services.close(session, policy, surveyed, CITIZEN, SURVEY_ANSWERS[word].value, "Answered the SMS survey.")
        message.status, message.case_id = "survey", surveyed.id
        return message
    recent = session.scalar(select(func.count(SmsMessage.id)).where(
        SmsMessage.number == number, SmsMessage.direction == "in", SmsMessage.created_at > now - timedelta(hours=1)))
    if recent > settings.inbound_per_number_per_hour:  # the count includes this message
        message.status = "limited"
        return message
    answered = _answered_case(session, settings, number, now)
    draft = LetterDraft(channel=Channel.SMS, subject=text[:60] or "SMS", body=text, sender_phone=number,
                        preferred_reply="phone", received_at=now, external_id=key,
                        case_token=answered.number if answered else None)
    result = intake.receive(session, policy, draft, dedup_key=key)
    message.case_id = result.case.id if result.case else None
    message.status = "follow_up" if result.outcome == "attached" else result.outcome
    if result.outcome == "new_case" and result.case is not None:
        session.flush()
        acknowledge(session, settings, result.case)
    return message


DLR_DELIVERED, DLR_FAILED, DLR_BUFFERED, DLR_SMSC_ACK, DLR_SMSC_NACK = 1, 2, 4, 8, 16


def record_delivery(session: Session, message_id: int, dlr_type: int, at: datetime | None = None) -> bool:
    """Record a delivery report (Kannel's types: 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMS
    centre, 16 rejected by it); returns whether the message exists. Reports race each other (the centre's
    acceptance may arrive after the handset's report), so each is one conditional UPDATE: an intermediate
    report never overwrites a final state."""
    values: dict[str, object] = {"dlr_status": dlr_type, "dlr_at": at or utcnow()}
    stmt = update(SmsMessage).where(SmsMessage.id == message_id, SmsMessage.direction == "out")
    if dlr_type == DLR_DELIVERED:
        values["status"] = "delivered"
    elif dlr_type in (DLR_FAILED, DLR_SMSC_NACK):
        values["status"] = "failed"
    else:
        stmt = stmt.where(SmsMessage.status.not_in(("delivered", "failed")))
    if session.execute(stmt.values(**values).execution_options(synchronize_session=False)).rowcount:
        return True
    return session.scalar(select(SmsMessage.id).where(SmsMessage.id == message_id,
                                                      SmsMessage.direction == "out")) is not None
