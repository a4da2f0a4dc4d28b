"""Import of responsibility lists from Excel: preview (dry run), row/column errors in Chinese, atomic commit.

Each row goes through the same service as the page (scope, rules, audit); any error rolls back the whole
file, so a list is either imported completely or not at all.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.organizations.models import Organization

from . import services
from .choices import DeadlineClass, DutyPost, ItemType, ProblemSource, Severity

if TYPE_CHECKING:
    from apps.accounts.models import User

# item type -> [(header, service kwarg, required)]
COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    ItemType.TASK: [
        ("组织代码", "organization", True),
        ("年度", "year", True),
        ("任务内容", "content", True),
        ("目标要求", "target", False),
        ("完成时限", "due", True),
    ],
    ItemType.PROBLEM: [
        ("组织代码", "organization", True),
        ("年度", "year", True),
        ("问题来源", "source", True),
        ("问题类别", "category", True),
        ("问题描述", "description", True),
        ("严重程度", "severity", False),
        ("发现日期", "found_on", False),
        ("整改时限类别", "deadline_class", False),
        ("整改期限", "deadline", False),
        ("整改措施", "measures", False),
        ("责任人", "responsible_person", False),
        ("责任单位", "responsible_unit", False),
    ],
    ItemType.DUTY: [
        ("组织代码", "organization", True),
        ("年度", "year", True),
        ("责任人", "person_name", True),
        ("职务", "post", True),
        ("责任内容", "duties", True),
    ],
}
CHOICES = {
    "source": ProblemSource,
    "severity": Severity,
    "deadline_class": DeadlineClass,
    "post": DutyPost,
}
_QUARTER = re.compile(r"^(?:(\d{4})\s*年?\s*)?(?:第\s*)?([1-4一二三四])\s*季度?$|^Q([1-4])$", re.IGNORECASE)
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行「{self.column}」：{self.message}"


@dataclass
class ImportResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    committed: bool = False


class _Rollback(Exception):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    m = _DATE.match(_text(value))
    if not m:
        raise ValueError(_("日期格式应为 YYYY-MM-DD，例如 2026-12-31。"))
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError(_("不是有效的日期。")) from exc


def _choice(name: str, value: str) -> str:
    enum = CHOICES[name]
    for key, label in enum.choices:
        if value in (key, str(label)) or str(label).startswith(value):
            return key
    raise ValueError(_("应为以下之一：%(c)s。") % {"c": "、".join(str(label) for _k, label in enum.choices)})


def _convert(item_type: str, raw: dict[str, Any], orgs: dict[str, Organization]) -> tuple[dict[str, Any], list]:
    """Row cells -> service kwargs; errors as (column header, message)."""
    out: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for header, kw, required in COLUMNS[item_type]:
        value = raw.get(header)
        text = _text(value)
        if required and not text:
            errors.append((header, _("必填，不能为空。")))
            continue
        try:
            if kw == "organization":
                if text not in orgs:
                    raise ValueError(_("找不到组织代码“%(c)s”，或不在您的管理范围内。") % {"c": text})
                out[kw] = orgs[text]
            elif kw == "year":
                if not re.fullmatch(r"\d{4}", text):
                    raise ValueError(_("应为四位年份，例如 2026。"))
                out[kw] = int(text)
            elif kw == "due":
                m = _QUARTER.match(text) if not isinstance(value, (datetime.date, datetime.datetime)) else None
                if m:
                    q = m.group(2) or m.group(3)
                    out["due_quarter"] = int(_CN_DIGIT.get(q, q))
                else:
                    out["due_date"] = parse_date(value)
            elif kw in ("found_on", "deadline"):
                if text:
                    out[kw] = parse_date(value)
            elif kw in CHOICES:
                if text:
                    out[kw] = _choice(kw, text)
            else:
                out[kw] = text
        except ValueError as exc:
            errors.append((header, str(exc)))
    return out, errors


def _field_header(item_type: str, field_name: str) -> str:
    for header, kw, _r in COLUMNS[item_type]:
        if kw == field_name or (kw == "due" and field_name in ("due_date", "due_quarter")):
            return header
    return "—"


def items_import(*, acting_user: User, item_type: str, rows: list[list[Any]], commit: bool) -> ImportResult:
    """Import a sheet (first row: headers). With ``commit=False`` nothing is kept (preview)."""
    if item_type not in COLUMNS:
        raise ValidationError({"item_type": _("清单类型无效。")})
    result = ImportResult()
    if not rows:
        result.errors.append(RowError(1, "—", _("文件是空的。")))
        return result
    header_row = [_text(h).rstrip("*＊") for h in rows[0]]
    missing = [h for h, _kw, req in COLUMNS[item_type] if req and h not in header_row]
    if missing:
        result.errors.append(RowError(1, "、".join(missing), _("缺少必需的列。请使用导入模板。")))
        return result
    index = {h: i for i, h in enumerate(header_row) if h}
    data = []
    for n, row in enumerate(rows[1:], start=2):
        cells = {h: (row[i] if i < len(row) else None) for h, i in index.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        data.append((n, cells))
    codes = {_text(c.get("组织代码")) for _n, c in data}
    orgs = {o.code: o for o in Organization.objects.visible_to(acting_user).filter(code__in=codes, is_active=True)}
    create = {
        ItemType.TASK: services.task_create,
        ItemType.PROBLEM: services.problem_create,
        ItemType.DUTY: services.duty_create,
    }[item_type]
    try:
        with transaction.atomic():
            for n, cells in data:
                kwargs, errors = _convert(item_type, cells, orgs)
                result.rows.append({"row": n, **{h: _text(v) for h, v in cells.items()}})
                if errors:
                    result.errors.extend(RowError(n, h, m) for h, m in errors)
                    continue
                try:
                    with transaction.atomic():
                        create(acting_user=acting_user, **kwargs)
                    result.created += 1
                except ValidationError as exc:
                    for fname, msgs in exc.message_dict.items():
                        for msg in msgs:
                            result.errors.append(RowError(n, _field_header(item_type, fname), msg))
                except PermissionDenied as exc:
                    result.errors.append(RowError(n, "组织代码", str(exc)))
            if result.errors or not commit:
                raise _Rollback
            result.committed = True
    except _Rollback:
        if result.errors:
            result.created = 0
    return result


def template_headers(item_type: str) -> list[str]:
    return [f"{h}*" if req else h for h, _kw, req in COLUMNS[item_type]]
