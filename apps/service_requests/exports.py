"""Excel exports (requests, rates) with formula injection neutralised and requester data masked."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from .pii import mask_address, mask_name, mask_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ROW_CAP = 50000


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, (int, float, datetime.date)):
        return value
    return safe_cell(str(value))


def xlsx_response(*, filename: str, sheets: list[tuple[str, list[str], Iterable[Iterable[Any]]]]) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(headers)
        for n, row in enumerate(rows):
            if n >= ROW_CAP:
                break
            ws.append([safe_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp


def requests_spec(queryset: Any) -> Any:
    """The request list as an export spec (apps/core/export_jobs.py: at once when small, else a background
    job). Always masked: an export leaves the system, where no full view can be audited."""
    from apps.core.export_jobs import ExportSpec

    headers = ["编号", "承办组织", "类别", "渠道", "群众姓名", "联系电话", "住址", "诉求内容", "登记时间", "办结时限",
               "状态", "办结时间", "按时办结", "二次办理"]  # fmt: skip
    rows = (
        [
            r.code,
            r.organization.name,
            str(r.category),
            r.get_channel_display(),
            mask_name(r.requester_name),
            mask_phone(r.requester_phone),
            mask_address(r.requester_address),
            r.content,
            r.received_at,
            r.due_on,
            r.get_status_display(),
            r.answered_at,
            "" if r.closed_on_time is None else ("是" if r.closed_on_time else "否"),
            r.reopen_count,
        ]
        for r in queryset.iterator(chunk_size=2000)
    )
    return ExportSpec(
        title="为民服务事项",
        filename="为民服务事项.xlsx",
        sheet="服务事项",
        headers=headers,
        rows=([safe_cell(v) for v in row] for row in rows),  # local times as text (cells cannot hold a zone)
        total=queryset.count(),
        max_rows=ROW_CAP,
    )


def _pct(v: Any) -> Any:
    return "" if v is None else float(v)


RATE_HEADERS = ["组织", "总量", "已受理", "响应率(%)", "已办结", "办结率(%)", "按时办结率(%)", "已回访", "满意率(%)",
                "二次办理", "二次办理率(%)", "平均办结用时(工作日)"]  # fmt: skip


def rate_row(name: str, f: Any) -> list[Any]:
    return [name, f.volume, f.responded, _pct(f.response_rate), f.closed, _pct(f.closure_rate),
            _pct(f.on_time_closure_rate), f.followed_up, _pct(f.satisfaction_rate), f.reopened,
            _pct(f.reopen_rate), _pct(f.avg_workdays_to_close)]  # fmt: skip


def rates_xlsx(*, root: Any, data: dict[str, Any], start: datetime.date, end: datetime.date) -> HttpResponse:
    from .ranges import range_label

    label = range_label(start, end)
    rows = [rate_row(f"{root.name}（合计，{label}）", data["total"])]
    rows += [rate_row(c.name, f) for c, f in data["children"]]
    months = [rate_row(f"{m.year}年{m.month}月", f) for m, f in data["months"]]
    cats = [[name, n, "" if share is None else float(share)] for name, n, share in data["top_categories"]]
    return xlsx_response(
        filename=f"为民服务统计_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        sheets=[
            ("按组织", RATE_HEADERS, rows),
            ("按月份", ["月份", *RATE_HEADERS[1:]], months),
            ("主要类别", ["类别", "件数", "占比(%)"], cats),
        ],
    )
