"""Allocating money down the tree (划拨): preview from standards, commit in one set-based step with a
numbered allocation notice (经费下拨通知), and allocations entered by hand (special items, 一事一议)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
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
    parts: list[tuple[int, Decimal, Decimal, str]] = field(default_factory=list)  # (standard id, units, amount, basis)

    @property
    def total(self) -> Decimal:
        return sum((p[2] for p in self.parts), ZERO)

    @property
    def basis(self) -> str:
        return " + ".join(p[3] for p in self.parts)


@dataclass
class Preview:
    issuer: Organization
    year: int
    standards: list[FundingStandard]
    lines: list[PreviewLine]
    skipped: int  # organizations that already received money from one of these standards
    warnings: list[str]

    @property
    def total(self) -> Decimal:
        return sum((ln.total for ln in self.lines), ZERO)

    def by_source(self) -> dict[str, Decimal]:
        std_source = {s.pk: s.source for s in self.standards}
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for ln in self.lines:
            for sid, _u, amount, _b in ln.parts:
                out[std_source[sid]] += amount
        return dict(out)


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


def allocation_preview(*, acting_user: Any, standards: list[FundingStandard]) -> Preview:
    """Per organization: the basis (1 × 5000 + 312人 × 100), the amount; and the total. Set-based."""
    ensure_perm(acting_user, "funding.add_allocation")
    if not standards:
        raise ValidationError({"standards": _("请至少选择一项经费标准。")})
    regions = {s.region_id for s in standards}
    years = {s.year for s in standards}
    if len(regions) > 1 or len(years) > 1:
        raise ValidationError({"standards": _("一次下拨只能选择同一地区、同一年度的标准。")})
    issuer = standards[0].region
    ensure_org_in_scope(acting_user, issuer)
    year = standards[0].year
    lines: dict[int, PreviewLine] = {}
    done = set(
        Allocation.objects.filter(standard__in=standards).values_list("standard_id", "organization_id").order_by()
    )
    skipped: set[int] = set()
    members: dict[int, int] | None = None
    for std in standards:
        targets = standard_targets(std)
        if std.basis == StandardBasis.PER_MEMBER and members is None:
            members = _member_counts(issuer, {t[0] for t in targets})
        unit = _("个示范点") if std.basis == StandardBasis.PER_SITE else _("个")
        per_unit = f"{std.name}：1{unit} × {_fmt_amount(std.amount)}元"
        for oid, path, name in targets:
            if (std.pk, oid) in done:
                skipped.add(oid)
                continue
            if std.basis == StandardBasis.PER_MEMBER:
                units = Decimal((members or {}).get(oid, 0))
                if not units:
                    continue
                basis = f"{std.name}：{int(units)}人 × {_fmt_amount(std.amount)}元"
            elif std.basis == StandardBasis.FIXED:
                units = Decimal(1)
                basis = f"{std.name}：定额 {_fmt_amount(std.amount)}元"
            else:
                units = Decimal(1)
                basis = per_unit
            line = lines.get(oid)
            if line is None:
                line = lines[oid] = PreviewLine(oid, name, path)
            line.parts.append((std.pk, units, (units * std.amount).quantize(Decimal("0.01")), basis))
    warnings = [w for w in (str(s.growth_warning) for s in standards) if w]
    preview = Preview(
        issuer=issuer,
        year=year,
        standards=list(standards),
        lines=sorted(lines.values(), key=lambda ln: ln.path),
        skipped=len(skipped),
        warnings=warnings,
    )
    for source, amount in preview.by_source().items():
        problem = _budget_problem(issuer, year, source, amount, lock=False)
        if problem:
            preview.warnings.append(problem)
    return preview


def _budget_problem(issuer: Organization, year: int, source: str, adding: Decimal, *, lock: bool) -> str:
    qs = Budget.objects.filter(organization=issuer, year=year, source=source)
    budget = (qs.select_for_update() if lock else qs).first()
    if budget is None:
        return ""
    used = Allocation.objects.filter(issuer=issuer, year=year, source=source).aggregate(s=Sum("amount"))["s"] or ZERO
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


def _insert_allocations(
    rows: list[tuple], *, issuer: Organization, year: int, notice: AllocationNotice, allocated_on: datetime.date,
    batch_size: int,
) -> None:  # fmt: skip
    """(organization id, path, source, amount, standard id, basis) rows: COPY on PostgreSQL (no per-row SQL to
    build or parse), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        Allocation.objects.bulk_create(
            [
                Allocation(issuer=issuer, organization_id=oid, org_path=path, year=year, source=source, amount=amount,
                           standard_id=sid, basis=basis, notice=notice, allocated_on=allocated_on)
                for oid, path, source, amount, sid, basis in rows
            ],
            batch_size=batch_size,
        )  # fmt: skip
        return
    table = connection.ops.quote_name(Allocation._meta.db_table)
    cols = "issuer_id, organization_id, org_path, year, source, amount, spent, standard_id, basis, notice_id, " \
        "allocated_on, created_at"  # fmt: skip
    now = timezone.now()
    with connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for oid, path, source, amount, sid, basis in rows:
            copy.write_row((issuer.pk, oid, path, year, source, amount, ZERO, sid, basis, notice.pk, allocated_on, now))


