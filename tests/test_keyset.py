"""Keyset pages of the case lists and the public archive, on SQLite and PostgreSQL: walking the pages gives every
row once, newest first, ties on the same moment included; a unit sees only its cases on every page; a cursor
that does not parse gives the first page, never an error."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases import intake, keyset, queries
from cases.actors import Actor
from cases.drafts import Channel, LetterDraft
from cases.models import Case, Unit, User
from cases.models_levels import CO, Assignment
from cases.queries import CaseFilter
from cases.workflow import Status
from tests.helpers.sqlite_plans import last_page_plan, plan_engine
from tests.helpers.unit_trees import district_tree


def _cases(session: Any, policy: Any, count: int) -> None:
    moment = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)
    for n in range(count):
        draft = LetterDraft(channel=Channel.WEB, subject=f"Letter {n}", body="Hello.", kind="report",
                            sender_name="Ana Ruiz", sender_email="ana@example.org",
                            received_at=moment - timedelta(minutes=n // 3))  # three letters share each minute
        intake.receive(session, policy, draft)


def _walk(fetch: Any) -> list[Any]:
    seen, cursor = [], None
    for _ in range(100):
        found = fetch(cursor)
        seen.extend(found.rows)
        cursor = found.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the pages never end")


def test_walking_the_pages_gives_every_case_once_newest_first(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        _cases(s, policy, 23)
        s.commit()
        clerk = Actor(user_id=None, role="clerk")
        expected = list(s.scalars(select(Case.id).order_by(Case.received_at.desc(), Case.id.desc())))
        rows = _walk(lambda cursor: queries.case_page(s, clerk, CaseFilter(), today=policy.today(),
                                                      cursor=cursor, per_page=4))
        assert [c.id for c in rows] == expected
        first = queries.case_page(s, clerk, CaseFilter(), today=policy.today(), per_page=4)
        assert first.count == len(expected) and not first.more
        for garbage in ("", "x", "2026-13-01T00:00:00~1", "2026-05-01T08:00:00~-4", "~", "9" * 200,
                        "2026-05-01T08:00:00~99999999999999999999999"):
            again = queries.case_page(s, clerk, CaseFilter(), today=policy.today(), cursor=garbage, per_page=4)
            assert [c.id for c in again.rows] == [c.id for c in first.rows]


def test_a_unit_walks_only_its_own_cases(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        _cases(s, policy, 12)
        transport = s.scalar(select(Unit).where(Unit.name == "Transport Bureau"))
        ids = list(s.scalars(select(Case.id).order_by(Case.id)))
        s.execute(update(Case).where(Case.id.in_(ids[::2])).values(unit_id=transport.id))
        s.commit()
        handler = s.scalar(select(User).where(User.username == "transport"))
        actor = Actor(user_id=handler.id, role="unit", unit_id=transport.id)
        rows = _walk(lambda cursor: queries.case_page(s, actor, CaseFilter(), today=policy.today(),
                                                      cursor=cursor, per_page=3))
        assert rows and {c.unit_id for c in rows} == {transport.id}
        assert len(rows) == s.query(Case).filter(Case.unit_id == transport.id).count()


def test_a_unit_with_sub_units_walks_its_subtree_and_parts_newest_first(domain: Any) -> None:
    """The page of a unit above others is taken from the newest cases of each unit and of its parts: walking it
    gives exactly the cases the unit rule allows, in order, with ties and filters, as one query over them would."""
    policy = domain.policy
    with domain.sessions() as s:
        _cases(s, policy, 30)
        district, street, other_street, beside = district_tree(s)
        ids = list(s.scalars(select(Case.id).order_by(Case.id)))
        holders = [district.id, street.id, other_street.id, beside.id, None]
        for n, case_id in enumerate(ids):
            s.execute(update(Case).where(Case.id == case_id).values(unit_id=holders[n // 4 % len(holders)],
                                                                    status="accepted" if n % 3 else "registered"))
        held = [case_id for n, case_id in enumerate(ids) if n // 4 % len(holders) == 3][:3]
        s.add_all([Assignment(case_id=case_id, unit_id=street.id, role=CO, from_unit_id=beside.id, active=n != 2,
                              due_date=policy.today()) for n, case_id in enumerate(held)])
        s.commit()
        actor = Actor(user_id=None, role="unit", unit_id=district.id)
        units, parts = queries.scope_branches(s, actor) or []
        assert isinstance(units, keyset.Each) and len(units.parts) == 3 and isinstance(parts, keyset.Listed)
        visible = {district.id, street.id, other_street.id}
        for flt, wanted in ((CaseFilter(), lambda c: True),
                            (CaseFilter(statuses=(Status.ACCEPTED,)), lambda c: c.status == Status.ACCEPTED)):
            expected = [c.id for c in s.scalars(select(Case).order_by(Case.received_at.desc(), Case.id.desc()))
                        if (c.unit_id in visible or c.id in held[:2]) and wanted(c)]
            rows = _walk(lambda cursor: queries.case_page(s, actor, flt, today=policy.today(), cursor=cursor,
                                                          per_page=3))
            assert [c.id for c in rows] == expected and len(expected) > 6
            assert queries.case_page(s, actor, flt, today=policy.today(), per_page=3).count == len(expected)


def test_counts_stop_at_the_cap(domain: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(keyset, "COUNT_CAP", 5)
    with domain.sessions() as s:
        _cases(s, domain.policy, 7)
        s.commit()
        found = queries.case_page(s, Actor(user_id=None, role="clerk"), CaseFilter(), today=domain.policy.today(),
                                  per_page=2)
        assert found.count == 5 and found.more


def test_the_supervisors_list_pages_through_older_links(app: Any, client: Any, demo_data: Any) -> None:
    """The page links carry the cursor and the filter; following them reaches every case once."""
    import re

    from tests.conftest import login
    from web.app_state import state

    with state(app).sessions() as s:
        _cases(s, state(app).policy, 60)
        s.commit()
        total = s.query(Case).count()
    login(client, "supervisor")
    seen: list[str] = []
    url = "/supervisor/?q=Letter"
    for _ in range(10):
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'href="/cases/([0-9-]+)"', html)
        older = re.search(r'href="([^"]*before=[^"]*)"[^>]*>[^<]*Older', html)
        if older is None:
            break
        url = older.group(1).replace("&amp;", "&")
        assert "q=Letter" in url
    assert len(seen) == len(set(seen)) == 60 and total >= 60
    bad = client.get("/supervisor/?before=not-a-cursor")
    assert bad.status_code == 200


def test_the_export_reads_every_case_in_batches(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        _cases(s, policy, 11)
        s.commit()
        clerk = Actor(user_id=None, role="clerk")
        numbers = [row[0] for row in queries.export_rows(s, clerk, CaseFilter(), today=policy.today(), batch=4)]
        expected = list(s.scalars(select(Case.number).order_by(Case.received_at.desc(), Case.id.desc())))
        assert numbers == expected


def test_the_supervisors_export_streams_csv_and_xlsx(app: Any, client: Any, demo_data: Any) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    from tests.conftest import login
    from web.app_state import state

    with state(app).sessions() as s:
        _cases(s, state(app).policy, 7)
        s.execute(update(Case).where(Case.subject == "Letter 3").values(subject="=HYPERLINK(\"x\")"))
        s.commit()
    login(client, "supervisor")
    response = client.get("/supervisor/cases.csv?q=Letter")
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == list(queries.EXPORT_COLUMNS) and len(rows) == 1 + 6
    response = client.get("/supervisor/cases.xlsx")
    assert response.status_code == 200 and response.is_streamed
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert list(values[0]) == list(queries.EXPORT_COLUMNS)
    assert "'=HYPERLINK(\"x\")" in {row[-1] for row in values[1:]}  # a formula stays text
    login(client, "clerk")
    assert client.get("/supervisor/cases.csv").status_code in (302, 403, 404)  # a clerk gets no export


@pytest.mark.parametrize(("flt", "expected"), [
    (CaseFilter(), "SEARCH case_file USING INDEX ix_case_file_received_at (received_at<?)"),
    (CaseFilter(extension_pending=True), "USING INDEX ix_case_file_extension_received (received_at<?)"),
])
def test_a_page_reads_its_index_from_the_cursor(tmp_path: Any, migrated_sqlite: Any, flt: CaseFilter,
                                                expected: str) -> None:
    """The page after a cursor is an index range from the cursor's time, not a walk over every newer row that
    filters them out (which costs as much as an OFFSET, growing with the depth); the extension requests read the
    small index of the cases waiting for a decision, not every case."""
    engine = plan_engine(migrated_sqlite, tmp_path)
    with Session(engine) as s:
        plan = last_page_plan(engine, s, lambda: queries.case_page(
            s, Actor(user_id=None, role="clerk"), flt, today=datetime.now().date(),
            cursor=keyset.cursor_of(datetime(2026, 5, 1, tzinfo=timezone.utc), 10)))
    engine.dispose()
    assert expected in plan, plan
