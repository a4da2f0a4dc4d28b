"""Allocating money down the tree (划拨): preview from standards, commit in one set-based step with a
numbered allocation notice (经费下拨通知), and allocations entered by hand (special items, 一事一议)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.params import get_param
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.members.choices import MemberStatus
from apps.members.models import Member
from apps.organizations.models import Organization

from .choices import FundingSource, StandardBasis
from .models import Allocation, AllocationNotice, Budget, FundingStandard, NoticeCounter
from .rollup import Delta, rollup_apply, rollup_month
from .validators import clean_money

ZERO = Decimal("0.00")


@dataclass
class PreviewLine:
    organization_id: int
    name: str
    path: str
    total: Decimal = ZERO
    basis: str = ""


@dataclass
class Preview:
    """The figures of an allocation: ``lines`` holds the first ``limit`` organizations by path (the page and
    the API show those); ``count``, ``total`` and ``by_source`` cover all of them."""

    issuer: Organization
    year: int
    standards: list[FundingStandard]
    lines: list[PreviewLine]
    count: int
    total: Decimal
    by_source: dict[str, Decimal]
    skipped: int  # organizations that already received money from one of these standards
    warnings: list[str]


def _fmt_amount(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def standard_targets(standard: FundingStandard) -> list[tuple[int, str, str]]:
    """(id, path, name) of the active organizations below the region that the standard applies to."""
    region = standard.region
    qs = Organization.objects.filter(path__startswith=region.path, is_active=True).exclude(pk=region.pk)
    if standard.target_kind:
        qs = qs.filter(kind=standard.target_kind)
    if standard.target_sector:
        qs = qs.filter(sector=standard.target_sector)
    if standard.target_parent_kind:
        qs = qs.filter(parent__kind=standard.target_parent_kind)
    if standard.basis == StandardBasis.PER_SITE:
        qs = qs.filter(is_demonstration=True)
    rows = list(qs.order_by("path").values_list("id", "path", "name"))
    if standard.top_level_only and rows:
        ids = {r[0] for r in rows}
        rows = [r for r in rows if not any(int(p) in ids for p in r[1].strip("/").split("/")[:-1])]
    return rows


def _member_counts(region: Organization, targets: set[int]) -> dict[int, int]:
    """Active members in each target's subtree: one GROUP BY, summed up the paths in Python."""
    counts: dict[int, int] = defaultdict(int)
    rows = (
        Member.objects.filter(status=MemberStatus.ACTIVE, organization__path__startswith=region.path)
        .values_list("organization__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, n in rows:
        for part in path.strip("/").split("/"):
            oid = int(part)
            if oid in targets:
                counts[oid] += n
    return counts


def _labels(standards: list[FundingStandard]) -> dict[int, tuple[str, str]]:
    """Per standard, the basis text around the unit count: ("培训：", "人 × 100元") for per member, the
    whole text in the prefix otherwise."""
    out = {}
    for std in standards:
        amount = _fmt_amount(std.amount)
        if std.basis == StandardBasis.PER_MEMBER:
            out[std.pk] = (f"{std.name}：", f"人 × {amount}元")
        elif std.basis == StandardBasis.FIXED:
            out[std.pk] = (f"{std.name}：定额 {amount}元", "")
        else:
            unit = _("个示范点") if std.basis == StandardBasis.PER_SITE else _("个")
            out[std.pk] = (f"{std.name}：1{unit} × {amount}元", "")
    return out


def _lines_python(standards: list[FundingStandard]) -> tuple[list[tuple], set[int]]:
    """The portable way (SQLite): (oid, path, name, standard, amount, basis) rows and the skipped ids."""
    issuer = standards[0].region
    labels = _labels(standards)
    done = set(
        Allocation.objects.filter(standard__in=standards).values_list("standard_id", "organization_id").order_by()
    )
    rows: list[tuple] = []
    skipped: set[int] = set()
    members: dict[int, int] | None = None
    for std in standards:
        targets = standard_targets(std)
        if std.basis == StandardBasis.PER_MEMBER and members is None:
            members = _member_counts(issuer, {t[0] for t in targets})
        prefix, suffix = labels[std.pk]
        for oid, path, name in targets:
            if (std.pk, oid) in done:
                skipped.add(oid)
                continue
            if std.basis == StandardBasis.PER_MEMBER:
                units = (members or {}).get(oid, 0)
                if not units:
                    continue
                basis = f"{prefix}{units}{suffix}"
            else:
                units, basis = 1, prefix + suffix
            rows.append((oid, path, name, std, (Decimal(units) * std.amount).quantize(Decimal("0.01")), basis[:300]))
    return rows, skipped


def _check_standards(acting_user: Any, standards: list[FundingStandard]) -> tuple[Organization, int]:
    ensure_perm(acting_user, "funding.add_allocation")
    if not standards:
        raise ValidationError({"standards": _("请至少选择一项经费标准。")})
    regions = {s.region_id for s in standards}
    years = {s.year for s in standards}
    if len(regions) > 1 or len(years) > 1:
        raise ValidationError({"standards": _("一次下拨只能选择同一地区、同一年度的标准。")})
    ensure_org_in_scope(acting_user, standards[0].region)
    return standards[0].region, standards[0].year


def allocation_preview(*, acting_user: Any, standards: list[FundingStandard], limit: int = 1000) -> Preview:
    """Per organization: the basis (1 × 5000 + 312人 × 100), the amount; and the total. On PostgreSQL two
    queries whatever the number of organizations (only the first ``limit`` lines are fetched)."""
    issuer, year = _check_standards(acting_user, standards)
    standards = sorted(standards, key=lambda s: s.pk)
    if connection.vendor == "postgresql":
        from .allocation_sql import preview_figures

        rows, count, skipped, total, by_source = preview_figures(standards, _labels(standards), limit=limit)
        lines = [PreviewLine(oid, name, path, amount, basis) for oid, name, path, amount, basis in rows]
    else:
        flat, skipped_ids = _lines_python(standards)
        merged: dict[int, PreviewLine] = {}
        by_source = defaultdict(lambda: ZERO)
        for oid, path, name, std, amount, basis in flat:
            line = merged.get(oid)
            if line is None:
                line = merged[oid] = PreviewLine(oid, name, path)
            line.total += amount
            line.basis = f"{line.basis} + {basis}" if line.basis else basis
            by_source[std.source] += amount
        ordered = sorted(merged.values(), key=lambda ln: ln.path)
        lines, count, skipped = ordered[:limit], len(ordered), len(skipped_ids)
        total, by_source = sum((ln.total for ln in ordered), ZERO), dict(by_source)
    warnings = [w for w in (str(s.growth_warning) for s in standards) if w]
    for source, amount in sorted(by_source.items()):
        problem = _budget_problem(issuer, year, source, amount, lock=False)
        if problem:
            warnings.append(problem)
    return Preview(issuer, year, list(standards), lines, count, total, dict(by_source), skipped, warnings)


def _budget_problem(
    issuer: Organization, year: int, source: str, adding: Decimal, *, lock: bool, exclude_notice: int | None = None
) -> str:
    qs = Budget.objects.filter(organization=issuer, year=year, source=source)
    budget = (qs.select_for_update() if lock else qs).first()
    if budget is None:
        return ""
    used_qs = Allocation.objects.filter(issuer=issuer, year=year, source=source)
    if exclude_notice is not None:
        used_qs = used_qs.exclude(notice_id=exclude_notice)
    used = used_qs.aggregate(s=Sum("amount"))["s"] or ZERO
    if used + adding <= budget.amount:
        return ""
    return _("%(source)s预算 %(budget)s 元，已下拨 %(used)s 元，本次 %(adding)s 元，超出预算 %(over)s 元。") % {
        "source": FundingSource(source).label,
        "budget": budget.amount,
        "used": used,
        "adding": adding,
        "over": used + adding - budget.amount,
    }


def _next_notice_number(issuer: Organization, year: int) -> int:
    NoticeCounter.objects.bulk_create([NoticeCounter(issuer=issuer, year=year)], ignore_conflicts=True)
    counter = NoticeCounter.objects.select_for_update().get(issuer=issuer, year=year)
    counter.last_number += 1
    NoticeCounter.objects.filter(pk=counter.pk).update(last_number=counter.last_number)
    return counter.last_number


def _create_notice(
    *,
    acting_user: Any,
    issuer: Organization,
    year: int,
    issued_on: datetime.date,
    title: str,
    body: str,
    total: Decimal,
    count: int,
) -> AllocationNotice:
    return AllocationNotice.objects.create(
        issuer=issuer,
        year=issued_on.year,
        number=_next_notice_number(issuer, issued_on.year),
        prefix=get_param("funding_notice_prefix"),
        title=title,
        body=body,
        issued_on=issued_on,
        total=total,
        recipient_count=count,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )


def _clean_date(value: Any) -> datetime.date:
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({"allocated_on": _("下拨日期格式应为 YYYY-MM-DD。")}) from exc


@transaction.atomic
def allocation_commit(
    *,
    acting_user: Any,
    standards: list[FundingStandard],
    allocated_on: Any = None,
    title: str = "",
    batch_size: int = 5000,
) -> AllocationNotice:
    """Allocate the standards to every organization they apply to, in one step: one notice, one insert of the
    lines, one roll-up upsert. Organizations that already received money from a standard are skipped.

    On PostgreSQL the lines are never brought into Python: the notice is created first, the lines query is
    run once as INSERT … SELECT, the figures are read back from the inserted rows (budget check: over budget
    raises and the whole transaction, notice number included, rolls back), then the roll-up is one
    INSERT … SELECT over the inserted rows."""
    allocated_on = _clean_date(allocated_on)
    issuer, year = _check_standards(acting_user, standards)
    standards = sorted(standards, key=lambda s: s.pk)
    labels = _labels(standards)
    month = rollup_month(year, allocated_on)
    names = "、".join(f"《{s}》" for s in standards)
    title = title.strip() or _("关于下拨%(year)s年党建工作经费的通知") % {"year": year}
    notice = _create_notice(
        acting_user=acting_user, issuer=issuer, year=year, issued_on=allocated_on, title=title, body="", total=ZERO,
        count=0,
    )  # fmt: skip
    if connection.vendor == "postgresql":
        from .allocation_sql import insert_allocations, rollup_notice

        per_source = insert_allocations(
            standards, labels, issuer=issuer, year=year, notice_id=notice.pk, allocated_on=allocated_on
        )
        n_rows, count = (per_source[0][1], per_source[0][2]) if per_source else (0, 0)
        by_source = {source: amount for source, _n, _o, amount in per_source[1:]}
    else:
        flat, _skipped = _lines_python(standards)
        Allocation.objects.bulk_create(
            [
                Allocation(issuer=issuer, organization_id=oid, org_path=path, year=year, source=std.source,
                           amount=amount, standard=std, basis=basis, notice=notice, allocated_on=allocated_on)
                for oid, path, _name, std, amount, basis in flat
                if amount > 0
            ],
            batch_size=batch_size,
        )  # fmt: skip
        n_rows, count = len(flat), len({r[0] for r in flat})
        by_source = defaultdict(lambda: ZERO)
        for *_x, std, amount, _b in flat:
            by_source[std.source] += amount
    if not n_rows:
        raise ValidationError({"standards": _("没有需要下拨的党组织（可能已全部下拨过）。")})
    for source, amount in sorted(by_source.items()):
        problem = _budget_problem(issuer, year, source, amount, lock=True, exclude_notice=notice.pk)
        if problem:
            raise ValidationError({"standards": problem})
    total = sum(by_source.values(), ZERO)
    body = _(
        "各有关党组织：\n\n根据%(names)s，现下拨%(year)s年党建工作经费，共计%(count)s个单位、%(total)s元，"
        "各单位金额见附表。请严格按照规定用途专款专用，及时登记支出并上传凭证，确保经费使用规范、执行及时。"
    ) % {"names": names, "year": year, "count": count, "total": _fmt_amount(total)}
    AllocationNotice.objects.filter(pk=notice.pk).update(body=body, total=total, recipient_count=count)
    notice.body, notice.total, notice.recipient_count = body, total, count
    if connection.vendor == "postgresql":
        rollup_notice(notice_id=notice.pk, year=year, month=month)
    else:
        rollup_apply(
            Delta(path, year, month, std.source, "", amount) for _o, path, _n, std, amount, _b in flat if amount > 0
        )
    audit_record(
        actor=acting_user,
        event="allocationnotice.create",
        obj=notice,
        after=snapshot(notice),
        org_path=issuer.path,
        note=_("按标准下拨 %(n)s 笔，合计 %(t)s 元") % {"n": n_rows, "t": total},
    )
    return notice


@transaction.atomic
def allocation_create(
    *,
    acting_user: Any,
    issuer: Organization,
    organization: Organization,
    year: Any,
    source: str,
    amount: Any,
    basis: str,
    allocated_on: Any = None,
    title: str = "",
) -> Allocation:
    """An allocation entered by hand (special item, 一事一议), with its own one-line notice."""
    from .standards import _check_year

    ensure_perm(acting_user, "funding.add_allocation")
    ensure_org_in_scope(acting_user, issuer)
    if organization is None:
        raise ValidationError({"organization": _("请选择收款单位。")})
    if not organization.path.startswith(issuer.path) or organization.pk == issuer.pk:
        raise ValidationError({"organization": _("收款单位必须是下拨单位的下级党组织。")})
    if not organization.is_active:
        raise ValidationError({"organization": _("收款单位已撤销。")})
    year = _check_year(year)
    if source not in FundingSource.values:
        raise ValidationError({"source": _("请选择经费来源。")})
    amount = clean_money(amount, field="amount", label=_("下拨金额"))
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": _("请填写下拨依据（如专项名称、文件或会议纪要）。")})
    allocated_on = _clean_date(allocated_on)
    problem = _budget_problem(issuer, year, source, amount, lock=True)
    if problem:
        raise ValidationError({"amount": problem})
    title = title.strip() or _("关于下拨%(year)s年%(basis)s经费的通知") % {"year": year, "basis": basis[:40]}
    body = _(
        "%(org)s：\n\n根据%(basis)s，现下拨%(year)s年%(source)s经费%(amount)s元，请专款专用，及时登记支出并上传凭证。"
    ) % {
        "org": organization.name,
        "basis": basis,
        "year": year,
        "source": FundingSource(source).label,
        "amount": _fmt_amount(amount),
    }
    notice = _create_notice(
        acting_user=acting_user,
        issuer=issuer,
        year=year,
        issued_on=allocated_on,
        title=title[:200],
        body=body,
        total=amount,
        count=1,
    )
    alloc = Allocation.objects.create(
        issuer=issuer,
        organization=organization,
        org_path=organization.path,
        year=year,
        source=source,
        amount=amount,
        basis=basis[:300],
        notice=notice,
        allocated_on=allocated_on,
    )
    rollup_apply([Delta(alloc.org_path, year, rollup_month(year, allocated_on), source, "", amount)])
    audit_record(actor=acting_user, event="allocation.create", obj=alloc, after=snapshot(alloc))
    return alloc