@transaction.atomic
def allocation_commit(
    *,
    acting_user: Any,
    standards: list[FundingStandard],
    allocated_on: Any = None,
    title: str = "",
    batch_size: int = 5000,
) -> AllocationNotice:
    """Allocate the standards to every organization they apply to, in one step: one notice, one bulk insert,
    one roll-up upsert. Organizations that already received money from a standard are skipped."""
    allocated_on = _clean_date(allocated_on)
    preview = allocation_preview(acting_user=acting_user, standards=standards)
    if not preview.lines:
        raise ValidationError({"standards": _("没有需要下拨的党组织（可能已全部下拨过）。")})
    issuer, year = preview.issuer, preview.year
    for source, amount in sorted(preview.by_source().items()):
        problem = _budget_problem(issuer, year, source, amount, lock=True)
        if problem:
            raise ValidationError({"standards": problem})
    total = preview.total
    names = "、".join(f"《{s}》" for s in standards)
    title = title.strip() or _("关于下拨%(year)s年党建工作经费的通知") % {"year": year}
    body = _(
        "各有关党组织：\n\n根据%(names)s，现下拨%(year)s年党建工作经费，共计%(count)s个单位、%(total)s元，"
        "各单位金额见附表。请严格按照规定用途专款专用，及时登记支出并上传凭证，确保经费使用规范、执行及时。"
    ) % {"names": names, "year": year, "count": len(preview.lines), "total": _fmt_amount(total)}
    notice = _create_notice(
        acting_user=acting_user,
        issuer=issuer,
        year=year,
        issued_on=allocated_on,
        title=title,
        body=body,
        total=total,
        count=len(preview.lines),
    )
    std_by_id = {s.pk: s for s in standards}
    rows = [
        (ln.organization_id, ln.path, std_by_id[sid].source, amount, sid, basis[:300])
        for ln in preview.lines
        for sid, _units, amount, basis in ln.parts
        if amount > 0
    ]
    _insert_allocations(rows, issuer=issuer, year=year, notice=notice, allocated_on=allocated_on, batch_size=batch_size)
    month = rollup_month(year, allocated_on)
    rollup_apply(Delta(path, year, month, source, "", amount) for _oid, path, source, amount, _sid, _b in rows)
    audit_record(
        actor=acting_user,
        event="allocationnotice.create",
        obj=notice,
        after=snapshot(notice),
        org_path=issuer.path,
        note=_("按标准下拨 %(n)s 笔，合计 %(t)s 元") % {"n": len(rows), "t": total},
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
