"""The lists whose rows are a working set (the overdue cases, a unit's co-handling and passed-down parts) and the
count over a unit's subtree, on SQLite and PostgreSQL: walking the pages gives exactly the cases the list and
the unit rule allow, newest first, and the count matches; on SQLite the plans start from the working set's
index, not from a walk of every case newest first."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.orm import Session

from cases import intake, keyset, queries
from cases.actors import Actor
from cases.drafts import Channel, LetterDraft
from cases.models import Case, Unit
from cases.models_levels import CO, SUB, Assignment
from cases.queries import CaseFilter
from cases.workflow import Status
from tests.helpers.sqlite_plans import last_page_plan, plan_engine
from tests.helpers.unit_trees import district_tree


def _cases(session: Any, policy: Any, count: int) -> list[int]:
    moment = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)
    for n in range(count):
        intake.receive(session, policy, LetterDraft(
            channel=Channel.WEB, subject=f"Letter {n}", body="Hello.", kind="report", sender_name="Ana Ruiz",
            sender_email="ana@example.org", received_at=moment - timedelta(minutes=n // 3)))  # ties of three
    return list(session.scalars(select(Case.id).order_by(Case.id)))


def _walk(fetch: Any) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        found = fetch(cursor)
        seen.extend(c.id for c in found.rows)
        cursor = found.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the pages never end")


def _newest_first(session: Any, ids: set[int]) -> list[int]:
    return [c.id for c in session.scalars(select(Case).order_by(Case.received_at.desc(), Case.id.desc()))
            if c.id in ids]


def _part(session: Any, case_id: int, unit_id: int, role: str, active: bool = True) -> None:
    session.add(Assignment(case_id=case_id, unit_id=unit_id, role=role, active=active, due_date=date(2026, 5, 9)))


def _page(session: Any, actor: Actor, flt: CaseFilter, today: date, size: int = 3) -> Any:
    return lambda cursor: queries.case_page(session, actor, flt, today=today, cursor=cursor, per_page=size)


def test_the_overdue_list_gives_every_overdue_case_the_unit_may_see(domain: Any) -> None:
    """Overdue: on a clock (desk or unit) and due before today. Not a case due today, not one answered or closed
    past its date, not one of a unit beside the handler's."""
    today = date(2026, 5, 10)
    with domain.sessions() as s:
        ids = _cases(s, domain.policy, 24)
        district, street, _other, beside = district_tree(s)
        statuses = [Status.DISPATCHED, Status.ACCEPTED, Status.REGISTERED, Status.RETURNED, Status.ANSWERED,
                    Status.CLOSED]
        holders = [district.id, street.id, beside.id, None]
        for n, case_id in enumerate(ids):
            due = today - timedelta(days=1) if n % 5 else today  # every fifth is due today: not overdue yet
            s.execute(update(Case).where(Case.id == case_id).values(
                status=statuses[n % len(statuses)], due_date=None if n == 7 else due, unit_id=holders[n % 4]))
        _part(s, ids[2], street.id, CO)  # a case led beside the district, co-handled below it
        s.commit()
        cases = {c.id: c for c in s.scalars(select(Case))}
        overdue = {i for i, c in cases.items() if queries.is_overdue(c, today)}
        assert 6 < len(overdue) < len(ids)
        clerk = Actor(user_id=None, role="clerk")
        assert _walk(_page(s, clerk, CaseFilter(overdue_only=True), today)) == _newest_first(s, overdue)
        handler = Actor(user_id=None, role="unit", unit_id=district.id)
        seen = {i for i in overdue if cases[i].unit_id in (district.id, street.id) or i == ids[2]}
        assert ids[2] in seen and len(seen) < len(overdue)
        assert _walk(_page(s, handler, CaseFilter(overdue_only=True), today)) == _newest_first(s, seen)
        first = queries.case_page(s, handler, CaseFilter(overdue_only=True), today=today, per_page=3)
        assert first.count == len(seen)


