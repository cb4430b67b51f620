"""Exports of any size, streamed with constant memory: CSV a few rows at a time, XLSX through openpyxl's
write-only workbook (rows go to a temporary file as they come, the finished file is sent in chunks).

Every cell goes through ``spreadsheet_cell`` (no formulas, no XML-forbidden characters).
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Response, stream_with_context

from web.export_text import spreadsheet_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
ROWS_PER_CHUNK = 200


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM, so spreadsheets read the Chinese right), ``ROWS_PER_CHUNK`` rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_cell(v) for v in row])
        if n % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A streamed CSV download."""
    return _attachment(Response(stream_with_context(csv_lines(header, rows)), mimetype="text/csv; charset=utf-8"),
                       filename)


def xlsx_chunks(title: str, heading: Sequence[Sequence[Any]], rows: Iterable[Sequence[Any]], *,
                percent_columns: Sequence[int] = (), widths: dict[str, float] | None = None) -> Iterator[bytes]:
    """An XLSX file: ``heading`` rows as they are, then ``rows`` (columns ``percent_columns``, 0-based, shown as
    percentages), written to a temporary file row by row and read back in chunks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for column, width in (widths or {}).items():
        sheet.column_dimensions[column].width = width
    for line in heading:
        sheet.append([spreadsheet_cell(v) for v in line])
    percent = set(percent_columns)
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=spreadsheet_cell(value))
            if i in percent:
                cell.number_format = "0.0%"
            cells.append(cell)
        sheet.append(cells)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        book.save(path)
        with open(path, "rb") as saved:
            while chunk := saved.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def xlsx_response(filename: str, title: str, heading: Sequence[Sequence[Any]], rows: Iterable[Sequence[Any]],
                  **options: Any) -> Response:
    """A streamed XLSX download (see ``xlsx_chunks``)."""
    return _attachment(Response(stream_with_context(xlsx_chunks(title, heading, rows, **options)),
                                mimetype=XLSX_TYPE), filename)
