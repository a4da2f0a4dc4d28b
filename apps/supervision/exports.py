"""The monthly bulletin as .xlsx (cells guarded by ``apps.core.spreadsheets.safe_cell``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core.spreadsheets import safe_cell, workbook_bytes, xlsx_file_response


def _append(ws: Any, cells: list[Any]) -> None:
    ws.append([safe_cell(c) for c in cells])


def bulletin_workbook(b: dict[str, Any]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "月通报"
    _append(ws, [f"{b['issuer'].name}{b['period'].label}党建工作通报"])
    ws["A1"].font = Font(bold=True, size=14)
    _append(ws, [])
    _append(ws, ["函件类别", "发出", "已答复", "已办结", "逾期未复"])
    for k in b["kinds"].values():
        _append(ws, [str(k["label"]), k["sent"], k["answered"], k["closed"], k["overdue"]])
    _append(ws, ["合计", b["totals"].get("sent", 0), b["totals"].get("answered", 0), b["totals"].get("closed", 0),
               b["totals"].get("overdue", 0)])  # fmt: skip
    _append(ws, [])
    _append(ws, ["本月发现问题", b["problems"]["found"], "其中督查发现", b["problems"]["from_inspections"]])
    _append(ws, ["整改销号", b["problems"]["rectified"]])
    _append(ws, ["新增问责", b["accountabilities"]])
    _append(ws, [])
    _append(ws, ["排名", "党组织", "预警函", "督办函", "提示函", "逾期未复", "已答复", "发现问题"])
    for r in b["ranking"]:
        _append(ws, [r["rank"], r["org"].name, r["warning"], r["supervision"], r["reminder"], r["overdue"],
                   r["answered"], r["findings"]])  # fmt: skip
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = "A4"
    return wb


def bulletin_xlsx_response(b: dict[str, Any]) -> HttpResponse:
    return xlsx_file_response(workbook_bytes(bulletin_workbook(b)), f"bulletin-{b['period']}.xlsx")