@pytest.mark.parametrize("role", [CO, SUB])
def test_a_units_parts_queue_is_its_own_active_parts_of_that_role(domain: Any, role: str) -> None:
    """A unit's co-handling (or passed-down) queue: the cases where it holds an active part of that role, whoever
    leads them (no unit at all included), never another unit's parts (not even a unit below it), an inactive part
    or a part of the other role."""
    today = date(2026, 5, 10)
    other = SUB if role == CO else CO
    with domain.sessions() as s:
        ids = _cases(s, domain.policy, 21)
        district, street, other_street, beside = district_tree(s)
        for n, case_id in enumerate(ids):
            s.execute(update(Case).where(Case.id == case_id).values(
                unit_id=[beside.id, district.id, None, street.id][n % 4], status=Status.ACCEPTED))
        held = set(ids[0:12:2]) | {ids[13]}
        for case_id in held:
            _part(s, case_id, district.id, role)
        _part(s, ids[1], district.id, role, active=False)
        _part(s, ids[3], district.id, other)
        _part(s, ids[5], street.id, role)
        _part(s, ids[7], beside.id, role)
        _part(s, ids[9], other_street.id, role)
        s.commit()
        handler = Actor(user_id=None, role="unit", unit_id=district.id)
        flt = CaseFilter(holding=role)
        assert _walk(_page(s, handler, flt, today)) == _newest_first(s, held)
        assert queries.case_page(s, handler, flt, today=today, per_page=3).count == len(held)
        narrowed = CaseFilter(holding=role, statuses=(Status.ACCEPTED,))
        s.execute(update(Case).where(Case.id == ids[4]).values(status=Status.ANSWERED))
        assert _walk(_page(s, handler, narrowed, today)) == _newest_first(s, held - {ids[4]})
        street_handler = Actor(user_id=None, role="unit", unit_id=street.id)
        assert _walk(_page(s, street_handler, flt, today)) == [ids[5]]
        lone = Actor(user_id=None, role="unit", unit_id=other_street.id)
        assert _walk(_page(s, lone, flt, today)) == [ids[9]]
        assert _walk(_page(s, lone, CaseFilter(holding=other), today)) == []


def test_the_count_over_a_subtree_counts_each_case_once(domain: Any, monkeypatch: Any) -> None:
    """The count of a unit above others adds what each branch adds to the ones before it: a case led by one
    street office and held by a part of another, or led by nobody and held by a part, counts once; the cap
    holds across branches."""
    today = date(2026, 5, 10)
    with domain.sessions() as s:
        ids = _cases(s, domain.policy, 18)
        district, street, other_street, beside = district_tree(s)
        for n, case_id in enumerate(ids):
            s.execute(update(Case).where(Case.id == case_id).values(
                unit_id=[street.id, other_street.id, beside.id, None, district.id][n % 5]))
        for case_id in ids[:6]:  # led by each kind of unit, and by none
            _part(s, case_id, other_street.id, CO)
        s.commit()
        handler = Actor(user_id=None, role="unit", unit_id=district.id)
        seen = {c.id for c in s.scalars(select(Case)) if c.unit_id in (district.id, street.id, other_street.id)}
        seen |= set(ids[:6])
        assert len(seen) < len(ids)
        assert _walk(_page(s, handler, CaseFilter(), today)) == _newest_first(s, seen)
        assert queries.case_page(s, handler, CaseFilter(), today=today).count == len(seen)
        monkeypatch.setattr(keyset, "COUNT_CAP", len(seen) - 2)
        capped = queries.case_page(s, handler, CaseFilter(), today=today)
        assert capped.count == len(seen) - 2 and capped.more
        monkeypatch.setattr(keyset, "COUNT_CAP", len(seen))
        exact = queries.case_page(s, handler, CaseFilter(), today=today)
        assert exact.count == len(seen) and not exact.more


