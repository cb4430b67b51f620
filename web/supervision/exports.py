"""The unit performance table as CSV and XLSX: the screen's columns, headers in the reader's language, the
screen's figures (percentages as the page shows them), and empty cells where the page shows a dash."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from cases.statistics import UnitPerformance
from web.export_text import spreadsheet_cell

PERCENT, DECIMAL, COUNT, TEXT = "percent", "decimal", "count", "text"

# The columns of the performance page, in its order: (attribute, header, how the figure is shown).
COLUMNS = (("unit", _l("Unit"), TEXT), ("received", _l("Received"), COUNT), ("on_time_rate", _l("On time"), PERCENT),
           ("avg_days_to_feedback", _l("Avg. days to feedback"), DECIMAL),
           ("return_rate", _l("Return rate"), PERCENT), ("reply_rate", _l("Reply rate"), PERCENT),
           ("satisfaction_rate", _l("Satisfaction"), PERCENT), ("returned", _l("Returned"), COUNT),
           ("returns_overruled", _l("Returns overruled"), COUNT),
           ("extensions", _l("Extensions"), COUNT), ("sign_on_time_rate", _l("Signed for on time"), PERCENT),
           ("avg_hours_to_sign", _l("Avg. hours to sign for"), DECIMAL))


def percent(value: float | None) -> str:
    """A rate as the page shows it (``83%``); ``—`` for none."""
    return "—" if value is None else f"{value * 100:.0f}%"


def decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def headers() -> list[str]:
    return [str(header) for _key, header, _kind in COLUMNS]


def csv_text(rows: Sequence[UnitPerformance]) -> str:
    """The table as CSV text (with a byte-order mark, so spreadsheets read it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for row in rows:
        writer.writerow([_shown(getattr(row, key), kind) for key, _header, kind in COLUMNS])
    return "\ufeff" + buffer.getvalue()


def _shown(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == PERCENT:
        return percent(value)
    if kind == DECIMAL:
        return decimal(value)
    return spreadsheet_cell(value)


def xlsx_bytes(rows: Sequence[UnitPerformance], title: str, period_text: str) -> bytes:
    """The table as a workbook: rates are numbers formatted as percentages, averages with one decimal, so the
    cells read as on the page and still calculate."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([period_text])
    sheet.append(headers())
    formats = {PERCENT: "0%", DECIMAL: "0.0"}
    for row in rows:
        sheet.append([spreadsheet_cell(getattr(row, key)) for key, _header, _kind in COLUMNS])
        for column, (_key, _header, kind) in enumerate(COLUMNS, start=1):
            if kind in formats:
                sheet.cell(row=sheet.max_row, column=column).number_format = formats[kind]
    sheet.column_dimensions["A"].width = 44
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
