"""Rebuilding the statistics rollups from the cases, and checking them against a full recount.

The rebuild counts every case again (``cases.rollup_counts``) into ``StatCase`` in slices of case ids, then sums
those into ``StatDay`` and ``StatOpen`` and the days into ``StatMonth``, and counts the return events into
``StatReturn``, all in one transaction: on PostgreSQL it holds the rollup
state row exclusively, so changes committed meanwhile wait for it (``cases.rollups`` takes that row shared), and
none is counted twice or lost. The check recounts everything from the cases and compares, row by row.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, cast, delete, func, insert, select, update
from sqlalchemy.orm import Session

from cases.models import Case
from cases.models_rollups import (KEY, MEASURES, OPEN, StatCase, StatDay, StatMonth, StatOpen, StatReturn,
                                   StatState)
from cases.rollup_counts import contributions, returns as counted_returns
from cases.rollups import OPEN_MEASURES, TOUCHED, _as_date, _split

SLICE = 50_000
Progress = Callable[[int], None]  # called with the number of cases just counted


def _month_of(session: Session, day: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")


def case_count(session: Session) -> int:
    """How many cases a rebuild counts (for a progress bar)."""
    return session.scalar(select(func.count(Case.id))) or 0


def rebuild(session: Session, zone: str, progress: Progress | None = None) -> int:
    """Count every case again into the rollups, with days in ``zone``; returns the number of cases. The caller
    commits."""
    session.flush()
    session.info.pop(TOUCHED, None)  # counted below, whatever this session changed
    state = update(StatState).where(StatState.id == 1).values(zone=zone)
    if session.execute(state).rowcount == 0:
        session.execute(insert(StatState).values(id=1, zone=zone))
    for table in (StatCase, StatDay, StatMonth, StatOpen, StatReturn):
        session.execute(delete(table))
    columns = ["case_id", "day", *KEY, *MEASURES, *OPEN]
    last = 0
    top = session.scalar(select(func.max(Case.id))) or 0
    while last < top:
        upper = last + SLICE
        in_slice = (Case.id > last, Case.id <= upper)
        session.execute(insert(StatCase).from_select(columns, contributions(session, zone).where(*in_slice)))
        if progress is not None:
            progress(session.scalar(select(func.count(Case.id)).where(*in_slice)) or 0)
        last = upper
    sums = [func.sum(StatCase.__table__.c[n]) for n in MEASURES]
    keys = [StatCase.__table__.c[n] for n in KEY]
    session.execute(insert(StatDay).from_select(["day", *KEY, *MEASURES],
                                                select(StatCase.day, *keys, *sums).group_by(StatCase.day, *keys)))
    month = _month_of(session, StatDay.day)
    day_keys = [StatDay.__table__.c[n] for n in KEY]
    session.execute(insert(StatMonth).from_select(
        ["day", *KEY, *MEASURES],
        select(month, *day_keys, *[func.sum(StatDay.__table__.c[n]) for n in MEASURES]).group_by(month, *day_keys)))
    c = StatCase.__table__.c
    session.execute(insert(StatOpen).from_select(
        ["unit_id", "due_date", *OPEN_MEASURES],
        select(c.open_unit, c.open_due, func.count(), func.sum(c.open_supervised), func.sum(c.open_extensions))
        .where(c.open_unit != 0).group_by(c.open_unit, c.open_due)))
    session.execute(insert(StatReturn).from_select(["day", "unit_id", "returns"], counted_returns(session, zone)))
    return session.scalar(select(func.count(StatCase.case_id))) or 0


@dataclass
class CheckResult:
    """What the check found: rows that differ between the rollups and a recount (at most ``LIMIT`` kept each)."""

    zone: str | None
    cases: int = 0
    day_rows: int = 0
    case_differences: list[str] = field(default_factory=list)
    day_differences: list[str] = field(default_factory=list)
    month_differences: list[str] = field(default_factory=list)
    open_differences: list[str] = field(default_factory=list)  # open cases per unit and due date, and returns

    @property
    def ok(self) -> bool:
        return not (self.case_differences or self.day_differences or self.month_differences
                    or self.open_differences)

    def as_dict(self) -> dict[str, Any]:
        return {"zone": self.zone, "cases": self.cases, "day_rows": self.day_rows, "ok": self.ok,
                "case_differences": self.case_differences, "day_differences": self.day_differences,
                "month_differences": self.month_differences, "open_differences": self.open_differences}


LIMIT = 20


def _sum_into(target: dict[tuple, list[int]], key: tuple, measures: tuple[int, ...]) -> None:
    total = target.setdefault(key, [0] * len(measures))
    for i, value in enumerate(measures):
        total[i] += value


def _rows(session: Session, table: Any) -> dict[tuple, tuple[int, ...]]:
    out = {}
    for row in session.execute(select(table.__table__)):
        measures = tuple(int(getattr(row, n)) for n in MEASURES)
        if any(measures):
            out[(_as_date(row.day), *(getattr(row, n) for n in KEY))] = measures
    return out


def _compare(found: dict[tuple, tuple[int, ...]], expected: dict[tuple, list[int]], into: list[str]) -> None:
    for key in sorted(set(found) | set(expected), key=str):
        want = tuple(expected.get(key, ())) or None
        if want is not None and not any(want):
            want = None
        if found.get(key) != want and len(into) < LIMIT:
            into.append(f"{key}: rollup {found.get(key)}, recount {want}")


def check(session: Session) -> CheckResult:
    """Compare the rollups with a full recount from the cases: each case's contribution, each day, each month."""
    session.flush()
    zone = session.scalar(select(StatState.zone).where(StatState.id == 1))
    result = CheckResult(zone=zone)
    if zone is None:
        return result
    kept = {row.case_id: _split(row) for row in session.execute(select(StatCase.__table__))}
    days: dict[tuple, list[int]] = {}
    months: dict[tuple, list[int]] = {}
    on_clock: dict[tuple, list[int]] = {}
    for row in session.execute(contributions(session, zone)):
        result.cases += 1
        counted = _split(row)
        key, measures, open_key, open_measures = counted
        _sum_into(days, key, measures)
        _sum_into(months, (key[0].replace(day=1), *key[1:]), measures)
        if open_key is not None:
            _sum_into(on_clock, open_key, open_measures)
        last = kept.pop(row.case_id, None)
        if last != counted and len(result.case_differences) < LIMIT:
            result.case_differences.append(f"case {row.case_id}: kept {last}, recount {counted}")
    for case_id in list(kept)[:LIMIT - len(result.case_differences)]:
        result.case_differences.append(f"case {case_id}: kept but no longer exists")
    found_days = _rows(session, StatDay)
    result.day_rows = len(found_days)
    _compare(found_days, days, result.day_differences)
    _compare(_rows(session, StatMonth), months, result.month_differences)
    found_open = {(row.unit_id, _as_date(row.due_date)): (row.cases, row.supervised, row.extensions)
                  for row in session.execute(select(StatOpen.__table__)) if row.cases or row.supervised
                  or row.extensions}
    _compare(found_open, on_clock, result.open_differences)
    found_returns = {(_as_date(row.day), row.unit_id): (row.returns,)
                     for row in session.execute(select(StatReturn.__table__)) if row.returns}
    recounted = {(_as_date(day), unit_id): [n] for day, unit_id, n in session.execute(counted_returns(session, zone))}
    _compare(found_returns, recounted, result.open_differences)
    return result
