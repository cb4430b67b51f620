"""The weekly report: one edition per UI language, a chart whose colours and layout survive WeasyPrint (checked on
the SVG and on the rasterised PDF), and days still to come left out of the lines."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

from flask import Flask
from PIL import Image
from sqlalchemy import select

from cases.models import Case
from cases.models_disclosure import WeeklyReport
from tests.conftest import login
from tests.servers.supervision_app import module_app  # noqa: F401
from web.app_state import state
from web.supervision import charts

SVG = "{http://www.w3.org/2000/svg}"


def _generate(app: Flask, week: str) -> int:
    client = app.test_client()
    login(client, "supervisor")
    assert client.post("/supervision/reports", data={"week": week}).status_code == 302
    with state(app).sessions() as session:
        return session.scalar(select(WeeklyReport.id).order_by(WeeklyReport.id.desc()))


def _this_week(app: Flask) -> str:
    return state(app).policy.today().isoformat()


def _chart(html: str) -> ElementTree.Element:
    return ElementTree.fromstring(re.search(r"<svg.*?</svg>", html, re.S).group(0))


def test_each_reader_gets_the_report_in_their_language(module_app: Flask) -> None:
    report_id = _generate(module_app, _this_week(module_app))
    for lang, heading, kind in (("zh", "周报", "按诉求类型统计每日工单"), ("es", "Informe semanal", None),
                                ("en", "Weekly report", "Cases per day by kind")):
        client = module_app.test_client()
        login(client, "supervisor")
        client.post(f"/lang/{lang}")
        html = client.get(f"/supervision/reports/{report_id}.html").get_data(as_text=True)
        assert f'<html lang="{lang}">' in html and heading in html, lang
        if kind:
            assert f"<title>{kind}</title>" in html
        pdf = client.get(f"/supervision/reports/{report_id}.pdf")
        assert pdf.data.startswith(b"%PDF")
    zh = module_app.test_client()
    login(zh, "supervisor")
    zh.post("/lang/zh")
    text = subprocess.run(["pdftotext", "-", "-"], input=zh.get(f"/supervision/reports/{report_id}.pdf").data,
                          capture_output=True, check=True).stdout.decode()
    assert "周报" in text and "Weekly report" not in text


def test_chart_carries_its_colours_and_fits(module_app: Flask) -> None:
    client = module_app.test_client()
    login(client, "supervisor")
    report_id = _generate(module_app, _this_week(module_app))
    svg = _chart(client.get(f"/supervision/reports/{report_id}.html").get_data(as_text=True))
    width = float(svg.get("width"))
    lines = svg.findall(f"{SVG}polyline") + svg.findall(f"{SVG}circle")
    assert lines and all(e.get("stroke") in charts.SERIES_COLOURS or e.get("fill") in charts.SERIES_COLOURS
                         for e in lines)
    swatches = [r for r in svg.findall(f"{SVG}rect") if "swatch" in r.get("class")]
    assert swatches and all(r.get("fill") in charts.SERIES_COLOURS for r in swatches)
    assert len({r.get("fill") for r in swatches}) == len(swatches)
    ticks = [t for t in svg.findall(f"{SVG}text") if t.get("class") == "tick" and "-" in (t.text or "")]
    last = max(ticks, key=lambda t: float(t.get("x")))
    assert float(last.get("x")) + charts._text_width(last.text) / 2 <= width
    xs = sorted(float(t.get("x")) for t in ticks)
    assert all(b - a >= charts._text_width(ticks[0].text) for a, b in zip(xs, xs[1:]))
    for entry in svg.findall(f"{SVG}text"):
        if entry.get("class") == "legend":
            assert float(entry.get("x")) + charts._text_width(entry.text) <= width


def test_days_still_to_come_are_not_plotted() -> None:
    assert charts.until("2026-12-03", ["2026-12-02", "2026-12-03", "2026-12-04"], {"2026-12-03": 4}) == \
        [0, 4, None]
    svg = charts.line_chart(["a", "b", "c", "d"], [charts.Series("x", [1, 2, None, None])], title="t")
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    assert len(points) == 2 and svg.count("<circle") == 2


def test_the_report_for_the_current_week_stops_its_lines_today(module_app: Flask) -> None:
    today = state(module_app).policy.today()
    client = module_app.test_client()
    login(client, "supervisor")
    report_id = _generate(module_app, today.isoformat())
    svg = _chart(client.get(f"/supervision/reports/{report_id}.html").get_data(as_text=True))
    days_shown = today.weekday() + 1
    for series in svg.findall(f"{SVG}polyline"):
        assert len(series.get("points").split()) <= days_shown


def test_the_pdf_chart_draws_its_lines_in_colour(module_app: Flask, tmp_path: Path) -> None:
    client = module_app.test_client()
    login(client, "supervisor")
    # A past week is drawn whole; two kinds of letters on different days draw two lines apart.
    with state(module_app).sessions() as session:
        cases = session.scalars(select(Case).order_by(Case.id)).all()
        kinds = {}
        for case in cases:
            kinds.setdefault(case.kind, case)
        first, second = list(kinds.values())[:2]
        first.received_at = datetime(2026, 11, 17, 3, tzinfo=timezone.utc)
        second.received_at = datetime(2026, 11, 19, 3, tzinfo=timezone.utc)
        session.commit()
        series = sorted(str(getattr(c.kind, "value", c.kind)) for c in (first, second))
    report_id = _generate(module_app, "2026-11-16")
    (tmp_path / "report.pdf").write_bytes(client.get(f"/supervision/reports/{report_id}.pdf").data)
    subprocess.run(["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    colours = {rgb for _count, rgb in page.getcolors(maxcolors=1 << 20)}

    def present(hex_colour: str) -> bool:
        want = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return any(all(abs(a - b) <= 12 for a, b in zip(rgb, want)) for rgb in colours)

    # The kinds are drawn in order; the first colour is also the title's, so the second tells the lines apart.
    assert len(series) == 2 and present(charts.SERIES_COLOURS[1])
    dark = sum(count for count, rgb in page.getcolors(maxcolors=1 << 20) if max(rgb) < 40)
    assert dark < page.width * page.height * 0.05  # no black squares or black-filled lines


def test_count_axes_have_whole_number_ticks() -> None:
    for highest in (0, 1, 3, 5, 9, 17, 41, 170):
        svg = _chart(charts.line_chart(["a", "b"], [charts.Series("x", [0, highest])], title="t"))
        ticks = [t.text for t in svg.findall(f"{SVG}text") if t.get("text-anchor") == "end"]
        assert len(ticks) == 5 and all(t.isdigit() for t in ticks), (highest, ticks)
        assert int(ticks[-1]) >= highest


def test_the_mondays_report_of_the_worker_is_kept_in_every_language(module_app: Flask) -> None:
    from cases.models_reports import WeeklyReportEdition
    from web.tasks.supervision import run_weekly_report

    with module_app.app_context():
        report_id = run_weekly_report(module_app)
    with state(module_app).sessions() as session:
        editions = {e.locale: e.html for e in session.scalars(
            select(WeeklyReportEdition).where(WeeklyReportEdition.report_id == report_id))}
    assert set(editions) == set(module_app.config["LANGUAGES"])
    assert "周报" in editions["zh"] and "Informe semanal" in editions["es"] and "Weekly report" in editions["en"]
