"""Reads: execution figures from the roll-up table (never the ledger), lists, the home panel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Q, Sum
from django.utils import timezone

from apps.organizations.models import Organization

from .choices import ExpenseCategory, FundingSource
from .models import Allocation, Expense, FundingRollup

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass
class Figures:
    allocated: Decimal = ZERO
    spent: Decimal = ZERO

    def __post_init__(self) -> None:
        # SQLite sums drop the scale: show 1000.00 on every database.
        self.allocated = Decimal(self.allocated or 0).quantize(CENT)
        self.spent = Decimal(self.spent or 0).quantize(CENT)

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.spent

    @property
    def rate(self) -> Decimal | None:
        """执行率 in percent (one decimal), None without money allocated."""
        if not self.allocated:
            return None
        return (self.spent * 100 / self.allocated).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Row(Figures):
    label: str = ""
    organization: Any = None
    key: Any = None


def _sum(qs: Any, *group: str, own: bool = False) -> Any:
    a, s = ("own_allocated", "own_spent") if own else ("allocated", "spent")
    return qs.values(*group).annotate(a=Sum(a), s=Sum(s)).order_by(*group)


def execution_summary(*, user: Any, organization: Organization, year: int) -> dict[str, Any]:
    """The execution page for one scope: totals, one row per child (plus the organization's own money),
    and the scope's figures per source, category and month. Three small queries whatever the subtree size:
    the children, their roll-up sums, and the scope's own roll-up rows (grouped by source / category / month
    in Python: at most a few hundred rows, never the ledger)."""
    base = FundingRollup.objects.visible_to(user).filter(year=year)
    children = list(
        Organization.objects.filter(parent=organization, is_active=True)
        .order_by("path")
        .only("id", "name", "code", "path", "kind", "descendant_count")
    )
    by_org = {
        r["organization_id"]: r
        for r in _sum(
            base.filter(Q(organization_id=organization.pk) | Q(parent_id_copy=organization.pk)), "organization_id"
        )
    }
    mine = by_org.get(organization.pk, {"a": ZERO, "s": ZERO})
    total = Figures(mine["a"] or ZERO, mine["s"] or ZERO)
    rows = []
    for child in children:
        r = by_org.get(child.pk)
        rows.append(Row((r or {}).get("a") or ZERO, (r or {}).get("s") or ZERO, label=child.name, organization=child))
    child_alloc = sum((r.allocated for r in rows), ZERO)
    child_spent = sum((r.spent for r in rows), ZERO)
    own_row = Row(
        total.allocated - child_alloc, total.spent - child_spent, label=organization.name, organization=organization
    )
    # The scope's own roll-up rows (at most 12 months × sources × categories) in one query, grouped here.
    src_labels = dict(FundingSource.choices)
    cat_labels = dict(ExpenseCategory.choices)
    per_source: dict[str, list] = {}
    per_category: dict[str, Decimal] = {}
    months: dict[int, list] = {}
    for month, source, category, a, sp in base.filter(organization_id=organization.pk).values_list(
        "month", "source", "category", "allocated", "spent"
    ):
        acc = per_source.setdefault(source, [ZERO, ZERO])
        acc[0] += a
        acc[1] += sp
        if category:
            per_category[category] = per_category.get(category, ZERO) + sp
        acc = months.setdefault(month, [ZERO, ZERO])
        acc[0] += a
        acc[1] += sp
    by_source = [Row(v[0], v[1], label=str(src_labels.get(k, k)), key=k) for k, v in sorted(per_source.items())]
    by_category = [Row(ZERO, v, label=str(cat_labels.get(k, k)), key=k) for k, v in sorted(per_category.items())]
    by_month = []
    cum = Figures()
    for m in range(1, 13):
        a, sp = months.get(m, (ZERO, ZERO))
        cum = Figures(cum.allocated + a, cum.spent + sp)
        f = Figures(a, sp)
        by_month.append({"month": m, "allocated": f.allocated, "spent": f.spent, "cum_rate": cum.rate})
    return {
        "organization": organization,
        "year": year,
        "total": total,
        "rows": rows,
        "own_row": own_row if (own_row.allocated or own_row.spent) else None,
        "by_source": by_source,
        "by_category": by_category,
        "by_month": by_month,
    }


def available_allocations(*, user: Any, organization: Organization | None = None) -> Any:
    """Allocations the user may record expenses against: in scope, with money left, newest year first."""
    qs = Allocation.objects.visible_to(user).filter(amount__gt=F("spent")).select_related("organization", "standard")
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("-year", "organization__path", "id")


def home_panel(*, user: Any) -> dict[str, Any]:
    """Funding on the home page: this year's allocated / spent / rate for the user's scope, and the children
    furthest behind. Three queries."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("funding.view_allocation"):
        return {"kind": None}
    org = getattr(user, "organization", None)
    if org is None:
        return {"kind": None}
    year = timezone.localdate().year
    base = FundingRollup.objects.visible_to(user).filter(year=year)
    rows = {
        r["organization_id"]: r
        for r in _sum(base.filter(Q(organization_id=org.pk) | Q(parent_id_copy=org.pk)), "organization_id")
    }
    mine = rows.pop(org.pk, None) or {"a": ZERO, "s": ZERO}
    total = Figures(mine["a"] or ZERO, mine["s"] or ZERO)
    behind = []
    if rows:
        names = dict(Organization.objects.filter(pk__in=list(rows)).values_list("id", "name"))
        for oid, r in rows.items():
            f = Row(r["a"] or ZERO, r["s"] or ZERO, label=names.get(oid, ""), key=oid)
            if f.allocated:
                behind.append(f)
        behind.sort(key=lambda f: (f.rate, f.label))
    no_voucher = Expense.objects.visible_to(user).without_voucher().filter(allocation__year=year).count()
    return {
        "kind": "funding",
        "year": year,
        "organization": org,
        "total": total,
        "behind": behind[:5],
        "no_voucher": no_voucher,
    }
