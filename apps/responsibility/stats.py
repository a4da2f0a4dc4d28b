"""Pre-aggregation: per-organization per-month subtree figures (OrgMonthStats), refreshed set-based."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.core.periods import Period
from apps.organizations.choices import BRANCH_KINDS
from apps.organizations.models import Organization

from .choices import TaskStatus
from .compliance import branch_gaps
from .models import MonthlyLedger, OrgMonthStats, Rectification, TaskItem

_IDX = {name: i for i, name in enumerate(OrgMonthStats.COUNTERS)}


def _month_bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.first_day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.next().first_day, datetime.time.min, tzinfo=tz)
    return start, end


def own_counters(*, period: Period, today: datetime.date, root_path: str = "/") -> dict[int, list[int]]:
    """Each organization's own figures for the month (not yet rolled up)."""
    own: dict[int, list[int]] = defaultdict(lambda: [0] * len(_IDX))
    first, last = period.first_day, period.last_day
    as_of = min(today, last + datetime.timedelta(days=1))
    _start, month_end = _month_bounds(period)

    tasks = (
        TaskItem.objects.filter(org_path__startswith=root_path, due_date__gte=first, due_date__lte=last)
        .values("organization_id")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(status=TaskStatus.DONE, completed_on__lte=F("due_date"))),
            overdue=Count("id", filter=TaskItem.objects.overdue_q(as_of)),
        )
        .order_by()
    )
    for row in tasks:
        c = own[row["organization_id"]]
        c[_IDX["tasks_due"]] += row["due"]
        c[_IDX["tasks_done_on_time"]] += row["on_time"]
        c[_IDX["tasks_overdue"]] += row["overdue"]

    rects = (
        Rectification.objects.filter(org_path__startswith=root_path, created_at__lt=month_end)
        .values("organization_id")
        .annotate(
            total=Count("id"),
            signed=Count("id", filter=Q(signed_off_at__isnull=False, signed_off_at__lt=month_end)),
            overdue=Count("id", filter=Rectification.objects.overdue_q(as_of)),
        )
        .order_by()
    )
    for row in rects:
        c = own[row["organization_id"]]
        c[_IDX["rectifications"]] += row["total"]
        c[_IDX["rectifications_signed_off"]] += row["signed"]
        c[_IDX["rectifications_overdue"]] += row["overdue"]

    branches = list(
        Organization.objects.filter(path__startswith=root_path, kind__in=BRANCH_KINDS, is_active=True).values_list(
            "id", "path"
        )
    )
    for bid, _p in branches:
        own[bid][_IDX["ledgers_required"]] += 1
    ledgers = (
        MonthlyLedger.objects.filter(org_path__startswith=root_path, month=first, submitted_at__isnull=False)
        .values("organization_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(submitted_on_time=True)))
        .order_by()
    )
    branch_ids = {b for b, _p in branches}
    for row in ledgers:
        if row["organization_id"] in branch_ids:
            c = own[row["organization_id"]]
            c[_IDX["ledgers_submitted"]] += row["n"]
            c[_IDX["ledgers_on_time"]] += row["on_time"]

    gaps, _total, checks = branch_gaps(branches=branches, period=period, root_path=root_path)
    for bid, n in checks.items():
        missed = sum(1 for g in gaps.get(bid, ()) if g.due)
        own[bid][_IDX["meeting_checks"]] += n
        own[bid][_IDX["meeting_checks_met"]] += n - missed
    return own


@transaction.atomic
def stats_refresh(*, period: Period, today: datetime.date | None = None, batch_size: int = 5000) -> int:
    """Recompute the whole tree's rows for one month: own figures, then added to every ancestor by path."""
    today = today or timezone.localdate()
    own = own_counters(period=period, today=today)
    orgs: dict[int, tuple[str, Any]] = {
        oid: (path, parent_id) for oid, path, parent_id in Organization.objects.values_list("id", "path", "parent_id")
    }
    totals: dict[int, list[int]] = {}
    width = len(_IDX)
    for oid, counters in own.items():
        info = orgs.get(oid)
        if info is None:
            continue
        for part in info[0].strip("/").split("/"):
            anc = int(part)
            acc = totals.get(anc)
            if acc is None:
                acc = totals[anc] = [0] * width
            for i in range(width):
                acc[i] += counters[i]
    month = period.first_day
    OrgMonthStats.objects.filter(month=month).delete()
    now = timezone.now()
    rows = [
        OrgMonthStats(
            organization_id=oid,
            org_path=orgs[oid][0],
            parent_id_copy=orgs[oid][1],
            month=month,
            refreshed_at=now,
            **dict(zip(OrgMonthStats.COUNTERS, counters, strict=True)),
        )
        for oid, counters in totals.items()
        if oid in orgs
    ]
    OrgMonthStats.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


@transaction.atomic
def stats_refresh_org(*, organization_id: int, period: Period, today: datetime.date | None = None) -> bool:
    """Recompute one organization's subtree figures for a month and pass the difference up the tree.

    Called after a write (ledger submitted or reviewed, task or rectification progress) so roll-ups follow
    within seconds without a full refresh. Does nothing when the month was never fully refreshed.
    """
    today = today or timezone.localdate()
    month = period.first_day
    org = Organization.objects.filter(pk=organization_id).only("id", "path").first()
    if org is None:
        return False
    row = OrgMonthStats.objects.select_for_update().filter(organization_id=org.pk, month=month).first()
    if row is None:
        return False
    own = own_counters(period=period, today=today, root_path=org.path)
    new = [sum(c[i] for c in own.values()) for i in range(len(_IDX))]
    delta = {name: new[i] - getattr(row, name) for i, name in enumerate(OrgMonthStats.COUNTERS)}
    changed = {name: F(name) + d for name, d in delta.items() if d}
    if changed:
        ancestors = [int(p) for p in org.path.strip("/").split("/")]
        OrgMonthStats.objects.filter(organization_id__in=ancestors, month=month).update(
            **changed, refreshed_at=timezone.now()
        )
    return bool(changed)
