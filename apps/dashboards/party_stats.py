"""党内统计: the yearly member tables of a subtree as of a date, from the snapshots — as pages and Excel.

Every table has one row for the scope (合计) and one per child organization; each member table's columns
cover every value of its dimension (including 未填写), so a row's cells add up to its total.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from apps.core.metrics import metrics
from apps.core.spreadsheets import XLSX, safe_cell
from apps.organizations.choices import OrgKind, Sector

from .models import MemberStatsSnapshot
from .panels import DIMENSION_TITLES, dimension_keys
from .selectors import Figures, ScopeData

MEMBER_TABLES = ["gender", "ethnicity", "age", "education", "occupation", "sector", "join_period"]

CHANGE_COLUMNS = [
    ("members.admitted_count", "发展党员", +1),
    ("members.transferred_in_count", "转入", +1),
    ("members.transferred_out_count", "转出", -1),
    ("members.stopped_or_left_count", "停止党籍/出党", -1),
    ("members.deceased_count", "死亡", -1),
]


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]  # {"org": Organization, "label": str, "total": int, "cells": [int]}
    total_label: str = "合计"
    note: str = ""


def _row(fig: Figures, label: str, total: int, cells: list[int]) -> dict[str, Any]:
    return {"org": fig.org, "label": label, "total": total, "cells": cells}


def member_table(data: ScopeData, dim: str) -> Table:
    keys = dimension_keys()[dim]
    rows = []
    for i, fig in enumerate([data.scope, *data.children]):
        cells = [fig.count(f"{dim}:{k}") for k, _l in keys]
        rows.append(_row(fig, _("合计") if i == 0 else fig.org.name, fig.total, cells))
    return Table(
        id=f"members-{dim}",
        title=_("党员按%(d)s分类") % {"d": DIMENSION_TITLES[dim]},
        columns=[str(label) for _k, label in keys],
        rows=rows,
        total_label=_("党员总数"),
    )


def organization_table(data: ScopeData, field: str) -> Table:
    if field == "kind":
        keys = [(f"organizations.kind.{k}", str(label)) for k, label in OrgKind.choices]
        title, total_label = _("党组织按类别分类"), _("党组织总数（含党小组）")
    else:
        keys = [(f"organizations.sector.{k}", str(label)) for k, label in Sector.choices]
        keys.append(("organizations.sector.none", _("未填写")))
        title, total_label = _("党组织按领域分类"), _("党组织总数（不含党小组）")
    rows = []
    for i, fig in enumerate([data.scope, *data.children]):
        cells = [int(fig.metric(k)[0]) for k, _l in keys]
        total = sum(cells) if field == "kind" else int(fig.metric("organizations.org_count")[0])
        rows.append(_row(fig, _("合计") if i == 0 else fig.org.name, total, cells))
    return Table(
        id=f"orgs-{field}", title=title, columns=[label for _k, label in keys], rows=rows, total_label=total_label
    )


def changes_table(data: ScopeData, last_year: dict[int, MemberStatsSnapshot]) -> Table:
    """上年底 + 发展 + 转入 − 转出 − 停止党籍/出党 − 死亡 = 本年底, per organization."""
    registry = metrics()
    end = data.metric_as_of
    start = datetime.date(end.year, 1, 1) if end else None
    rows = []
    for i, fig in enumerate([data.scope, *data.children]):
        moves = [int(fig.metric(name)[0]) for name, _l, _s in CHANGE_COLUMNS]
        # each figure links to the list it counts (the figures are the year to date as of the metrics' date)
        links = [
            registry[name].link(fig.org, start, end) if end and name in registry and registry[name].link else ""
            for name, _l, _s in CHANGE_COLUMNS
        ]
        end_total = fig.total
        derived = end_total - sum(sign * n for (_n, _l, sign), n in zip(CHANGE_COLUMNS, moves, strict=True))
        stored = last_year.get(fig.org.pk)
        stored_total = stored.count("total") if stored is not None else None
        rows.append(
            {
                "org": fig.org,
                "label": _("合计") if i == 0 else fig.org.name,
                "start_stored": stored_total,
                "start": derived,
                "cells": moves,
                "links": links,
                "linked_cells": list(zip(moves, links, strict=True)),
                "total": end_total,
                "difference": (stored_total - derived) if stored_total is not None else None,
            }
        )
    return Table(
        id="changes",
        title=_("本年党员增减变化"),
        columns=[label for _n, label, _s in CHANGE_COLUMNS],
        rows=rows,
        total_label=_("本年底党员数"),
        note=_(
            "上年底党员数（推算）= 本年底 − 发展 − 转入 + 转出 + 停止党籍/出党 + 死亡；"
            "有上年底快照时一并列出并核对差额。"
        ),
    )


def last_year_snapshots(*, user: Any, data: ScopeData) -> dict[int, MemberStatsSnapshot]:
    if data.member_as_of is None:
        return {}
    ids = [data.org.pk] + [f.org.pk for f in data.children]
    year_end = datetime.date(data.member_as_of.year - 1, 12, 31)
    return {
        r.organization_id: r
        for r in MemberStatsSnapshot.objects.visible_to(user).filter(as_of=year_end, organization_id__in=ids)
    }


def all_tables(*, user: Any, data: ScopeData) -> tuple[list[Table], Table]:
    tables = [member_table(data, dim) for dim in MEMBER_TABLES]
    tables += [organization_table(data, "kind"), organization_table(data, "sector")]
    return tables, changes_table(data, last_year_snapshots(user=user, data=data))


def party_stats_xlsx(*, data: ScopeData, tables: list[Table], changes: Table) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    as_of = data.member_as_of
    date_label = f"{as_of.year}年{as_of.month}月{as_of.day}日" if as_of else "—"
    for n, table in enumerate([*tables, changes], start=1):
        ws = wb.create_sheet(f"表{n}")
        ws.append([safe_cell(f"{data.org.name} {table.title}")])
        ws.append([safe_cell(_("统计日期：%(d)s") % {"d": date_label})])
        ws["A1"].font = Font(bold=True, size=14)
        if table is changes:
            ws.append(
                [
                    _("党组织"),
                    _("上年底党员数（快照）"),
                    _("上年底党员数（推算）"),
                    *table.columns,
                    table.total_label,
                    _("差额"),
                ]
            )
            for row in table.rows:
                ws.append(
                    [safe_cell(row["label"]), row["start_stored"] if row["start_stored"] is not None else "—",
                     row["start"], *row["cells"], row["total"],
                     row["difference"] if row["difference"] is not None else "—"]
                )  # fmt: skip
        else:
            ws.append([_("党组织"), table.total_label, *table.columns])
            for row in table.rows:
                ws.append([safe_cell(row["label"]), row["total"], *row["cells"]])
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, horizontal="center")
        ws.column_dimensions["A"].width = 30
        if table.note:
            ws.append([])
            ws.append([safe_cell(table.note)])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    filename = f"党内统计_{data.org.name}_{as_of or ''}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
