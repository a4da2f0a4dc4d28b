"""Excel in the layouts people print: the ranking table and one organization's score sheet."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from apps.core.spreadsheets import safe_cell, workbook_bytes, xlsx_file_response

from .models import AssessmentPlan, AssessmentResult

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _print_setup(ws: Worksheet, *, cols: int, landscape: bool = False) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    ws.print_options.horizontalCentered = True
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=cols)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")


def _table(ws: Worksheet, header: list[str], first_row: int) -> None:
    for row in ws.iter_rows(min_row=first_row, max_row=ws.max_row, max_col=len(header)):
        for cell in row:
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in ws[first_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _response(wb: Workbook, filename: str) -> HttpResponse:
    return xlsx_file_response(workbook_bytes(wb), filename)


def ranking_workbook(plan: AssessmentPlan, results: Any) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    header = ["名次", "党组织", "基础得分", "加分", "扣分", "总分", "等次", "星级", "一票否决"]
    ws.append([safe_cell(f"{plan.title}结果排名")])
    ws.append([safe_cell(f"考核单位：{plan.organization.name}　　状态：{plan.get_status_display()}")])
    ws.append(header)
    for r in results.iterator(2000) if hasattr(results, "iterator") else results:
        ws.append([
            r.rank, safe_cell(r.organization.name), r.base_points, r.bonus_points, r.deduction_points, r.total,
            str(r.grade_label), r.star_rating or "", safe_cell(r.veto_reason) if r.vetoed else "",
        ])  # fmt: skip
    _table(ws, header, 3)
    for col, width in zip("ABCDEFGHI", (6, 36, 10, 8, 8, 10, 8, 6, 30), strict=True):
        ws.column_dimensions[col].width = width
    _print_setup(ws, cols=len(header), landscape=True)
    return wb


def ranking_xlsx_response(plan: AssessmentPlan, results: Any) -> HttpResponse:
    return _response(ranking_workbook(plan, results), f"ranking-{plan.year}-{plan.pk}.xlsx")


def score_sheet_workbook(result: AssessmentResult, sheet: list[dict[str, Any]]) -> Workbook:
    plan = result.plan
    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    header = ["大项", "指标", "分值", "评分方式", "得分", "依据"]
    ws.append([safe_cell(f"{plan.title}评分表")])
    ws.append([safe_cell(f"被考核组织：{result.organization.name}　　总分：{result.total}　　名次：{result.rank or '—'}"
                         f"　　等次：{result.grade_label or '—'}")])  # fmt: skip
    ws.append(header)
    for block in sheet:
        group = block["node"].name if block["node"] else str(block["label"])
        for row in block["items"]:
            ind, score = row["indicator"], row["score"]
            ws.append([
                safe_cell(group), safe_cell(ind.name), ind.points, str(ind.get_method_display()),
                score.points if score else "", safe_cell(row["evidence"]),
            ])  # fmt: skip
    ws.append(["", "合计", "", "", result.total, safe_cell(result.veto_reason) if result.vetoed else ""])
    _table(ws, header, 3)
    for col, width in zip("ABCDEF", (14, 30, 8, 12, 8, 40), strict=True):
        ws.column_dimensions[col].width = width
    _print_setup(ws, cols=len(header))
    return wb


def score_sheet_xlsx_response(result: AssessmentResult, sheet: list[dict[str, Any]]) -> HttpResponse:
    return _response(score_sheet_workbook(result, sheet), f"score-sheet-{result.plan.year}-{result.pk}.xlsx")
