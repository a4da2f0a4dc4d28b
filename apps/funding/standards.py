"""Writes for funding standards and budgets: create, update (until money was allocated from it), copy last
year's standards forward in one action."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import OrgKind, Sector
from apps.organizations.models import Organization

from .choices import FundingSource, StandardBasis
from .models import Budget, FundingStandard
from .validators import clean_money

STANDARD_FIELDS = (
    "name",
    "basis",
    "target_kind",
    "target_sector",
    "target_parent_kind",
    "top_level_only",
    "amount",
    "source",
    "growth_min_percent",
    "note",
)


def _check_year(year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": _("年度必须是四位数字年份。")}) from exc
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度必须在2000年至2100年之间。")})
    return year


def _clean_standard(data: dict[str, Any]) -> dict[str, Any]:
    if not (data.get("name") or "").strip():
        raise ValidationError({"name": _("请填写标准名称。")})
    data["name"] = data["name"].strip()
    if data.get("basis") not in StandardBasis.values:
        raise ValidationError({"basis": _("请选择计算方式。")})
    if data.get("source") not in FundingSource.values:
        raise ValidationError({"source": _("请选择经费来源。")})
    for name, choices, label in (
        ("target_kind", OrgKind.values, _("适用组织类别")),
        ("target_sector", Sector.values, _("适用领域")),
        ("target_parent_kind", OrgKind.values, _("上级组织类别")),
    ):
        data[name] = data.get(name) or ""
        if data[name] and data[name] not in choices:
            raise ValidationError({name: _("%(label)s不正确。") % {"label": label}})
    data["amount"] = clean_money(data.get("amount"), field="amount", label=_("标准金额"))
    pct = data.get("growth_min_percent")
    if pct in ("", None):
        data["growth_min_percent"] = None
    else:
        pct = Decimal(str(pct))
        if not Decimal("0") <= pct <= Decimal("100"):
            raise ValidationError({"growth_min_percent": _("增长比例应在0至100（%）之间。")})
        data["growth_min_percent"] = pct
    if data.get("basis") == StandardBasis.PER_SITE:
        data["top_level_only"] = False
    return data


def _previous(region: Organization, year: int, name: str) -> FundingStandard | None:
    return FundingStandard.objects.filter(region=region, year=year - 1, name=name).first()


@transaction.atomic
def standard_create(*, acting_user: Any, region: Organization, year: int, **fields: Any) -> FundingStandard:
    ensure_perm(acting_user, "funding.add_fundingstandard")
    ensure_org_in_scope(acting_user, region)
    year = _check_year(year)
    data = _clean_standard({k: fields.get(k) for k in STANDARD_FIELDS if k in fields})
    data.setdefault("target_kind", "")
    data.setdefault("target_sector", "")
    data.setdefault("target_parent_kind", "")
    if FundingStandard.objects.filter(region=region, year=year, name=data["name"]).exists():
        raise ValidationError(
            {"name": _("该地区%(year)s年已有名为「%(name)s」的标准。") % {"year": year, "name": data["name"]}}
        )
    std = FundingStandard.objects.create(
        region=region,
        org_path=region.path,
        year=year,
        previous=_previous(region, year, data["name"]),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
        **{k: v for k, v in data.items() if v is not None or k == "growth_min_percent"},
    )
    audit_record(
        actor=acting_user, event="fundingstandard.create", obj=std, after=snapshot(std), note=std.growth_warning
    )
    return std


@transaction.atomic
def standard_update(*, acting_user: Any, standard: FundingStandard, **fields: Any) -> FundingStandard:
    ensure_perm(acting_user, "funding.change_fundingstandard")
    ensure_org_in_scope(acting_user, standard.region)
    if standard.allocations.exists():
        raise ValidationError(_("已按此标准下拨经费，标准不能再修改；如需调整请新建标准。"))
    before = snapshot(standard)
    data = _clean_standard({k: fields.get(k, getattr(standard, k)) for k in STANDARD_FIELDS})
    if (
        data["name"] != standard.name
        and FundingStandard.objects.filter(region=standard.region, year=standard.year, name=data["name"]).exists()
    ):
        raise ValidationError({"name": _("该地区本年度已有同名标准。")})
    for k, v in data.items():
        setattr(standard, k, v)
    standard.previous = _previous(standard.region, standard.year, standard.name)
    standard.save()
    audit_record(
        actor=acting_user, event="fundingstandard.update", obj=standard, before=before, after=snapshot(standard)
    )
    return standard


@transaction.atomic
def standard_copy_forward(
    *, acting_user: Any, region: Organization, from_year: int, to_year: int | None = None
) -> list[FundingStandard]:
    """Copy a region's standards of one year to the next. A standard with a growth rule is raised by at least
    that rule (rounded up to the yuan); names that already exist in the target year are skipped."""
    ensure_perm(acting_user, "funding.add_fundingstandard")
    ensure_org_in_scope(acting_user, region)
    from_year = _check_year(from_year)
    to_year = _check_year(to_year or from_year + 1)
    if to_year <= from_year:
        raise ValidationError({"year": _("只能复制到以后的年度。")})
    old = list(FundingStandard.objects.filter(region=region, year=from_year))
    if not old:
        raise ValidationError({"year": _("%(year)s年没有可复制的经费标准。") % {"year": from_year}})
    taken = set(FundingStandard.objects.filter(region=region, year=to_year).values_list("name", flat=True))
    new = []
    for s in old:
        if s.name in taken:
            continue
        amount = s.amount
        if s.growth_min_percent:
            amount = (amount * (100 + s.growth_min_percent) / 100).quantize(Decimal("1"), rounding=ROUND_CEILING)
        new.append(
            FundingStandard(
                region=region,
                org_path=region.path,
                year=to_year,
                name=s.name,
                basis=s.basis,
                target_kind=s.target_kind,
                target_sector=s.target_sector,
                target_parent_kind=s.target_parent_kind,
                top_level_only=s.top_level_only,
                amount=Decimal(amount).quantize(Decimal("0.01")),
                source=s.source,
                growth_min_percent=s.growth_min_percent,
                previous=s,
                note=s.note,
                created_by=acting_user if getattr(acting_user, "pk", None) else None,
            )
        )
    created = FundingStandard.objects.bulk_create(new)
    for std in created:
        audit_record(
            actor=acting_user,
            event="fundingstandard.create",
            obj=std,
            after=snapshot(std),
            note=_("由%(year)s年标准复制") % {"year": from_year},
        )
    return created


@transaction.atomic
def budget_set(
    *, acting_user: Any, organization: Organization, year: int, source: str, amount: Any, note: str = ""
) -> Budget:
    """Create or change an organization's yearly budget for one source (not below what it already allocated)."""
    from django.db.models import Sum

    from .models import Allocation

    ensure_perm(acting_user, "funding.add_budget")
    ensure_org_in_scope(acting_user, organization)
    year = _check_year(year)
    if source not in FundingSource.values:
        raise ValidationError({"source": _("请选择经费来源。")})
    amount = clean_money(amount, field="amount", label=_("预算金额"), allow_zero=True)
    used = Allocation.objects.filter(issuer=organization, year=year, source=source).aggregate(s=Sum("amount"))["s"]
    if used and amount < used:
        raise ValidationError({"amount": _("预算金额不能低于已下拨的 %(used)s 元。") % {"used": used}})
    budget = Budget.objects.select_for_update().filter(organization=organization, year=year, source=source).first()
    before = snapshot(budget) if budget else None
    if budget is None:
        budget = Budget(organization=organization, org_path=organization.path, year=year, source=source)
    budget.amount, budget.note = amount, note
    budget.save()
    audit_record(
        actor=acting_user,
        event="budget.create" if before is None else "budget.update",
        obj=budget,
        before=before,
        after=snapshot(budget),
    )
    return budget
