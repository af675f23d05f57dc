"""Writing tables for people who open them in Excel: CSV (UTF-8 with BOM, CRLF) and XLSX.

Shared by every export (the member list, the member report). Text that a spreadsheet would read
as a formula (=, +, -, @ at the start) never runs as one: CSV cells get a leading quote
(escape_cell; unescape_cell takes it off again on import), XLSX cells are typed as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

Cell = str | int | float | date | None
UTF8_BOM = b"\xef\xbb\xbf"  # Excel in Japan needs it to read UTF-8
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula: a leading quote disarms it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def unescape_cell(value: str) -> str:
    """What escape_cell added comes off again on import (an export re-imports unchanged)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _csv_text(cell: Cell) -> Cell:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def csv_lines(rows: Iterable[Sequence[Cell]]) -> bytes:
    """CSV lines (CRLF) as UTF-8, cells as given: for callers that escape cells themselves and
    stream a long file in chunks (the BOM goes first, once)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_text(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A whole CSV file: BOM, header, rows; text cells escaped."""

    def escaped(row: Sequence[Cell]) -> list[Cell]:
        return [escape_cell(cell) if isinstance(cell, str) else cell for cell in row]

    return UTF8_BOM + csv_lines([escaped(header), *(escaped(row) for row in rows)])


def _cell(sheet: Any, value: Cell, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would write "=..." as a formula; text stays text
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if font is not None:
        cell.font = font
    return cell


def xlsx_bytes(
    title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], widths: Sequence[int] = ()
) -> bytes:
    """One sheet with a bold, frozen header row; numbers and dates keep their types."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])  # Excel's limit for sheet names
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    sheet.append([_cell(sheet, text, bold) for text in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Table(Protocol):
    """What a sheet of a workbook shows of a report's table."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def xlsx_workbook(sheets: Sequence[tuple[str, Sequence[Table]]]) -> bytes:
    """One sheet per section of a report; each of its tables under a bold title, with a blank
    row between them; numbers and dates keep their types."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, tables in sheets:
        sheet = book.create_sheet(title=name[:31])
        widest = max((len(table.header) for table in tables), default=1)
        sheet.column_dimensions["A"].width = 40
        for index in range(1, widest):
            sheet.column_dimensions[chr(ord("A") + index)].width = 16
        for number, table in enumerate(tables):
            if number:
                sheet.append([])
            sheet.append([_cell(sheet, table.title, bold)])
            sheet.append([_cell(sheet, text, bold) for text in table.header])
            for row in table.rows:
                sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