# sqlite_stat1 as ANALYZE writes it for a year of a million cases, 30% of them on a clock: SQLite plans from these
# figures (without them it takes an equality on an indexed column to match ten rows, whatever the table).
MILLION = {"ix_case_file_received_at": "1000000 1", "ix_case_file_status_received": "1000000 100000 1",
           "ix_case_file_status": "1000000 100000", "ix_case_file_unit_received": "1000000 150000 1",
           "ix_case_file_clock_received": "300000 1 1 1", "ix_case_file_unit_status_received": "1000000 150000 15000 1"}


def _plan(tmp_path: Any, migrated_sqlite: Any, actor_of: Any, flt: CaseFilter) -> str:
    """The SQLite plan of the page statement of ``flt`` on a migrated database with a few units and parts,
    planned with the statistics of a million cases."""
    engine = plan_engine(migrated_sqlite, tmp_path)
    with Session(engine) as s:
        unit = Unit(name="A unit", kind="department")
        s.add(unit)
        s.flush()
        s.execute(insert(Case), [{"id": n, "number": f"2026-{n:06d}", "tracking_code": f"T{n}", "kind": "report",
                                  "subject": "x", "status": "accepted", "channel": "web", "unit_id": unit.id,
                                  "received_at": datetime(2026, 5, 1, tzinfo=timezone.utc)} for n in (1, 2)])
        _part(s, 1, unit.id, CO)
        s.commit()
        s.execute(text("ANALYZE"))
        s.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = 'case_file'"))
        for index, stat in MILLION.items():
            s.execute(text("INSERT INTO sqlite_stat1 VALUES ('case_file', :index, :stat)"),
                      {"index": index, "stat": stat})
        s.execute(text("ANALYZE sqlite_schema"))  # read the figures again
        plan = last_page_plan(engine, s, lambda: queries.case_page(
            s, actor_of(unit.id), flt, today=date(2026, 5, 10),
            cursor=keyset.cursor_of(datetime(2026, 5, 2, tzinfo=timezone.utc), 10)))
    engine.dispose()
    return plan


def test_the_overdue_page_reads_the_index_of_the_cases_on_a_clock(tmp_path: Any, migrated_sqlite: Any) -> None:
    """The overdue list walks the small partial index of the cases on a clock, its due date checked in the index,
    not every case newest first."""
    plan = _plan(tmp_path, migrated_sqlite, lambda _unit: Actor(user_id=None, role="clerk"),
                 CaseFilter(overdue_only=True))
    assert "USING INDEX ix_case_file_clock_received" in plan, plan
    assert "ix_case_file_received_at" not in plan, plan


def test_a_units_new_cases_are_a_range_of_its_status_index(tmp_path: Any, migrated_sqlite: Any) -> None:
    """A unit's new cases (dispatched to it) read the range of (unit, status) newest first, not every case the unit
    leads tested for its status (nor, for the count, every case of the unit until a thousand match)."""
    plan = _plan(tmp_path, migrated_sqlite, lambda unit: Actor(user_id=None, role="unit", unit_id=unit),
                 CaseFilter(statuses=(Status.DISPATCHED,), holding="lead"))
    assert "ix_case_file_unit_status_received (unit_id=? AND status=? AND received_at<?)" in plan, plan


def test_a_units_answered_cases_are_read_status_by_status(tmp_path: Any, migrated_sqlite: Any) -> None:
    """A unit's list of several statuses takes the newest rows of each status's range and merges them: the only
    sort is of those few rows, never of every case of the unit in those statuses."""
    plan = _plan(tmp_path, migrated_sqlite, lambda unit: Actor(user_id=None, role="unit", unit_id=unit),
                 CaseFilter(statuses=(Status.ANSWERED, Status.REPLIED, Status.CLOSED), holding="lead"))
    assert plan.count("ix_case_file_unit_status_received (unit_id=? AND status=? AND received_at<?)") == 3, plan
    assert plan.count("USE TEMP B-TREE FOR ORDER BY") == 1, plan


