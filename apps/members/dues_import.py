"""Excel import of a branch's (or a county's) dues bases and month payments.

Members are matched by ID number (through the blind index) or, without one, by a name that is unique in
the uploader's scope. Every problem is reported with its row and column; one bad row saves nothing.
Payments are written with one upsert per 2,000 rows, so a county's month (≈ 30k rows) is one request.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record
from apps.core.metrics import common_root
from apps.core.periods import Period
from apps.core.scoping import ensure_perm

from .choices import MemberStatus
from .crypto import blind_index
from .dues import dues_monthly_amount, dues_quantum, dues_table, parse_category
from .dues_collection import _amount
from .dues_models import DuesBase, ReductionKind
from .models import Member
from .validators import normalize_id_number

COLUMNS = {
    "payments": ["姓名", "身份证号", "月份", "金额", "交纳方式", "交纳日期"],
    "bases": [
        "姓名",
        "身份证号",
        "年度",
        "党员类别",
        "交纳基数",
        "减免",
        "减交后金额",
        "减免原因",
        "支委会决定日期",
        "上级批准日期",
        "批准党组织",
    ],
}
REQUIRED = {"payments": ["金额", "交纳方式", "交纳日期"], "bases": ["党员类别", "交纳基数"]}
MAX_ROWS = 200_000


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("第%(r)d行") % {"r": self.row} if self.row else _("表头")
        return f"{where}「{self.column}」：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    saved: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)


def _read(upload: Any) -> list[tuple[int, list[Any]]]:
    from apps.core.spreadsheets import read_rows, unguard

    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("请上传 .xlsx 格式的 Excel 文件。")})
    if getattr(upload, "size", 0) and upload.size > 50 * 1024 * 1024:
        raise ValidationError({"file": _("文件不能超过50MB。")})
    try:
        rows = read_rows(upload, max_rows=MAX_ROWS + 10, max_cols=50)
    except ValidationError as exc:  # the upload gate's own message (size, range, macros…) names the problem
        raise ValidationError({"file": exc.messages}) from exc
    except Exception as exc:
        raise ValidationError({"file": _("无法读取该文件，请确认是 Excel（.xlsx）文件。")}) from exc
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": _("一次最多导入%(n)d行。") % {"n": MAX_ROWS}})
    return [  # (unguard only where our own export may have put an apostrophe: one test per cell)
        (number, [unguard(v) if v.__class__ is str and v[:1] == "'" else v for v in row])
        for number, row in enumerate(rows, start=1)
        if any(v not in (None, "") for v in row)
    ]


def _header(rows: list[tuple[int, list[Any]]], kind: str) -> tuple[int, dict[str, int]]:
    wanted = COLUMNS[kind]
    for index, (_number, values) in enumerate(rows[:10]):
        names = [str(v or "").strip().replace(" ", "").rstrip("*") for v in values]
        found = {n: i for i, n in enumerate(names) if n in wanted}
        if len(found) >= 2:
            missing = [c for c in REQUIRED[kind] if c not in found]
            if "身份证号" not in found and "姓名" not in found:
                missing.append("身份证号")
            if missing:
                raise ValidationError({"file": _("表头缺少：%(c)s。") % {"c": "、".join(missing)}})
            return index, found
    raise ValidationError({"file": _("找不到表头行，应包含：%(c)s。") % {"c": "、".join(wanted)}})


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
    text = text.replace("日", "").strip("-")
    try:
        return datetime.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError as exc:
        raise ValueError(_("应为日期，例如 2026-11-05")) from exc


def _period(value: Any) -> Period:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return Period.of(value)
    try:
        return Period.parse(str(value or ""))
    except ValidationError as exc:
        raise ValueError(_("应为月份，例如 2026-11")) from exc


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


@dataclass(frozen=True)
class _M:
    """The few member columns an import needs (no model instances for 30k rows)."""

    pk: int
    name: str
    organization_id: int
    org_path: str
    joined_on: datetime.date | None


class _Matcher:
    """Resolves rows to members of the user's scope: a few queries for the whole file."""

    COLS = ("id", "name", "organization_id", "org_path", "joined_on")

    def __init__(self, user: Any, records: list[dict[str, Any]]) -> None:
        hashes = list({r["_hash"] for r in records if r.get("_hash")})
        names = {r["姓名"] for r in records if not r.get("_hash") and r.get("姓名")}
        qs = Member.objects.visible_to(user).filter(status=MemberStatus.ACTIVE)
        self.by_hash: dict[str, _M] = {}
        for i in range(0, len(hashes), 5000):
            for h, *cols in qs.filter(id_hash__in=hashes[i : i + 5000]).values_list("id_hash", *self.COLS):
                self.by_hash[h] = _M(*cols)
        self.by_name: dict[str, list[_M]] = defaultdict(list)
        if names:
            for cols in qs.filter(name__in=list(names)).values_list(*self.COLS):
                self.by_name[cols[1]].append(_M(*cols))

    def find(self, record: dict[str, Any]) -> tuple[Any, str, str]:
        if record.get("_hash"):
            m = self.by_hash.get(record["_hash"])
            if m is None:
                return None, "身份证号", _("在您管理范围内的在册党员中找不到该身份证号")
            if record.get("姓名") and record["姓名"] != m.name:
                return None, "姓名", _("与身份证号对应的党员姓名（%(n)s）不一致") % {"n": m.name}
            return m, "", ""
        found = self.by_name.get(record.get("姓名") or "", [])
        if not found:
            return None, "姓名", _("找不到该党员")
        if len(found) > 1:
            return None, "身份证号", _("有同名党员，请填写身份证号")
        return found[0], "", ""


