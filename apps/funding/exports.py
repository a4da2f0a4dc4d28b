"""Excel export of every funding table (write-only openpyxl; text that a spreadsheet would run as a formula
is quoted, as in the other apps' exports)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
EXPORT_ROW_CAP = 50000


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
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
