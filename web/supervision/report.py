"""The weekly report for city leaders: HTML from a template, PDF from that HTML (WeasyPrint), kept in the database
and the file store so it can be downloaded later."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale, get_locale, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import statistics as st
from cases.topics import period_texts, rising_topics
from cases import supervision
from cases.policy import Policy
from cases.models_disclosure import WeeklyReport
from cases.models_reports import WeeklyReportEdition
from web.code_labels import label
from web.supervision import charts, exports
from web.supervision.topics import words

CHECKOUT = Path(__file__).resolve().parent.parent.parent


def last_full_week(today: date) -> date:
    """The Monday of the last complete week before ``today``."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(days=7)


def _stylesheet() -> str:
    return (CHECKOUT / "static" / "css" / "charts.css").read_text(encoding="utf-8") + REPORT_CSS


REPORT_CSS = """
body { font: 10.5pt/1.45 "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #1d2733; margin: 0; }
h1 { font-size: 17pt; color: #b22222; margin: 0 0 .2em; }
h2 { font-size: 12.5pt; border-bottom: 1px solid #d9dee3; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border-bottom: 1px solid #d9dee3; padding: 2pt 4pt; text-align: left; }
td.num, th.num { text-align: right; }
svg.chart { width: 100%; border: 0; }
@page { size: A4; margin: 16mm 14mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
"""


def report_context(session: Session, policy: Policy, week_start: date) -> dict:
    """Everything the weekly report shows, for the week starting ``week_start`` (a Monday)."""
    period = st.Period(week_start, week_start + timedelta(days=7))
    tz = policy.timezone
    per_kind = st.cases_per_day(session, period, tz, "kind")
    days = [d.isoformat() for d in period.day_list()]
    today = policy.today().isoformat()
    kind_series = [charts.Series(label(k), charts.until(today, days, per_kind[k])) for k in sorted(per_kind)]
    performance = st.unit_performance(session, period, tz, sort="received", descending=True)
    topics = rising_topics(period_texts(session, period, tz), period_texts(session, period.previous(), tz),
                              lambda text: words(text))
    return {
        "period": period,
        "total": st.total_cases(session, period, tz),
        "previous_total": st.total_cases(session, period.previous(), tz),
        "kind_chart": charts.line_chart([d[5:] for d in days], kind_series, title=_("Cases per day by kind"),
                                        width=680, height=230),
        "categories": st.top_categories(session, period, tz),
        "districts": st.top_districts(session, period, tz),
        "topics": topics,
        "performance": [p for p in performance if p.received or p.returned],
        "deadlines": [d for d in supervision.unit_deadlines(session, policy, policy.today()) if d.open_cases],
        "pct": exports.percent,
        "office": current_app.config["OFFICE_NAME"],
    }


def render_html(session: Session, policy: Policy, week_start: date) -> tuple[str, int]:
    """The report as a standalone HTML page in the current language, and the number of cases it counts."""
    context = report_context(session, policy, week_start)
    html = render_template("pages/supervision/weekly_report.html", stylesheet=_stylesheet(),
                           lang=_language(), **context)
    return html, context["total"]


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(CHECKOUT)).write_pdf()


def generate(session: Session, policy: Policy, week_start: date, user_id: int | None = None) -> WeeklyReport:
    """Build the report for a week (HTML and PDF) in every UI language and keep them; the caller commits. The
    report row holds the default language's edition."""
    editions = {}
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            html, total = render_html(session, policy, week_start)
        editions[locale] = (html, policy.store.put(render_pdf(html)))
    default = editions.get(current_app.config["BABEL_DEFAULT_LOCALE"]) or next(iter(editions.values()))
    report = WeeklyReport(week_start=week_start, week_end=week_start + timedelta(days=6), html=default[0],
                          pdf_sha256=default[1], created_by_id=user_id, case_count=total)
    session.add(report)
    session.flush()
    session.add_all(WeeklyReportEdition(report_id=report.id, locale=locale, html=html, pdf_sha256=sha)
                    for locale, (html, sha) in editions.items())
    return report


def edition(session: Session, report: WeeklyReport, locale: str) -> tuple[str, str | None]:
    """The report's HTML and PDF (SHA-256) in ``locale``; a report kept before editions existed as it was made."""
    found = session.scalar(select(WeeklyReportEdition).where(WeeklyReportEdition.report_id == report.id,
                                                             WeeklyReportEdition.locale == locale))
    return (found.html, found.pdf_sha256) if found is not None else (report.html, report.pdf_sha256)


def recent(session: Session, limit: int = 10) -> list[WeeklyReport]:
    return list(session.scalars(select(WeeklyReport).order_by(WeeklyReport.id.desc()).limit(limit)))