def _records(rows: list[tuple[int, list[Any]]], kind: str, errors: list[RowError]) -> list[dict[str, Any]]:
    start, cols = _header(rows, kind)
    out = []
    for number, values in rows[start + 1 :]:
        rec: dict[str, Any] = {"_row": number}
        for name, i in cols.items():
            rec[name] = values[i] if i < len(values) else None
        raw_id = rec.get("身份证号")
        if isinstance(raw_id, (int, float)):
            errors.append(
                RowError(number, "身份证号", _("该列为数字格式，Excel 已丢失位数，请将身份证号列设为文本格式"))
            )
            continue
        rec["姓名"] = _text(rec.get("姓名"))
        if raw_id:
            rec["_hash"] = blind_index(normalize_id_number(raw_id))
        elif not rec["姓名"]:
            errors.append(RowError(number, "身份证号", _("姓名和身份证号至少填写一项")))
            continue
        out.append(rec)
    return out


def dues_import_file(
    *,
    acting_user: Any,
    kind: str,
    upload: Any,
    year: int | None = None,
    period: Period | None = None,
    dry_run: bool = False,
) -> ImportResult:
    ensure_perm(acting_user, "members.add_duespayment" if kind == "payments" else "members.add_duesbase")
    rows = _read(upload)
    return dues_import_rows(acting_user=acting_user, kind=kind, rows=rows, year=year, period=period, dry_run=dry_run)


@transaction.atomic
def dues_import_rows(
    *,
    acting_user: Any,
    kind: str,
    rows: list[tuple[int, list[Any]]],
    year: int | None = None,
    period: Period | None = None,
    dry_run: bool = False,
) -> ImportResult:
    result = ImportResult(kind=kind, dry_run=dry_run)
    records = _records(rows, kind, result.errors)
    result.rows = len(records) + len(result.errors)
    if kind == "payments":
        return _import_payments(acting_user, records, period, result)
    objs = _bases(acting_user, records, _Matcher(acting_user, records), year, result)
    result.errors.sort(key=lambda e: e.row)
    if result.errors or dry_run:
        return result
    for i in range(0, len(objs), 2000):
        DuesBase.objects.bulk_create(
            objs[i : i + 2000],
            update_conflicts=True,
            unique_fields=["member", "year"],
            update_fields=[
                "category",
                "base",
                "monthly_amount",
                "reduction",
                "reduced_amount",
                "reduction_reason",
                "committee_decided_on",
                "approved_on",
                "approved_by_org",
                "recorded_by",
                "organization",
                "org_path",
            ],
        )
    result.saved = len(objs)
    org = getattr(acting_user, "organization", None) or (objs[0].organization if objs else None)
    if org is not None:
        audit_record(actor=acting_user, event="dues_bases.import", obj=org, note=_("导入%(n)d行") % {"n": len(objs)})
    return result


def _import_payments(user: Any, records: list[dict], period: Period | None, result: ImportResult) -> ImportResult:
    """The set-based month import (dues_import_payments); the roll-up refreshes after the commit."""
    from .dues_import_payments import import_payments

    saved, paths, months = import_payments(
        acting_user=user, records=records, period=period, errors=result.errors, dry_run=result.dry_run
    )
    result.errors.sort(key=lambda e: e.row)
    if result.errors or result.dry_run or not saved:
        return result
    result.saved = saved
    org = getattr(user, "organization", None)
    if org is None:
        from apps.organizations.models import Organization

        org = Organization.objects.filter(path=common_root(paths)).first()
    if org is None:
        return result
    audit_record(actor=user, event="dues_payments.import", obj=org, note=_("导入%(n)d行") % {"n": saved})
    periods = sorted(Period.of(m) for m in months)
    root = common_root(paths) if user.is_superuser or not user.organization_id else org.path
    transaction.on_commit(lambda: _refresh(periods, root))
    return result


