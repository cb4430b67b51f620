"""The letter form's Core path (``intake.open_new_case``): the rows ``intake.receive`` writes for a new case,
numbers without gaps or repeats, on SQLite and PostgreSQL (one statement there)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from cases import intake
from cases.context import CITIZEN
from cases.drafts import AttachmentDraft, Channel, LetterDraft
from cases.models import Attachment, Case, CaseSequence, Citizen, Event, Letter, OutboxItem
from tests.test_web_flow import PNG

# Columns that differ between two registrations of the same draft by nature: ids, clock readings, random codes.
VARYING = {"id", "case_id", "citizen_id", "letter_id", "key", "number", "created_at", "updated_at", "at",
           "tracking_code"}
TABLES = (Citizen, Case, Letter, Event, Attachment, OutboxItem)


def _draft(subject: str, **over: object) -> LetterDraft:
    values = dict(channel=Channel.WEB, subject=subject, body="The street light on Elm Street is out. 路灯坏了。",
                  sender_name="Ana Ruiz", sender_email="Ana@Example.org", sender_phone="+86 138 0000 0000",
                  preferred_reply="email", kind="report", consent_to_publish=True, raw_sha256="a" * 64,
                  received_at=datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc))
    values.update(over)
    return LetterDraft(**values)  # type: ignore[arg-type]


def _rows(session, case_id: int) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    case = session.get(Case, case_id)
    wanted = {Citizen: Citizen.id == case.citizen_id, Case: Case.id == case_id, Letter: Letter.case_id == case_id,
              Event: Event.case_id == case_id, Attachment: Attachment.case_id == case_id,
              OutboxItem: OutboxItem.key == str(case_id)}
    return {model.__tablename__: [{k: v for k, v in row._mapping.items() if k not in VARYING}
                                  for row in session.execute(select(model.__table__).where(wanted[model]))]
            for model in TABLES}


def test_the_core_path_writes_the_rows_receive_writes(domain) -> None:  # type: ignore[no-untyped-def]
    for digit, files in (("b", []), ("c", [AttachmentDraft("photo.png", PNG)])):
        def draft_for(subject: str) -> LetterDraft:
            return _draft(subject, raw_sha256=digit * 64, attachments=files)

        with domain.sessions() as s:
            by_orm = intake.receive(s, domain.policy, draft_for("Street light"), actor=CITIZEN).case
            by_core = intake.open_new_case(s, domain.policy, draft_for("Street light"), actor=CITIZEN)
            s.commit()
            orm_rows, core_rows = _rows(s, by_orm.id), _rows(s, by_core.id)
            assert core_rows == orm_rows
            assert core_rows["letter"] and core_rows["event"] and core_rows["outbox"]
            stored = s.get(Case, by_core.id)
            assert (stored.number, stored.tracking_code) == (by_core.number, by_core.tracking_code)
            assert s.get(Case, by_orm.id).number < by_core.number


def test_numbers_start_the_year_continue_and_are_given_back_on_rollback(domain) -> None:  # type: ignore[no-untyped-def]
    when = datetime(2031, 6, 1, 4, 0, tzinfo=timezone.utc)  # a year no demo case has
    with domain.sessions() as s:
        assert s.get(CaseSequence, 2031) is None
        first = intake.open_new_case(s, domain.policy, _draft("First", received_at=when))
        s.commit()
    with domain.sessions() as s:
        intake.open_new_case(s, domain.policy, _draft("Rolled back", received_at=when))
        s.rollback()
    with domain.sessions() as s:
        second = intake.open_new_case(s, domain.policy, _draft("Second", received_at=when))
        s.commit()
        assert (first.number, second.number) == ("2031-000001", "2031-000002")
        assert s.scalars(select(Case.subject).where(Case.number.like("2031-%")).order_by(Case.number)).all() == [
            "First", "Second"]