def test_a_units_list_of_several_statuses_pages_through_them_all(domain: Any) -> None:
    today = date(2026, 5, 10)
    with domain.sessions() as s:
        ids = _cases(s, domain.policy, 20)
        _district, street, _other, beside = district_tree(s)
        statuses = [Status.ANSWERED, Status.REPLIED, Status.CLOSED, Status.ACCEPTED]
        for n, case_id in enumerate(ids):
            s.execute(update(Case).where(Case.id == case_id).values(
                status=statuses[n % 4], unit_id=street.id if n % 5 else beside.id))
        _part(s, ids[5], street.id, CO)  # held through a part, led beside: not the unit's own
        s.commit()
        wanted = (Status.ANSWERED, Status.REPLIED, Status.CLOSED)
        expected = {c.id for c in s.scalars(select(Case)) if c.unit_id == street.id and c.status in wanted}
        handler = Actor(user_id=None, role="unit", unit_id=street.id)
        flt = CaseFilter(statuses=wanted, holding="lead")
        assert _walk(_page(s, handler, flt, today)) == _newest_first(s, expected) and len(expected) > 6
        assert queries.case_page(s, handler, flt, today=today).count == len(expected)


def _case_rows_read(session: Any, statements: list[tuple[str, Any]]) -> int:
    """Rows of the case table the statements read on PostgreSQL (returned or filtered out), from their plans."""
    total = 0

    def walk(node: dict[str, Any]) -> None:
        nonlocal total
        if node.get("Relation Name") == "case_file":
            kept = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
            total += kept * node["Actual Loops"]
        for child in node.get("Plans", []):
            walk(child)

    raw = session.connection().connection.dbapi_connection
    for statement, parameters in statements:
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            walk(cursor.fetchone()[0][0]["Plan"])
    return total


def test_the_co_handling_page_reads_the_parts_not_the_units_cases(domain: Any) -> None:
    """A unit leading many cases with a few co-handling parts: its co-handling page (and count) read those parts'
    cases, not every case it leads newest first tested against its parts. PostgreSQL's planner is told to avoid
    sequential scans, as it would on a table of a million cases; on SQLite the plan is read."""
    today = date(2026, 5, 10)
    with domain.sessions() as s:
        unit, beside = Unit(name="A unit", kind="department"), Unit(name="Beside", kind="department")
        s.add_all([unit, beside])
        s.flush()
        moment = datetime(2026, 5, 1, tzinfo=timezone.utc)
        s.execute(insert(Case), [{"id": n, "number": f"2026-{n:06d}", "tracking_code": f"T{n}", "kind": "report",
                                  "subject": "x", "status": "accepted", "channel": "web",
                                  "unit_id": unit.id if n > 90003 else beside.id,
                                  "received_at": moment - timedelta(minutes=n)} for n in range(90001, 90301)])
        for case_id in (90001, 90002, 90003):
            _part(s, case_id, unit.id, CO)
        s.commit()
        postgres = s.get_bind().dialect.name == "postgresql"
        s.execute(text("ANALYZE"))
        if postgres:
            s.execute(text("SET enable_seqscan = off"))
        statements: list[tuple[str, Any]] = []
        engine = s.get_bind()

        def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: Any) -> None:
            if "case_file" in statement and "FROM case_assignment" not in statement.split("FROM", 2)[1][:40]:
                statements.append((statement, parameters))

        actor = Actor(user_id=None, role="unit", unit_id=unit.id)
        event.listen(engine, "before_cursor_execute", note)
        page = queries.case_page(s, actor, CaseFilter(holding=CO), today=today, per_page=2)
        event.remove(engine, "before_cursor_execute", note)
        assert [c.id for c in page.rows] == [90001, 90002] and page.count == 3
        if postgres:
            assert _case_rows_read(s, statements) < 30
        else:
            plans = [" ".join(str(row[-1]) for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + st, p))
                     for st, p in statements]
            assert not any("ix_case_file_unit_received" in plan for plan in plans), plans