def _refresh(months: list[Period], root: str) -> None:
    from .dues_stats import dues_stats_refresh

    for p in months:
        dues_stats_refresh(period=p, root_path=root)


def _bases(user: Any, records: list[dict], matcher: _Matcher, year: int | None, result: ImportResult) -> list:
    tables: dict[int, Any] = {}
    quantum = dues_quantum()
    seen: dict[tuple[int, int], int] = {}
    objs = []
    for rec in records:
        n = rec["_row"]
        errs_before = len(result.errors)
        try:
            y = int(rec["年度"]) if rec.get("年度") not in (None, "") else year
            if not y or not 2000 <= y <= timezone.localdate().year + 1:
                raise ValueError
        except (TypeError, ValueError):
            result.errors.append(RowError(n, "年度", _("请填写年度（如 2026），或在上传时选择年度")))
            y = None
        try:
            category = parse_category(_text(rec.get("党员类别")))
        except ValidationError as exc:
            result.errors.append(RowError(n, "党员类别", exc.message_dict["category"][0]))
            category = None
        try:
            base = _amount(rec.get("交纳基数"))
        except ValueError as exc:
            result.errors.append(RowError(n, "交纳基数", str(exc)))
            base = None
        reduction_text = _text(rec.get("减免"))
        reduction = {"": "", "减交": ReductionKind.REDUCED, "免交": ReductionKind.EXEMPT}.get(reduction_text)
        if reduction is None:
            result.errors.append(RowError(n, "减免", _("只能为：减交、免交，或不填")))
        extra: dict[str, Any] = {
            "reduction": reduction or "",
            "reduction_reason": _text(rec.get("减免原因"))[:200],
            "approved_by_org": _text(rec.get("批准党组织"))[:100],
        }
        for col, key in (("支委会决定日期", "committee_decided_on"), ("上级批准日期", "approved_on")):
            extra[key] = None
            if rec.get(col) not in (None, ""):
                try:
                    extra[key] = _date(rec[col])
                except ValueError as exc:
                    result.errors.append(RowError(n, col, str(exc)))
        extra["reduced_amount"] = None
        if rec.get("减交后金额") not in (None, ""):
            try:
                extra["reduced_amount"] = _amount(rec["减交后金额"])
            except ValueError as exc:
                result.errors.append(RowError(n, "减交后金额", str(exc)))
        if reduction:
            if not extra["committee_decided_on"]:
                result.errors.append(RowError(n, "支委会决定日期", _("减交、免交须经支部委员会研究决定")))
            if not extra["approved_on"]:
                result.errors.append(RowError(n, "上级批准日期", _("减交、免交须报上级党组织批准")))
            if not extra["reduction_reason"]:
                result.errors.append(RowError(n, "减免原因", _("减交、免交须写明原因")))
            if reduction == ReductionKind.REDUCED and extra["reduced_amount"] is None:
                result.errors.append(RowError(n, "减交后金额", _("减交须填写减交后每月金额")))
        member, col, msg = matcher.find(rec)
        if member is None:
            result.errors.append(RowError(n, col, msg))
        if len(result.errors) > errs_before:
            continue
        if (member.pk, y) in seen:
            result.errors.append(
                RowError(n, "身份证号", _("与第%(r)d行重复（同一党员同一年度）") % {"r": seen[(member.pk, y)]})
            )
            continue
        seen[(member.pk, y)] = n
        table = tables.setdefault(y, dues_table(y))
        amount = dues_monthly_amount(category=category, base=base, table=table, quantum=quantum)
        if reduction == ReductionKind.REDUCED and not (Decimal(0) <= extra["reduced_amount"] < amount):
            result.errors.append(RowError(n, "减交后金额", _("应低于按标准应交的%(a)s元") % {"a": amount}))
            continue
        objs.append(
            DuesBase(
                member_id=member.pk,
                organization_id=member.organization_id,
                org_path=member.org_path,
                year=y,
                category=category,
                base=base,
                monthly_amount=amount,
                recorded_by=user,
                **extra,
            )
        )
    return objs


def template_bytes(kind: str) -> bytes:
    from apps.core.spreadsheets import write_xlsx

    return write_xlsx(headers=COLUMNS[kind], rows=[], sheet="党费交纳" if kind == "payments" else "党费基数")
