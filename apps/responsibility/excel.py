"""Excel export of any list, with formula injection neutralised, and the reading side of imports."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
EXPORT_ROW_CAP = 50000


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (=, +, -, @, and their full-width forms) gets a quote."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, (int, float, datetime.date)):
        return value
    return safe_cell(str(value))


def xlsx_response(
    *, filename: str, headers: list[str], rows: Iterable[Iterable[Any]], sheet: str = "Sheet1"
) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.append(headers)
    for n, row in enumerate(rows):
        if n >= EXPORT_ROW_CAP:
            break
        ws.append([safe_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp


Column = tuple[str, Callable[[Any], Any]]


def export_queryset(*, filename: str, columns: list[Column], queryset: Iterable[Any]) -> HttpResponse:
    return xlsx_response(
        filename=filename,
        headers=[c[0] for c in columns],
        rows=([fn(obj) for _h, fn in columns] for obj in queryset),
    )


def read_rows(file: Any) -> list[list[Any]]:
    """All rows of the first sheet (python-calamine; no formulas evaluated, no external links followed)."""
    from python_calamine import CalamineWorkbook

    data = file.read() if hasattr(file, "read") else file
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
