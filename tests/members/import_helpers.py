"""Spreadsheet builders for the import tests (files are generated into tmp_path, never committed)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl

from apps.members.roster_import.columns import TEMPLATE_HEADERS
from apps.members.validators import id_check_char


def make_id(birth: str = "19800101", seq: int = 1, area: str = "340524", *, male: bool = True) -> str:
    """A valid number; ``seq`` is made odd for men and even for women (GB 11643)."""
    seq = seq * 2 + (1 if male else 0)
    first17 = f"{area}{birth}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def member_row(**over: Any) -> dict[str, Any]:
    row = {
        "姓名": "张伟",
        "性别": "男",
        "民族": "汉族",
        "出生日期": "1980-01-01",
        "身份证号": make_id("19800101", 11),
        "籍贯": "安徽合肥",
        "学历": "大学本科",
        "联系电话": "13800138000",
        "工作单位": "甲公司",
        "职务": "职员",
        "工作岗位类别": "",
        "人员类别": "正式党员",
        "入党日期": "2005-07-01",
        "转正日期": "2006-07-01",
        "所在党组织": "B000A",
        "所在党小组": "",
        "党内职务": "",
        "党籍状态": "正常",
        "流动党员": "",
        "流出/流入地": "",
        "失联党员": "否",
        "积分": 0,
    }
    row.update(over)
    return row


def write_xlsx(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    headers: list[str] | None = None,
    title_rows: int = 0,
    serial_column: bool = False,
    blank_tail: int = 0,
) -> Path:
    headers = headers or TEMPLATE_HEADERS
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append(["XX党委党员花名册" if i == 0 else "填报单位：甲支部　　填报日期：2024年1月"])
    ws.append((["序号"] if serial_column else []) + headers)
    for n, row in enumerate(rows, start=1):
        ws.append(([n] if serial_column else []) + [row.get(h, "") for h in headers])
    for _ in range(blank_tail):
        ws.append([None] * len(headers))
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(TEMPLATE_HEADERS)
        for row in rows:
            writer.writerow([row.get(h, "") for h in TEMPLATE_HEADERS])
    return path
