"""Server-rendered SVG charts: no script, no inline style (the CSP forbids both); colours come from CSS classes
(``static/css/charts.css``) and SVG presentation attributes. Every chart carries a <title> (its name) and a <desc>
with its figures as text, which screen readers read as the image's description."""
from __future__ import annotations

import math
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
    """A line chart of several series over the same labels (days, months), with axes, ticks and a legend."""
    left, right, top, bottom = 48, 12, 24, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    top_value = max_value if max_value is not None else _nice_max(max(values, default=0))
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i / (n - 1) if n > 1 else 0.5))

    def y(v: float) -> float:
        return top + plot_h - (v / top_value) * plot_h if top_value else top + plot_h

    parts = [f'<svg class="chart line-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" xmlns="http://www.w3.org/2000/svg"><title>{_text(title)}</title>'
             f'<desc>{_text(_series_text(labels, series, percent))}</desc>']
    for k in range(5):
        v = top_value * k / 4
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                     f'<text class="tick" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
                     f'{_fmt(v, percent)}</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}"/>'
                 f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    step = max(1, math.ceil(n / 10))
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            parts.append(f'<text class="tick" x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                         f'{_text(label)}</text>')
    for index, s in enumerate(series):
        points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        cls = f"series-{index % 8}"
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline class="line {cls}" fill="none" points="{path}"/>')
        for px, py in points if len(points) <= 40 else []:
            parts.append(f'<circle class="dot {cls}" cx="{px:.1f}" cy="{py:.1f}" r="2.5"/>')
    legend_x = left
    for index, s in enumerate(series):
        cls = f"series-{index % 8}"
        parts.append(f'<rect class="swatch {cls}" x="{legend_x}" y="{height - 16}" width="10" height="10"/>'
                     f'<text class="legend" x="{legend_x + 14}" y="{height - 7}">{_text(s.name)}</text>')
        legend_x += 24 + 7 * len(s.name)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, width: int = 480, percent: bool = False,
              bar_height: int = 20, label_width: int = 190) -> Markup:
    """Horizontal bars with category labels on the left and values at the bar ends."""
    top, gap, right = 8, 6, 48
    height = top * 2 + max(len(items), 1) * (bar_height + gap) + 18
    plot_w = width - label_width - right
    top_value = 1.0 if percent else _nice_max(max((v for _, v in items), default=0))
    parts = [f'<svg class="chart bar-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" xmlns="http://www.w3.org/2000/svg"><title>{_text(title)}</title>'
             f'<desc>{_text("; ".join(f"{label}: {_fmt(value, percent)}" for label, value in items) or "—")}</desc>']
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + gap)
        w = plot_w * (value / top_value) if top_value else 0
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text class="label" x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
                     f'<title>{_text(label)}</title>{_text(short)}</text>'
                     f'<rect class="bar series-0" x="{label_width}" y="{y}" width="{w:.1f}" '
                     f'height="{bar_height}"/>'
                     f'<text class="value" x="{label_width + w + 4:.1f}" y="{y + bar_height * 0.7:.1f}">'
                     f'{_fmt(value, percent)}</text>')
    axis_y = top + len(items) * (bar_height + gap)
    parts.append(f'<line class="axis" x1="{label_width}" x2="{label_width}" y1="{top - 2}" y2="{axis_y}"/>'
                 f'<line class="axis" x1="{label_width}" x2="{label_width + plot_w}" y1="{axis_y}" y2="{axis_y}"/>'
                 f'<text class="tick" x="{label_width}" y="{axis_y + 14}" text-anchor="middle">0</text>'
                 f'<text class="tick" x="{label_width + plot_w}" y="{axis_y + 14}" text-anchor="middle">'
                 f'{_fmt(top_value, percent)}</text>')
    if not items:
        parts.append(f'<text class="empty" x="{width / 2}" y="{top + 14}" text-anchor="middle">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
