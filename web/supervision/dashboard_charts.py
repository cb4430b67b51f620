"""The charts of the public-opinion dashboard, drawn from :class:`cases.dashboard.DashboardFigures`."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup

from cases.dashboard import DashboardFigures
from cases.statistics import Period
from web.code_labels import label
from web.supervision import charts


def dashboard_charts(period: Period, figures: DashboardFigures, today: date) -> dict[str, Markup]:
    """The dashboard's charts by template name: per-day lines (none drawn past ``today``) and top-N bars."""
    days = [d.isoformat() for d in period.day_list()]
    labels = [d[5:] for d in days]
    until = today.isoformat()

    def series(split: str) -> list[charts.Series]:
        data = figures.per_day[split]
        return [charts.Series(str(label(key)), charts.until(until, days, data[key])) for key in sorted(data)]

    urgent = [charts.Series(_("urgent"), charts.until(until, days, figures.urgent_per_day))]
    return {
        "kind_chart": charts.line_chart(labels, series("kind"), title=_("Cases per day by kind")),
        "channel_chart": charts.line_chart(labels, series("channel"), title=_("Cases per day by channel")),
        "urgent_chart": charts.line_chart(labels, urgent, title=_("Urgent cases per day")),
        "category_chart": charts.bar_chart(figures.categories, title=_("Top categories")),
        "district_chart": charts.bar_chart(figures.districts, title=_("Top districts and counties")),
        "topic_chart": charts.bar_chart([(t.term, t.current) for t in figures.topics], title=_("Rising topics")),
    }
