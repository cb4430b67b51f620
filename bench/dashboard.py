"""Dashboard and statistics queries on 100,000 cases (SQLite), with and without the statistics indexes.

Generates a year of cases straight into a fresh SQLite file with bulk inserts (letters, feedback, replies,
deadline and return events), then times every query the supervision and public statistics pages run and prints
p50 / p95. The same queries are timed again after dropping the indexes migration 0002 adds: that is the baseline.
Run: ``.venv/bin/python bench/dashboard.py [cases]``.
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from cases import admin, statistics as st, supervision  # noqa: E402
from cases.context import Policy  # noqa: E402
from cases.db import make_engine, upgrade  # noqa: E402
from cases.demo import CATEGORIES, UNITS  # noqa: E402
from cases.drafts import Channel  # noqa: E402
from cases.models import Case, CaseKind, Category, Event, Feedback, Letter, Reply, Satisfaction, Unit  # noqa: E402
from cases.storage import LocalFileStore  # noqa: E402
from cases.workflow import Status  # noqa: E402
from web.supervision.topics import words  # noqa: E402

SUBJECTS = ["Street light broken on {r} Road", "小区夜间施工噪音扰民", "Más autobuses en la línea {n}",
            "Heating not working in building {n}", "垃圾清运不及时，{r}路附近异味严重", "Pothole on {r} Street",
            "公交车{n}路晚点", "Water leak near {r} Avenue", "Ruido del bar en la calle {r}", "停车难问题",
            "Noise from construction at night", "路灯不亮存在安全隐患", "Parque sin limpiar", "共享单车乱停放"]
ROADS = ["Jiefang", "Zhongshan", "Renmin", "Elm", "Maple", "Mayor", "Alcalá"]
STAT_INDEXES = ("ix_case_file_received_at", "ix_case_file_unit_received", "ix_event_action_case_at")


def generate(session: Session, count: int, rng: random.Random) -> None:
    for name, kind in UNITS:
        admin.add_unit(session, name=name, kind=kind)
    for name in CATEGORIES:
        admin.add_category(session, name)
    session.flush()
    unit_ids = list(session.scalars(select(Unit.id)))
    category_ids = list(session.scalars(select(Category.id)))
    now = datetime.now(timezone.utc)
    kinds, channels = list(CaseKind), list(Channel)
    statuses = [Status.CLOSED] * 5 + [Status.REPLIED, Status.ANSWERED, Status.ACCEPTED, Status.DISPATCHED,
                                      Status.REGISTERED]
    batch = 10_000
    for start in range(0, count, batch):
        cases, letters, feedback, replies, events = [], [], [], [], []
        for i in range(start, min(start + batch, count)):
            received = now - timedelta(days=rng.random() * 365, seconds=rng.randint(0, 86_400))
            status = rng.choice(statuses)
            unit_id = rng.choice(unit_ids) if status != Status.REGISTERED else None
            subject = rng.choice(SUBJECTS).format(r=rng.choice(ROADS), n=rng.randint(1, 40))
            case_id = i + 1
            cases.append({"id": case_id, "number": f"{received.year}-{i + 1:06d}", "tracking_code": f"T{i:09d}",
                          "kind": rng.choice(kinds), "category_id": rng.choice(category_ids), "subject": subject,
                          "status": status, "channel": rng.choice(channels), "urgent": rng.random() < 0.03,
                          "unit_id": unit_id, "received_at": received,
                          "due_date": (received + timedelta(days=14)).date() if status != Status.CLOSED else None,
                          "satisfaction": rng.choice(list(Satisfaction)) if status == Status.CLOSED else None,
                          "supervised": rng.random() < 0.01})
            letters.append({"case_id": case_id, "channel": Channel.WEB, "subject": subject,
                            "body": subject + "。 " + "Residents have complained for weeks. " * 3,
                            "received_at": received})
            if unit_id is not None:
                due = (received + timedelta(days=14)).date().isoformat()
                events.append({"case_id": case_id, "action": "deadline", "at": received + timedelta(hours=2),
                               "data": {"from": None, "to": due}})
                if rng.random() < 0.05:
                    events.append({"case_id": case_id, "action": "return", "at": received + timedelta(hours=5),
                                   "data": {"unit_id": rng.choice(unit_ids)}})
            if status in (Status.ANSWERED, Status.REPLIED, Status.CLOSED):
                feedback.append({"case_id": case_id, "unit_id": unit_id, "body": "Handled.",
                                 "created_at": received + timedelta(days=rng.random() * 20)})
            if status in (Status.REPLIED, Status.CLOSED):
                replies.append({"case_id": case_id, "channel": "email", "body": "Reply.", "status": "sent"})
        session.execute(insert(Case), cases)
        session.execute(insert(Letter), letters)
        session.execute(insert(Event), events)
        if feedback:
            session.execute(insert(Feedback), feedback)
        session.execute(insert(Reply), replies)
        session.commit()


def timed(fn, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]


def queries(session: Session, policy: Policy) -> dict[str, object]:
    tz = policy.timezone
    today = policy.today()
    month = st.Period.parse(None, None, default_days=30, today=today)
    year = st.Period.parse(None, None, default_days=365, today=today)
    return {
        "performance (30 days)": lambda: st.unit_performance(session, month, tz),
        "performance (365 days)": lambda: st.unit_performance(session, year, tz),
        "cases per day by kind (30 d)": lambda: st.cases_per_day(session, month, tz, "kind"),
        "cases per day by channel (30 d)": lambda: st.cases_per_day(session, month, tz, "channel"),
        "urgent per day (30 d)": lambda: st.cases_per_day(session, month, tz, "urgent"),
        "total cases (30 d + previous)": lambda: (st.total_cases(session, month, tz),
                                                  st.total_cases(session, month.previous(), tz)),
        "top categories (30 d)": lambda: st.top_categories(session, month, tz),
        "top districts (30 d)": lambda: st.top_districts(session, month, tz),
        "urgent open cases": lambda: st.urgent_open_cases(session),
        "rising topics (30 d vs previous)": lambda: st.rising_topics(
            st.period_texts(session, month, tz), st.period_texts(session, month.previous(), tz), words),
        "monthly figures per unit (12 m)": lambda: st.monthly_figures(session, year, tz, per_unit=True),
        "monthly figures office (12 m)": lambda: st.monthly_figures(session, year, tz, per_unit=False),
        "deadlines per unit": lambda: supervision.unit_deadlines(session, policy, today),
    }


def main(count: int = 100_000, runs: int = 7) -> None:
    folder = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    policy = Policy(store=LocalFileStore(folder / "files"))
    started = time.perf_counter()
    with Session(engine) as session:
        generate(session, count, random.Random(42))
        total = session.scalar(select(func.count(Case.id)))
        events = session.scalar(select(func.count(Event.id)))
    print(f"generated {total} cases, {events} events in {time.perf_counter() - started:.1f} s (SQLite)")
    # ``words`` is a generator: it must be consumed for jieba to load its dictionary before the timings.
    list(words("warm up jieba 预热"))
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for label in ("with indexes", "baseline: without the 0002 statistics indexes"):
        with Session(engine) as session:
            session.execute(text("ANALYZE"))
            results[label] = {name: timed(fn, runs) for name, fn in queries(session, policy).items()}
        with engine.begin() as conn:
            for index in STAT_INDEXES:
                conn.execute(text(f"DROP INDEX IF EXISTS {index}"))
    base = results["baseline: without the 0002 statistics indexes"]
    print(f"{'query':36s} {'p50 ms':>8s} {'p95 ms':>8s}   {'baseline p50':>12s} {'p95':>8s}")
    worst = 0.0
    for name, (p50, p95) in results["with indexes"].items():
        b50, b95 = base[name]
        worst = max(worst, p95)
        print(f"{name:36s} {p50:8.1f} {p95:8.1f}   {b50:12.1f} {b95:8.1f}")
    print(f"slowest p95 with indexes: {worst:.1f} ms (target < 300 ms per query); {runs} runs each")
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
