"""The monthly bulletin as .xlsx. Text cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Prefix text that starts like a formula with an apostrophe (OWASP CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def bulletin_workbook(b: dict[str, Any]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "月通报"
    ws.append([safe_cell(f"{b['issuer'].name}{b['period'].label}党建工作通报")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["函件类别", "发出", "已答复", "已办结", "逾期未复"])
    for k in b["kinds"].values():
        ws.append([str(k["label"]), k["sent"], k["answered"], k["closed"], k["overdue"]])
    ws.append(["合计", b["totals"].get("sent", 0), b["totals"].get("answered", 0), b["totals"].get("closed", 0),
               b["totals"].get("overdue", 0)])  # fmt: skip
    ws.append([])
    ws.append(["本月发现问题", b["problems"]["found"], "其中督查发现", b["problems"]["from_inspections"]])
    ws.append(["整改销号", b["problems"]["rectified"]])
    ws.append(["新增问责", b["accountabilities"]])
    ws.append([])
    ws.append(["排名", "党组织", "预警函", "督办函", "提示函", "逾期未复", "已答复", "发现问题"])
    for r in b["ranking"]:
        ws.append([r["rank"], safe_cell(r["org"].name), r["warning"], r["supervision"], r["reminder"], r["overdue"],
                   r["answered"], r["findings"]])  # fmt: skip
    ws.column_dimensions["B"].width = 40
    return wb


def bulletin_xlsx_response(b: dict[str, Any]) -> HttpResponse:
    buf = io.BytesIO()
    bulletin_workbook(b).save(buf)
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="bulletin-{b["period"]}.xlsx"'
    return resp
