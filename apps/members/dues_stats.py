"""Dues figures: each organization's own counts per month (one GROUP BY each), rolled up the tree along the
materialized path into ``DuesMonthStats`` (the roll-up page reads one row per organization), the metrics
and the due item for six months of arrears."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Least
from django.utils.translation import gettext as _

from apps.core.due_items import DueItem
from apps.core.params import get_int_param
from apps.core.periods import Period
from apps.core.scoping import path_in_subtree
from apps.organizations.models import Organization

from .choices import MemberStatus
from .dues_models import (
    DuesArrearsNote,
    DuesBase,
    DuesHandover,
    DuesMonthStats,
    DuesPayment,
    DuesStatsRun,
    ReductionKind,
)
from .models import Member

ZERO = Decimal("0.00")
FIELDS = ("own_liable", "own_paid", "own_expected_amount", "own_paid_amount", "handed_up")


def _liable_members(*, period: Period, root_path: str) -> Any:
    exempt = DuesBase.objects.filter(member=OuterRef("pk"), year=period.year, reduction=ReductionKind.EXEMPT)
    return (
        Member.objects.filter(org_path__startswith=root_path, status=MemberStatus.ACTIVE)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=period.last_day))
        .exclude(Exists(exempt))
    )


def own_figures(*, period: Period, root_path: str = "/", org_ids: list[int] | None = None) -> dict[int, dict]:
    """Each organization's own figures for the month, keyed by organization id (4 GROUP BY queries)."""
    own: dict[int, dict] = defaultdict(
        lambda: {
            "own_liable": 0,
            "own_paid": 0,
            "own_expected_amount": ZERO,
            "own_paid_amount": ZERO,
            "handed_up": ZERO,
        }
    )
    where = {"organization_id__in": org_ids} if org_ids is not None else {}
    for row in (
        _liable_members(period=period, root_path=root_path)
        .filter(**where)
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        own[row["organization_id"]]["own_liable"] = row["n"]
    effective = Case(
        When(reduction=ReductionKind.EXEMPT, then=Value(ZERO)),
        When(reduction=ReductionKind.REDUCED, reduced_amount__isnull=False, then=F("reduced_amount")),
        default=F("monthly_amount"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    bases = DuesBase.objects.filter(
        year=period.year,
        member__org_path__startswith=root_path,
        member__status=MemberStatus.ACTIVE,
    ).filter(Q(member__joined_on__isnull=True) | Q(member__joined_on__lte=period.last_day))
    if org_ids is not None:
        bases = bases.filter(member__organization_id__in=org_ids)
    for row in bases.values("member__organization_id").annotate(s=Sum(effective)).order_by():
        own[row["member__organization_id"]]["own_expected_amount"] = row["s"] or ZERO
    pays = DuesPayment.objects.filter(org_path__startswith=root_path, month=period.first_day, **where)
    for row in pays.values("organization_id").annotate(n=Count("id"), s=Sum("amount")).order_by():
        own[row["organization_id"]]["own_paid"] = row["n"]
        own[row["organization_id"]]["own_paid_amount"] = row["s"] or ZERO
    hand = DuesHandover.objects.filter(org_path__startswith=root_path, month=period.first_day, **where)
    for row in hand.values("organization_id", "amount"):
        own[row["organization_id"]]["handed_up"] = row["amount"]
    return own


def _path_ids(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


@transaction.atomic
def dues_stats_refresh(*, period: Period, root_path: str = "/") -> int:
    """Recompute the month's figures of every organization under ``root_path`` (set-based; idempotent)."""
    orgs = dict(Organization.objects.filter(path__startswith=root_path).values_list("id", "path"))
    own = own_figures(period=period, root_path=root_path)
    totals: dict[int, list] = {oid: [0, 0, ZERO, ZERO] for oid in orgs}
    for oid, f in own.items():
        path = orgs.get(oid)
        if path is None:
            continue
        for ancestor in _path_ids(path):
            acc = totals.get(ancestor)
            if acc is not None:
                acc[0] += f["own_liable"]
                acc[1] += f["own_paid"]
                acc[2] += f["own_expected_amount"]
                acc[3] += f["own_paid_amount"]
    rows = []
    for oid, (liable, paid, expected, paid_amount) in totals.items():
        f = own.get(oid) or {}
        rows.append(
            DuesMonthStats(
                organization_id=oid,
                org_path=orgs[oid],
                month=period.first_day,
                liable=liable,
                paid=paid,
                expected_amount=expected,
                paid_amount=paid_amount,
                **{k: f.get(k, 0 if "amount" not in k and k != "handed_up" else ZERO) for k in FIELDS},
            )
        )
    DuesMonthStats.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["organization", "month"],
        update_fields=["org_path", "liable", "paid", "expected_amount", "paid_amount", *FIELDS, "refreshed_at"],
    )
    DuesStatsRun.objects.update_or_create(root_path=root_path, month=period.first_day)
    return len(rows)


@transaction.atomic
def dues_stats_refresh_branch(*, organization: Any, period: Period) -> None:
    """After a branch records a month: its own figures change, the difference is added to every ancestor."""
    fresh = own_figures(period=period, root_path=organization.path, org_ids=[organization.pk])[organization.pk]
    row = DuesMonthStats.objects.select_for_update().filter(organization=organization, month=period.first_day).first()
    old = {k: getattr(row, k) if row else (0 if k in ("own_liable", "own_paid") else ZERO) for k in FIELDS}
    ancestors = _path_ids(organization.path)
    existing = set(
        DuesMonthStats.objects.filter(organization_id__in=ancestors, month=period.first_day).values_list(
            "organization_id", flat=True
        )
    )
    missing = [a for a in ancestors if a not in existing]
    if missing:
        paths = dict(Organization.objects.filter(pk__in=missing).values_list("id", "path"))
        DuesMonthStats.objects.bulk_create(
            [
                DuesMonthStats(organization_id=a, org_path=paths[a], month=period.first_day)
                for a in missing
                if a in paths
            ],
            ignore_conflicts=True,
        )
    DuesMonthStats.objects.filter(organization_id__in=ancestors, month=period.first_day).update(
        liable=F("liable") + (fresh["own_liable"] - old["own_liable"]),
        paid=F("paid") + (fresh["own_paid"] - old["own_paid"]),
        expected_amount=F("expected_amount") + (fresh["own_expected_amount"] - old["own_expected_amount"]),
        paid_amount=F("paid_amount") + (fresh["own_paid_amount"] - old["own_paid_amount"]),
    )
    DuesMonthStats.objects.filter(organization=organization, month=period.first_day).update(**fresh)


def dues_rollup(*, user: Any, organization: Any, period: Period) -> dict[str, Any]:
    """The organization's figures and its children's, from the pre-aggregated table (2 queries)."""
    children = list(Organization.objects.visible_to(user).filter(parent=organization).order_by("code"))
    stats = {
        s.organization_id: s
        for s in DuesMonthStats.objects.visible_to(user).filter(
            organization_id__in=[organization.pk, *[c.pk for c in children]], month=period.first_day
        )
    }
    return {
        "organization": organization,
        "period": period,
        "total": stats.get(organization.pk),
        "children": [(c, stats.get(c.pk)) for c in children],
    }


# ---- metrics -----------------------------------------------------------------------------------------


def _months(start: datetime.date, end: datetime.date) -> list[Period]:
    out, p = [], Period.of(start)
    while p.first_day <= end:
        out.append(p)
        p = p.next()
    return out


def refreshed_months(*, root_path: str, months: list[Period]) -> set[datetime.date]:
    """The months whose figures were refreshed for the whole of ``root_path`` (by a refresh of it or above)."""
    runs = DuesStatsRun.objects.filter(month__in=[p.first_day for p in months]).values_list("root_path", "month")
    return {month for path, month in runs if path_in_subtree(root_path, path)}


def collection_rate_source(*, root_path: str, start: datetime.date, end: datetime.date) -> dict[str, tuple]:
    """Per organization path: (member-months paid, member-months owed) over the months in [start, end].

    Months refreshed into ``DuesMonthStats`` (the daily job keeps this month and the last) are read from it in
    one GROUP BY; other months are counted from the members (``own_figures``), with the same figures: each
    organization's own min(paid, liable) and liable. Organizations with nothing owed or paid are left out."""
    months = _months(start, end)
    done = refreshed_months(root_path=root_path, months=months)
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if done:
        rows = (
            DuesMonthStats.objects.filter(month__in=done, org_path__startswith=root_path)
            .filter(Q(own_liable__gt=0) | Q(own_paid__gt=0))
            .values("org_path")
            .annotate(num=Sum(Least("own_paid", "own_liable")), den=Sum("own_liable"))
            .order_by()
        )
        for row in rows:
            acc[row["org_path"]][0] += row["num"]
            acc[row["org_path"]][1] += row["den"]
    rest = [p for p in months if p.first_day not in done]
    if rest:
        paths = dict(Organization.objects.filter(path__startswith=root_path).values_list("id", "path"))
        for period in rest:
            for oid, f in own_figures(period=period, root_path=root_path).items():
                if oid in paths and (f["own_liable"] or f["own_paid"]):
                    acc[paths[oid]][0] += min(f["own_paid"], f["own_liable"])
                    acc[paths[oid]][1] += f["own_liable"]
    return {path: (num, den) for path, (num, den) in acc.items()}


def member_count_source(*, root_path: str, start: datetime.date, end: datetime.date) -> dict[str, tuple]:
    qs = (
        Member.objects.filter(org_path__startswith=root_path, status=MemberStatus.ACTIVE)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=end))
        .values("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["org_path"]: (row["n"], 1) for row in qs}


def recruited_count_source(*, root_path: str, start: datetime.date, end: datetime.date) -> dict[str, tuple]:
    qs = (
        Member.objects.filter(org_path__startswith=root_path, joined_on__gte=start, joined_on__lte=end)
        .values("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["org_path"]: (row["n"], 1) for row in qs}


# ---- due items ---------------------------------------------------------------------------------------


def long_arrears_members(*, period: Period, root_path: str = "/", months: int | None = None) -> Any:
    """Members in good standing who paid nothing for the last ``months`` closed months and about whom the
    branch has recorded nothing since the window began (set-based: two anti-joins)."""
    months = months or get_int_param("dues_arrears_months")
    first = period.shift(-months).first_day
    last = period.previous().first_day
    paid = DuesPayment.objects.filter(member=OuterRef("pk"), month__gte=first, month__lte=last)
    noted = DuesArrearsNote.objects.filter(member=OuterRef("pk"), recorded_on__gte=first)
    exempt = DuesBase.objects.filter(member=OuterRef("pk"), year__gte=first.year, reduction=ReductionKind.EXEMPT)
    return (
        Member.objects.filter(org_path__startswith=root_path, status=MemberStatus.ACTIVE, joined_on__lt=first)
        .exclude(Exists(paid))
        .exclude(Exists(noted))
        .exclude(Exists(exempt))
    )


def dues_arrears_due_items(*, period: Period, stage: str, root_path: str = "/") -> Iterable[DueItem]:
    if stage == "reminder":
        return []
    months = get_int_param("dues_arrears_months")
    rows = (
        long_arrears_members(period=period, root_path=root_path, months=months)
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by("organization_id")
    )
    return [
        DueItem(
            organization_id=row["organization_id"],
            kind="dues_arrears",
            title=_("%(n)d名党员连续%(m)d个月未交纳党费且未记录原因，请支部谈心谈话了解情况")
            % {"n": row["n"], "m": months},
            due_date=period.last_day,
        )
        for row in rows
    ]
