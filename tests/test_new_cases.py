"""The one writer of new cases (``cases.new_cases``): a batch writes what the same drafts write one at a time,
numbers run on without gaps or repeats past any width, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from cases import intake, new_cases
from cases.actors import CITIZEN
from cases.drafts import AttachmentDraft, Channel, LetterDraft
from cases.models import Attachment, Case, CaseSequence, Citizen, Event, Letter, OutboxItem
from cases.numbering import format_case_number
from tests.helpers.web_forms import PNG

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
                                  for row in session.execute(select(model.__table__).where(wanted[model])
                                                             .order_by(model.__table__.c.id))]
            for model in TABLES}


def test_receive_opens_a_new_case_through_the_one_writer(domain) -> None:  # type: ignore[no-untyped-def]
    for digit, files in (("b", []), ("c", [AttachmentDraft("photo.png", PNG)])):
        def draft_for(subject: str) -> LetterDraft:
            return _draft(subject, raw_sha256=digit * 64, attachments=files)

        with domain.sessions() as s:
            by_receive = intake.receive(s, domain.policy, draft_for("Street light"), actor=CITIZEN).case
            opened = new_cases.open_case(s, domain.policy, draft_for("Street light"), actor=CITIZEN)
            s.commit()
            assert _rows(s, opened.id) == _rows(s, by_receive.id)
            rows = _rows(s, opened.id)
            assert rows["letter"] and rows["event"] and rows["outbox"] and len(rows["attachment"]) == len(files)
            stored = s.get(Case, opened.id)
            assert (stored.number, stored.tracking_code) == (opened.number, opened.tracking_code)
            assert by_receive.number < opened.number


def test_numbers_start_the_year_continue_and_are_given_back_on_rollback(domain) -> None:  # type: ignore[no-untyped-def]
    when = datetime(2031, 6, 1, 4, 0, tzinfo=timezone.utc)  # a year no demo case has
    with domain.sessions() as s:
        assert s.get(CaseSequence, 2031) is None
        first = new_cases.open_case(s, domain.policy, _draft("First", received_at=when))
        s.commit()
    with domain.sessions() as s:
        new_cases.open_case(s, domain.policy, _draft("Rolled back", received_at=when))
        s.rollback()
    with domain.sessions() as s:
        second = new_cases.open_case(s, domain.policy, _draft("Second", received_at=when))
        s.commit()
        assert (first.number, second.number) == ("2031-0000001", "2031-0000002")
        assert s.scalars(select(Case.subject).where(Case.number.like("2031-%")).order_by(Case.number)).all() == [
            "First", "Second"]


def test_a_refused_attachment_writes_nothing(domain) -> None:  # type: ignore[no-untyped-def]
    from cases.errors import UploadRejected
    import pytest

    with domain.sessions() as s:
        before = s.scalar(select(CaseSequence.last).where(CaseSequence.year == 2026))
        with pytest.raises(UploadRejected):
            new_cases.open_case(s, domain.policy, _draft("Bad file", attachments=[AttachmentDraft("a.exe", b"MZ" * 50)]),
                                allowed_types=frozenset({"image/png"}))
        assert s.scalar(select(CaseSequence.last).where(CaseSequence.year == 2026)) == before
        assert s.scalar(select(Case.id).where(Case.subject == "Bad file")) is None


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
drafts = st.builds(
    lambda subject, body, name, email, kind, category, channel, urgent, consent, hour, with_file: _draft(
        subject, body=body, sender_name=name, sender_email=email, kind=kind, category=category, channel=channel,
        urgent=urgent, consent_to_publish=consent, raw_sha256=None, preferred_reply="",
        received_at=datetime(2040, 1, 1, hour, tzinfo=timezone.utc),
        attachments=[AttachmentDraft("photo.png", PNG)] if with_file else []),
    texts, texts, texts, st.sampled_from(["", "a@example.org", "B@Example.ORG"]),
    st.sampled_from([None, "report", "complaint", "help"]), st.sampled_from([None, "Transport", "Nope"]),
    st.sampled_from([Channel.WEB, Channel.EMAIL, Channel.PHONE, Channel.PAPER]), st.booleans(), st.booleans(),
    st.integers(0, 23), st.booleans())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(drafts, min_size=1, max_size=5), start=st.sampled_from([0, 999_997, 9_999_998, 12_345_678]))
def test_a_batch_writes_the_rows_of_one_at_a_time_and_numbers_never_truncate(domain, batch, start) -> None:  # type: ignore[no-untyped-def]
    with domain.sessions() as s:
        s.execute(delete(CaseSequence).where(CaseSequence.year == 2040))
        s.execute(insert(CaseSequence).values(year=2040, last=start))
        together = new_cases.open_cases(s, domain.policy, [(d, None) for d in batch], actor=CITIZEN)
        alone = [new_cases.open_case(s, domain.policy, d, actor=CITIZEN) for d in batch]
        numbers = [c.number for c in together + alone]
        assert numbers == [format_case_number(2040, start + i, 7) for i in range(1, 2 * len(batch) + 1)]
        assert [int(n.split("-")[1]) for n in numbers] == list(range(start + 1, start + 2 * len(batch) + 1))
        for first, second in zip(together, alone):
            assert _rows(s, first.id) == _rows(s, second.id)
        s.rollback()
