"""The list pages at a million cases, for ``bench/dashboard.py``: every keyset list the app shows, first page and
a deep page, timed and (with ``--explain``) with its plans checked for a sort of every matching row or a scan of
a whole big table. OFFSET and an exact count are timed beside them as the way before keyset pages.

The lists: the supervisors' cases (all, by status, overdue, extension requests), the desk's queues, a unit's
queues (as that unit's handler), the public archive and the access log.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.query_timing import explain, timed, whole_table
from cases import audit, queries
from cases.actors import Actor
from cases.disclosure import public_page
from cases.keyset import cursor_of
from cases.models import Case, User
from cases.models_disclosure import Publication
from cases.models_privacy import AccessLog
from cases.policy import Policy
from cases.queries import CaseFilter
from cases.workflow import Status

DEPTH = 50_000  # rows before the deep page: 1,000 pages of 50


def _deep_cursor(session: Session, time_column, id_column, *where) -> str | None:  # type: ignore[no-untyped-def]
    row = session.execute(select(time_column, id_column).where(*where)
                          .order_by(time_column.desc(), id_column.desc()).offset(DEPTH - 1).limit(1)).first()
    return cursor_of(row[0], row[1]) if row else None


def shapes(session: Session, policy: Policy, today: date) -> dict[str, Callable[[], object]]:
    """Every list page to time, by name."""
    clerk = Actor(user_id=None, role="clerk")
    handler = session.scalars(select(User).where(User.unit_id.is_not(None)).order_by(User.id)).first()
    unit = Actor(user_id=handler.id, role="unit", unit_id=handler.unit_id) if handler else clerk
    deep_case = _deep_cursor(session, Case.received_at, Case.id)
    deep_published = _deep_cursor(session, Publication.published_at, Publication.id, Publication.status == "published")
    log_middle = session.scalar(select(func.max(AccessLog.id))) or 0
    log_user = session.scalar(select(AccessLog.user_id).where(AccessLog.user_id.is_not(None)).limit(1))

    def cases(flt: CaseFilter, actor: Actor = clerk, cursor: str | None = None) -> Callable[[], object]:
        return lambda: queries.case_page(session, actor, flt, today=today, cursor=cursor)

    return {
        "all cases, first page": cases(CaseFilter()),
        "all cases, 1000 pages deep": cases(CaseFilter(), cursor=deep_case),
        "all, status registered": cases(CaseFilter(statuses=(Status.REGISTERED,))),
        "all, status closed, deep": cases(CaseFilter(statuses=(Status.CLOSED,)), cursor=deep_case),
        "overdue": cases(CaseFilter(overdue_only=True)),
        "extension requests": cases(CaseFilter(extension_pending=True)),
        "desk: new": cases(CaseFilter(statuses=(Status.RECEIVED,))),
        "desk: to dispatch": cases(CaseFilter(statuses=(Status.REGISTERED, Status.RETURNED))),
        "desk: with units": cases(CaseFilter(statuses=(Status.DISPATCHED, Status.ACCEPTED))),
        "unit: new": cases(CaseFilter(statuses=(Status.DISPATCHED,), holding="lead"), unit),
        "unit: answered": cases(CaseFilter(statuses=(Status.ANSWERED, Status.REPLIED, Status.CLOSED),
                                           holding="lead"), unit),
        "unit: co-handling": cases(CaseFilter(holding="co"), unit),
        "unit: everything, deep": cases(CaseFilter(), unit, deep_case),
        "archive, first page": lambda: public_page(session, policy),
        "archive, 1000 pages deep": lambda: public_page(session, policy, cursor=deep_published),
        "access log, first page": lambda: audit.page(session, audit.LogFilter()),
        "access log, one user": lambda: audit.page(session, audit.LogFilter(user_id=log_user)),
        "access log, halfway": lambda: audit.page(session, audit.LogFilter(), before=log_middle // 2),
        "OFFSET 50000 (before)": lambda: session.scalars(
            select(Case).order_by(Case.received_at.desc(), Case.id.desc()).offset(DEPTH).limit(50)).all(),
        "exact count (before)": lambda: session.scalar(select(func.count(Case.id))),
    }


def list_timings(engine: Engine, policy: Policy, runs: int, server_pid: int = 0, show_plans: bool = False) -> None:
    """Time every list page; with ``show_plans`` then print their plans and what they read of whole tables."""
    with Session(engine) as session:
        pages = shapes(session, policy, policy.today())
        print(f"{'list page':36s} {'p50 ms':>8s} {'p95 ms':>8s} {'cpu ms':>8s} {'db ms':>8s}")
        for name, fn in pages.items():
            t = timed(fn, runs, server_pid)
            print(f"{name:36s} {t.p50:8.1f} {t.p95:8.1f} {t.cpu:8.1f} {t.db:8.1f}", flush=True)
            session.rollback()
        if not show_plans:
            return
        warnings: list[str] = []
        for name, fn in pages.items():
            if "(before)" not in name:
                warnings += explain(engine, session, name, fn, whole_table)
            session.rollback()
        print("list plans with a full sort or a whole-table scan: " + ("; ".join(warnings) or "none"))
