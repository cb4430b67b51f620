"""Rising topics: the words whose share of letters grew most against the previous period (dashboard and weekly
report)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.db import plan_serially
from cases.models import Case, Letter
from cases.statistics import Period


def period_texts(session: Session, period: Period, tz: str, *, limit: int = 1500, body_chars: int = 200) -> list[str]:
    """Subjects and the start of the letters of cases received in ``period``: the newest ``limit`` of them, a
    sample that keeps the rising-topics chart fast on busy periods."""
    start, end = period.instants(tz)
    plan_serially(session)
    rows = session.execute(select(Case.subject, func.substr(Letter.body, 1, body_chars))
                           .join(Letter, Letter.case_id == Case.id)
                           .where(Case.received_at >= start, Case.received_at < end)
                           .order_by(Case.received_at.desc()).limit(limit)).all()
    return [f"{subject}\n{body or ''}" for subject, body in rows]


@dataclass(frozen=True)
class Topic:
    term: str
    current: int
    previous: int
    score: float


def rising_topics(current: Sequence[str], previous: Sequence[str], tokenize: Callable[[str], Iterable[str]], *,
                  limit: int = 10, min_count: int = 2) -> list[Topic]:
    """Terms whose share of letters grew most against the previous period (document frequency, scaled)."""
    def doc_freq(texts: Sequence[str]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(set(tokenize(text)))
        return counts

    now, before = doc_freq(current), doc_freq(previous)
    scale = len(current) / len(previous) if previous else 1.0
    topics = []
    for term, count in now.items():
        if count < min_count:
            continue
        expected = before.get(term, 0) * scale
        topics.append(Topic(term, count, before.get(term, 0), round(count - expected, 2)))
    topics.sort(key=lambda t: (-t.score, -t.current, t.term))
    return [t for t in topics[:limit] if t.score > 0]
