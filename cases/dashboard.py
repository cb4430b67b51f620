"""The figures of the supervisors' public-opinion dashboard for one period: counts, per-day series, top
categories and districts, rising topics beside the areas whose cases rose, and the desk's share of answers."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from cases import map_data
from cases import statistics as st
from cases.models import Case
from cases.statistics_desk import DeskShare, desk_shares
from cases.topics import Topic, period_texts, rising_topics

PER_DAY_SPLITS = ("kind", "channel")  # drawn as one line per kind / channel
TOPICS_SHOWN = 12


@dataclass(frozen=True)
class DashboardFigures:
    """What the dashboard shows; ``per_day[split][key][day]`` counts cases, ``urgent_per_day[day]`` urgent ones."""

    total: int
    previous_total: int
    urgent_total: int
    per_day: dict[str, dict[str, dict[str, int]]]
    urgent_per_day: dict[str, int]
    categories: list[tuple[str, int]]
    districts: list[tuple[str, int]]
    topics: list[Topic]
    desk_total: DeskShare
    desk_categories: list[DeskShare]
    urgent_cases: list[Case]


def dashboard_figures(session: Session, period: st.Period, tz: str,
                      tokenize: Callable[[str], Iterable[str]]) -> DashboardFigures:
    """The dashboard's figures for ``period``, days counted in ``tz``; ``tokenize`` splits letters into the words
    of the rising-topics chart."""
    urgent = st.cases_per_day(session, period, tz, "urgent").get("urgent", {})
    desk_total, desk_categories = desk_shares(session, period, tz)
    return DashboardFigures(
        total=st.total_cases(session, period, tz), previous_total=st.total_cases(session, period.previous(), tz),
        urgent_total=sum(urgent.values()), urgent_per_day=urgent,
        per_day={split: st.cases_per_day(session, period, tz, split) for split in PER_DAY_SPLITS},
        categories=st.top_categories(session, period, tz), districts=st.top_districts(session, period, tz),
        topics=_topics(session, period, tz, tokenize), desk_total=desk_total, desk_categories=desk_categories,
        urgent_cases=st.urgent_open_cases(session))


def _topics(session: Session, period: st.Period, tz: str, tokenize: Callable[[str], Iterable[str]]) -> list[Topic]:
    """The rising words, and beside them the areas whose cases rose most, marked as places."""
    words = rising_topics(period_texts(session, period, tz), period_texts(session, period.previous(), tz), tokenize)
    places = [replace(t, term=f"📍 {t.term}") for t in map_data.hotspots(session, period, tz)]
    return sorted(words + places, key=lambda t: (-t.score, -t.current, t.term))[:TOPICS_SHOWN]
