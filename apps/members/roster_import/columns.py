"""Roster import: the columns. The template uses the first header of each entry; the others are what real 花名册
call them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import normalize as nz
from ..services import EDITABLE_FIELDS

# ---------------------------------------------------------------------------------------------------------
# Columns. The template uses the first header of each entry; the others are what real 花名册 call them.
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", ("姓名", "党员姓名"), required=True),
    Column("gender", ("性别",)),
    Column("ethnicity", ("民族",)),
    Column("birth_date", ("出生日期", "出生年月", "出生年月日", "生日")),
    Column("id_number", ("身份证号", "公民身份号码", "身份证号码", "身份证", "证件号码"), required=True),
    Column("native_place", ("籍贯",)),
    Column("education", ("学历", "文化程度", "最高学历", "全日制学历")),
    Column("phone", ("联系电话", "手机号", "手机号码", "手机", "电话", "联系方式")),
    Column("work_unit", ("工作单位", "单位", "工作单位及职务")),
    Column("position", ("职务", "现任职务", "行政职务")),
    Column("occupation_category", ("工作岗位类别", "工作岗位", "人员身份", "职业类别")),
    Column("category", ("人员类别", "党员类别", "党员类型", "正式/预备")),
    Column("joined_on", ("入党日期", "入党时间", "加入党组织日期")),
    Column("confirmed_on", ("转正日期", "转正时间")),
    Column("organization", ("所在党组织", "所在党支部", "党组织", "所属党组织", "所属支部", "党支部", "组织代码")),
    Column("party_group", ("所在党小组", "党小组")),
    Column("party_post", ("党内职务",)),
    Column("status", ("党籍状态", "状态")),
    Column("mobile_state", ("流动党员", "流动状态", "是否流动党员")),
    Column("mobile_place", ("流出/流入地", "流出地", "流入地", "流向")),
    Column("mobile_since", ("流动开始日期", "外出日期", "流出日期")),
    Column("mobile_contact", ("流动期间联系方式",)),
    Column("lost_contact", ("失联党员", "是否失联")),
    Column("lost_contact_since", ("失联日期", "失去联系日期")),
    Column("lost_contact_reason", ("失联原因", "失去联系原因")),
    Column("points", ("积分",)),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TEMPLATE_HEADERS = [c.headers[0] for c in COLUMNS]
IGNORED_HEADERS = {"序号", "编号", "备注", "NO", "NO.", "#"}

_HEADER_CLEAN = re.compile(r"[\s*＊:：()（）\[\]【】]|必填|选填")


def _header_key(text: Any) -> str:
    return _HEADER_CLEAN.sub("", nz.clean_text(text))


_HEADER_LOOKUP = {_header_key(h): c.key for c in COLUMNS for h in c.headers}
# Fields a member row stores and compares for "unchanged".
MEMBER_FIELDS = (
    *(f"{f}_id" if f == "party_group" else f for f in EDITABLE_FIELDS),  # what anyone may edit, as columns
    "organization_id",
    "status",
)
_FIELD_FOR_KEY = {"organization": "organization_id"}
