"""The one home of spreadsheet rules: the formula guard, the .xlsx response, reading rows.

Every export (pages, API, admin, error reports) writes its cells through ``safe_cell`` (or ``write_xlsx`` /
``xlsx_response``, which call it), and every import that reads back our own exports undoes the guard with
``unguard``. A text cell that a spreadsheet would run as a formula, i.e. one whose first character after any
leading spaces is ``= + - @`` (or the full-width ``＝ ＋ － ＠``), a tab, CR or LF, gets a leading apostrophe
(OWASP "CSV/formula injection").
"""

from __future__ import annotations

import datetime
import decimal
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r", "\n")
_LEADING_SPACES = " \u3000"
EXPORT_ROW_CAP = 50000
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60
_PASS_THROUGH = (bool, int, float, decimal.Decimal, datetime.date, datetime.datetime, datetime.time)


def is_formula_like(text: str) -> bool:
    """True if a spreadsheet would treat this text as a formula (also after leading spaces)."""
    if text.startswith(FORMULA_TRIGGERS):
        return True
    return text.lstrip(_LEADING_SPACES).startswith(FORMULA_TRIGGERS)


def safe_cell(value: Any) -> Any:
    """The value to write in a cell: formula-like text gets a leading apostrophe; None becomes ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if is_formula_like(value) else value
    if isinstance(value, _PASS_THROUGH):
        return value
    return safe_cell(str(value))


def unguard(value: Any) -> Any:
    """Undo ``safe_cell`` on the way in: our own export prefixed an apostrophe to a formula-like text."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and is_formula_like(value[1:]):
        return value[1:]
    return value


def display_width(value: Any) -> int:
    """Column width for a value: CJK (wide) characters count twice."""
    text = value.isoformat() if isinstance(value, datetime.date) else str(value if value is not None else "")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def sheet_title(name: str) -> str:
    """A valid sheet name from any text (an organization's name may hold characters Excel forbids there):
    the forbidden characters dropped, no leading/trailing apostrophe, at most 31 characters."""
    text = _SHEET_FORBIDDEN.sub("", str(name or "")).strip().strip("'")[:31].strip()
    return text or "数据"


def write_xlsx(
    *, headers: list[str], rows: Iterable[Iterable[Any]], sheet: str = "数据", max_rows: int = EXPORT_ROW_CAP
) -> bytes:
    """One sheet: a bold frozen header row, guarded cells, column widths fitted to CJK text; at most
    ``max_rows`` rows (a background export job may pass a larger cap than a page's)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    iterator = iter(rows)
    sample: list[list[Any]] = []
    for row in iterator:
        sample.append([safe_cell(v) for v in row])
        if len(sample) >= WIDTH_SAMPLE_ROWS:
            break
    widths = [display_width(h) for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], display_width(value))

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet_title(sheet))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=safe_cell(header))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    written = 0
    for row in sample:
        if written >= max_rows:
            break
        ws.append(row)
        written += 1
    for row in iterator:
        if written >= max_rows:
            break
        ws.append([safe_cell(v) for v in row])
        written += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_bytes(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file_response(data: bytes, filename: str) -> HttpResponse:
    """An .xlsx download (the file name may be Chinese)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(
    *, filename: str, headers: list[str], rows: Iterable[Iterable[Any]], sheet: str = "数据"
) -> HttpResponse:
    return xlsx_file_response(write_xlsx(headers=headers, rows=rows, sheet=sheet), filename)


Column = tuple[str, Callable[[Any], Any]]


def export_queryset(
    *, filename: str, columns: list[Column], queryset: Iterable[Any], sheet: str = "数据"
) -> HttpResponse:
    """A list page's export: one column per (header, getter)."""
    return xlsx_response(
        filename=filename,
        headers=[c[0] for c in columns],
        rows=([fn(obj) for _h, fn in columns] for obj in queryset),
        sheet=sheet,
    )


def read_rows(file: Any, *, max_rows: int = 20_000, max_cols: int = 100) -> list[list[Any]]:
    """All rows of the first sheet, through the upload gate (type by content, used range streamed from the
    sheet XML) and parsed by python-calamine in a memory-limited child process (apps.core.uploads).
    No formulas evaluated, no external links followed. Raises ValidationError (Chinese) when refused."""
    from .uploads import first_sheet_rows

    data = file.read() if hasattr(file, "read") else file
    name = getattr(file, "name", "") or "upload.xlsx"
    return first_sheet_rows(data, filename=name, max_rows=max_rows, max_cols=max_cols)
