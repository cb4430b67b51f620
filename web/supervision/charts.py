"""Server-rendered SVG charts: no script, no inline style (the CSP forbids both); colours come from CSS classes
(``static/css/charts.css``) and SVG presentation attributes. Every chart carries a <title> (its name) and a <desc>
with its figures as text, which screen readers read as the image's description."""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from web.export_text import xml_text


def _text(value: object) -> Markup:
    """Text for the SVG: escaped, without the characters XML forbids (a unit name may hold one)."""
    return escape(xml_text(str(value)))


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _count_top(value: float) -> float:
    """An axis maximum for counts whose five ticks (0 and four steps) are whole numbers: 4 × 1, 2, 5, 10, 20…"""
    step = 1
    while step * 4 < value:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return float(step * 4)


def _fmt(value: float, percent: bool = False) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _series_text(labels: Sequence[str], series: Sequence[Series], percent: bool) -> str:
    """The chart's figures as text (its description for screen readers): each series, then label and value."""
    return "; ".join(f"{s.name}: " + ", ".join(f"{label} {_fmt(v, percent)}" for label, v in zip(labels, s.values)
                                                 if v is not None) for s in series) or "—"


def line_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, width: int = 760, height: int = 260,
               percent: bool = False, max_value: float | None = None) -> Markup:
    """A line chart of several series over the same labels (days, months), with axes, ticks and a legend that
    wraps onto more rows when the series' names do not fit on one. A value of None is not plotted (a day still to
    come is no zero)."""
    left, right, top, bottom = 48, 28, 24, 30
    legend_rows = _legend_rows([s.name for s in series], width - left - right)
    height += 18 * max(len(legend_rows) - 1, 0)
    plot_w, plot_h = width - left - right, height - top - bottom - 18 * len(legend_rows)
    values = [v for s in series for v in s.values if v is not None]
    highest = max(values, default=0)
    top_value = max_value if max_value is not None else _nice_max(highest) if percent else _count_top(highest)
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i / (n - 1) if n > 1 else 0.5))

    def y(v: float) -> float:
        return top + plot_h - (v / top_value) * plot_h if top_value else top + plot_h

    parts = [f'<svg class="chart line-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" xmlns="http://www.w3.org/2000/svg" font-family="{FONTS}" font-size="11">'
             f'<title>{_text(title)}</title><desc>{_text(_series_text(labels, series, percent))}</desc>']
    for k in range(5):
        v = top_value * k / 4
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                     f'stroke="{GRID}"/>'
                     f'<text class="tick" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                     f'{_fmt(v, percent)}</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{MUTED}"/>'
                 f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
                 f'stroke="{MUTED}"/>')
    widest = max((_text_width(str(label)) for label in labels), default=0) + 8
    step = max(1, math.ceil(n * widest / plot_w)) if n > 1 else 1
    shown = [i for i in range(n) if i % step == 0]
    if n - 1 not in shown:
        # The last label always shows; the one before it gives way when the two would overlap.
        if shown and x(n - 1) - x(shown[-1]) < widest:
            shown.pop()
        shown.append(n - 1)
    for i in shown:
        if i < len(labels):
            parts.append(f'<text class="tick" x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                         f'fill="{MUTED}">{_text(labels[i])}</text>')
    for index, s in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        cls = f"series-{index % len(SERIES_COLOURS)}"
        runs = _runs([(x(i), y(v)) if v is not None else None for i, v in enumerate(s.values)])
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                parts.append(f'<polyline class="line {cls}" fill="none" stroke="{colour}" stroke-width="2" '
                             f'points="{path}"/>')
        points = [p for run in runs for p in run]
        for px, py in points if len(points) <= 40 else []:
            parts.append(f'<circle class="dot {cls}" cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
    row_y = top + plot_h + 26
    for row in legend_rows:
        legend_x = left
        for index, name in row:
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            cls = f"series-{index % len(SERIES_COLOURS)}"
            parts.append(f'<rect class="swatch {cls}" x="{legend_x}" y="{row_y}" width="10" height="10" '
                         f'fill="{colour}" stroke="{colour}"/>'
                         f'<text class="legend" x="{legend_x + 14}" y="{row_y + 9}" fill="{MUTED}">'
                         f'{_text(name)}</text>')
            legend_x += 14 + _text_width(name) + LEGEND_GAP
        row_y += 18
    parts.append("</svg>")
    return Markup("".join(parts))


# Colours as SVG presentation attributes, so that a chart renders the same where the page's stylesheet does not
# reach it (WeasyPrint's PDF of the weekly report); static/css/charts.css uses the same colours on screen.
SERIES_COLOURS = ("#b22222", "#1f6fb2", "#2e7d32", "#e08a00", "#6a3d9a", "#00838f", "#8d6e63", "#546e7a")
MUTED, GRID, INK = "#5b6773", "#e6e9ed", "#1d2733"
FONTS = "Noto Sans, Noto Sans CJK SC, sans-serif"
LEGEND_GAP = 16


def _text_width(text: str) -> float:
    """The width of ``text`` at 11px: Chinese characters are a full em, Latin ones a little over half."""
    return sum(11.0 if unicodedata.east_asian_width(ch) in "WF" else 6.6 for ch in text)


def _legend_rows(names: Sequence[str], room: float) -> list[list[tuple[int, str]]]:
    """The legend's entries, (index, name), in rows that fit ``room`` pixels."""
    rows: list[list[tuple[int, str]]] = [[]]
    used = 0.0
    for index, name in enumerate(names):
        need = 14 + _text_width(name) + LEGEND_GAP
        if rows[-1] and used + need > room:
            rows.append([])
            used = 0.0
        rows[-1].append((index, name))
        used += need
    return rows


def _runs(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive plotted points; a missing value breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def until(today_iso: str, days: Sequence[str], counts: dict[str, int]) -> list[int | None]:
    """Counts per day (0 for a past day with none), None for days after ``today_iso``, which are not over yet."""
    return [None if d > today_iso else counts.get(d, 0) for d in days]


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, width: int = 480, percent: bool = False,
              bar_height: int = 20, label_width: int = 190) -> Markup:
    """Horizontal bars with category labels on the left and values at the bar ends."""
    top, gap, right = 8, 6, 48
    height = top * 2 + max(len(items), 1) * (bar_height + gap) + 18
    plot_w = width - label_width - right
    top_value = 1.0 if percent else _nice_max(max((v for _, v in items), default=0))
    parts = [f'<svg class="chart bar-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" xmlns="http://www.w3.org/2000/svg" font-family="{FONTS}" font-size="11"><title>{_text(title)}</title>'
             f'<desc>{_text("; ".join(f"{label}: {_fmt(value, percent)}" for label, value in items) or "—")}</desc>']
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + gap)
        w = plot_w * (value / top_value) if top_value else 0
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text class="label" x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" fill="{INK}">'
                     f'<title>{_text(label)}</title>{_text(short)}</text>'
                     f'<rect class="bar series-0" fill="{SERIES_COLOURS[0]}" x="{label_width}" y="{y}" width="{w:.1f}" '
                     f'height="{bar_height}"/>'
                     f'<text class="value" font-weight="600" fill="{INK}" x="{label_width + w + 4:.1f}" y="{y + bar_height * 0.7:.1f}">'
                     f'{_fmt(value, percent)}</text>')
    axis_y = top + len(items) * (bar_height + gap)
    parts.append(f'<line class="axis" x1="{label_width}" x2="{label_width}" y1="{top - 2}" y2="{axis_y}" stroke="{MUTED}"/>'
                 f'<line class="axis" x1="{label_width}" x2="{label_width + plot_w}" y1="{axis_y}" y2="{axis_y}" stroke="{MUTED}"/>'
                 f'<text class="tick" fill="{MUTED}" x="{label_width}" y="{axis_y + 14}" text-anchor="middle">0</text>'
                 f'<text class="tick" fill="{MUTED}" x="{label_width + plot_w}" y="{axis_y + 14}" text-anchor="middle">'
                 f'{_fmt(top_value, percent)}</text>')
    if not items:
        parts.append(f'<text class="empty" x="{width / 2}" y="{top + 14}" text-anchor="middle">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
