"""党费: the monthly amount (domain.md §5, 2008 rules) and each member's yearly category and base.

``dues_monthly_amount`` is the one home of the rule. The bracket table is data (``DuesBracket``, by year,
so a province can issue its own); with no rows for a year the 2008 national table below applies.
Payments, arrears and collection figures live in dues_collection.py and dues_stats.py.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.params import get_param
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .dues_models import DuesBase, DuesBracket, DuesCategory, ReductionKind


@dataclass(frozen=True)
class Bracket:
    upper_bound: Decimal | None  # inclusive; None = no upper bound
    rate_percent: Decimal | None = None
    fixed_amount: Decimal | None = None


D = Decimal
#: 《关于中国共产党党费收缴、使用和管理的规定》(2008): whole-amount brackets, not marginal.
TABLE_2008: dict[str, list[Bracket]] = {
    DuesCategory.EMPLOYED: [
        Bracket(D("3000"), D("0.5")),
        Bracket(D("5000"), D("1")),
        Bracket(D("10000"), D("1.5")),
        Bracket(None, D("2")),
    ],
    DuesCategory.RETIREE: [Bracket(D("5000"), D("0.5")), Bracket(None, D("1"))],
    # Farmers pay 0.2–1 yuan a month, the province sets the figure; 0.50 until a province table says otherwise.
    DuesCategory.FARMER: [Bracket(None, fixed_amount=D("0.50"))],
    DuesCategory.STUDENT: [Bracket(None, fixed_amount=D("0.20"))],
    DuesCategory.UNEMPLOYED: [Bracket(None, fixed_amount=D("0.20"))],
    DuesCategory.LOW_INCOME: [Bracket(None, fixed_amount=D("0.20"))],
}
Table = dict[str, list[Bracket]]


def dues_table(year: int | None = None) -> Table:
    """The table in force for ``year``: per category, the rows of the latest table year ≤ ``year``."""
    year = year or timezone.localdate().year
    rows = list(
        DuesBracket.objects.filter(year__lte=year)
        .order_by("-year")
        .values_list("year", "category", "upper_bound", "rate_percent", "fixed_amount")
    )
    table: Table = {k: list(v) for k, v in TABLE_2008.items()}
    chosen: dict[str, int] = {}
    loaded: dict[str, list[Bracket]] = {}
    for row_year, category, upper, rate, fixed in rows:
        if chosen.setdefault(category, row_year) != row_year:
            continue
        loaded.setdefault(category, []).append(Bracket(upper, rate, fixed))
    for category, brackets in loaded.items():
        table[category] = sorted(brackets, key=lambda b: (b.upper_bound is None, b.upper_bound or 0))
    return table


def dues_quantum() -> Decimal:
    try:
        return Decimal(get_param("dues_round_to"))
    except (InvalidOperation, KeyError):
        return Decimal("0.01")


def category_label_list() -> str:
    return "、".join(str(label) for label in DuesCategory.labels)


def parse_category(value: str) -> str:
    """A category code from its code or its Chinese name (imports)."""
    text = (value or "").strip()
    for code, label in DuesCategory.choices:
        if text in (code, str(label)) or (text and str(label).startswith(text)):
            return code
    aliases = {"在职": "employed", "退休": "retiree", "离休": "retiree", "下岗": "unemployed", "失业": "unemployed"}
    aliases.update({"低保": "low_income", "抚恤": "low_income", "困难": "low_income"})
    if text in aliases:
        return aliases[text]
    raise ValidationError(
        {"category": _("未知的党员类别「%(v)s」，应为：%(list)s。") % {"v": text, "list": category_label_list()}}
    )


def dues_monthly_amount(
    *,
    category: str,
    base: Decimal,
    year: int | None = None,
    table: Table | None = None,
    quantum: Decimal | None = None,
) -> Decimal:
    """The monthly dues for a category and a declared base (monthly after-tax regular wage or pension).

    Whole-amount brackets: the rate of the bracket the base falls in applies to the whole base
    (3000 → 15.00, 3000.01 → 30.00). Fixed-amount categories ignore the base. Half-up to 0.01 (the
    ``dues_round_to`` parameter). Bulk callers pass ``table`` and ``quantum`` once for many members.
    """
    if category not in DuesCategory.values:
        msg = _("未知的党员类别「%(v)s」，应为：%(list)s。") % {"v": category, "list": category_label_list()}
        raise ValidationError({"category": msg})
    try:
        base = Decimal(str(base)) if not isinstance(base, Decimal) else base
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"base": _("党费交纳基数应为金额（元），例如 4500.00。")}) from exc
    if not base.is_finite():
        raise ValidationError({"base": _("党费交纳基数应为金额（元），例如 4500.00。")})
    if base < 0:
        raise ValidationError({"base": _("党费交纳基数不能为负数。")})
    brackets = (table or dues_table(year))[category]
    for bracket in brackets:
        if bracket.upper_bound is None or base <= bracket.upper_bound:
            if bracket.fixed_amount is not None:
                amount = bracket.fixed_amount
            else:
                amount = base * bracket.rate_percent / Decimal(100)
            step = quantum or dues_quantum()
            return amount.quantize(step, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))
    raise ValidationError({"base": _("党费交纳标准表不完整：缺少无上限的一档。")})


def _base_errors(values: dict[str, Any], table: Table) -> tuple[dict[str, str], Decimal | None]:
    errors: dict[str, str] = {}
    amount = None
    try:
        amount = dues_monthly_amount(category=values["category"], base=values["base"], table=table)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    reduction = values.get("reduction") or ""
    if reduction not in ReductionKind.values:
        errors["reduction"] = _("减免只能为：减交、免交，或不填。")
    elif reduction:
        if not values.get("reduction_reason"):
            errors["reduction_reason"] = _("减交、免交须写明原因。")
        if not values.get("committee_decided_on"):
            errors["committee_decided_on"] = _("减交、免交须经支部委员会研究决定，请填写支委会决定日期。")
        if not values.get("approved_on"):
            errors["approved_on"] = _("减交、免交须报上级党组织批准，请填写批准日期。")
        elif values.get("committee_decided_on") and values["approved_on"] < values["committee_decided_on"]:
            errors["approved_on"] = _("上级批准日期不能早于支委会决定日期。")
        if reduction == ReductionKind.REDUCED:
            reduced = values.get("reduced_amount")
            if reduced is None:
                errors["reduced_amount"] = _("减交须填写减交后每月金额。")
            elif amount is not None and not (Decimal(0) <= reduced < amount):
                errors["reduced_amount"] = _("减交后金额应不少于0且低于按标准应交的%(a)s元。") % {"a": amount}
    return errors, amount


@transaction.atomic
def dues_base_set(
    *, acting_user: Any, member: Any, year: int, category: str, base: Decimal, table: Table | None = None, **extra: Any
) -> DuesBase:
    """Record (or correct) a member's category and base for a year; the monthly amount follows."""
    ensure_perm(acting_user, "members.add_duesbase")
    ensure_org_in_scope(acting_user, member.organization)
    values = {"category": category, "base": base, **extra}
    if extra.get("reduction") == ReductionKind.EXEMPT:
        values["reduced_amount"] = None
    errors, amount = _base_errors(values, table or dues_table(year))
    if not 2000 <= int(year) <= timezone.localdate().year + 1:
        errors["year"] = _("年度不正确。")
    if errors:
        raise ValidationError(errors)
    obj = DuesBase.objects.select_for_update().filter(member=member, year=year).first()
    before = snapshot(obj) if obj else None
    obj = obj or DuesBase(member=member, year=year)
    obj.organization, obj.org_path = member.organization, member.organization.path
    obj.category, obj.base, obj.monthly_amount = category, Decimal(base), amount
    for field in ("reduction", "reduced_amount", "reduction_reason", "committee_decided_on", "approved_on"):
        setattr(obj, field, values.get(field) or ("" if field in ("reduction", "reduction_reason") else None))
    obj.approved_by_org = values.get("approved_by_org") or ""
    obj.recorded_by = acting_user if getattr(acting_user, "pk", None) else None
    obj.save()
    audit_record(
        actor=acting_user,
        event="dues_base.create" if before is None else "dues_base.update",
        obj=obj,
        before=before,
        after=snapshot(obj),
    )
    return obj


def month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)
