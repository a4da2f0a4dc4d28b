"""The nightly refresh: member breakdowns and every registered metric, rolled up the tree, stored per
organization. Set-based: one GROUP BY per dimension or metric over the whole tree, then a dictionary walk up
the materialized path and one bulk insert per table. Reads lower apps' tables only here, only to build the
aggregates, and only through their source functions (apps/members/stats_metrics.py, the metrics registry).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.metrics import metrics
from apps.core.periods import Period
from apps.members.stats_metrics import member_breakdowns
from apps.organizations.models import Organization

from .models import MemberStatsSnapshot, MetricSnapshot, RefreshRun

#: Metrics kept month by month for the 12-month trends (prefixes; others are kept as "year to date" only).
TREND_PREFIXES = (
    "responsibility.ledger_compliance_rate",
    "responsibility.ledger_submission_rate",
    "responsibility.meeting_compliance_rate",
    "supervision.letters.",
    "supervision.accountability_opened",
    "members.admitted_count",
    "funding.execution_rate",
    "service_requests.on_time_closure_rate",
    "service_requests.satisfaction_rate",
)
TREND_MONTHS = 12
#: Daily snapshots older than this are dropped unless they fall on a month end (kept for the yearly tables).
KEEP_DAYS = 35


def trend_metric_names() -> list[str]:
    return sorted(n for n in metrics() if n.startswith(TREND_PREFIXES))


def _orgs() -> dict[int, tuple[str, int | None]]:
    return {oid: (path, parent) for oid, path, parent in Organization.objects.values_list("id", "path", "parent_id")}


def _ancestors(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def _num(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def rollup_counts(own: dict[str, dict[str, int]]) -> dict[int, dict[str, int]]:
    totals: dict[int, dict[str, int]] = {}
    for path, counts in own.items():
        for anc in _ancestors(path):
            acc = totals.setdefault(anc, {})
            for k, n in counts.items():
                acc[k] = acc.get(k, 0) + n
    return totals


def rollup_metrics(names: Iterable[str], *, start: datetime.date, end: datetime.date) -> dict[int, dict[str, list]]:
    """{org_id: {metric: [numerator, denominator]}} over the whole tree, one source call per metric."""
    registry = metrics()
    totals: dict[int, dict[str, list]] = {}
    for name in names:
        own = registry[name].source(root_path="/", start=start, end=end)
        for path, (num, den) in own.items():
            if not num and not den:
                continue
            for anc in _ancestors(path):
                acc = totals.setdefault(anc, {}).setdefault(name, [0, 0])
                acc[0] += num
                acc[1] += den
    return {oid: {n: [_num(a), _num(b)] for n, (a, b) in vals.items()} for oid, vals in totals.items()}


def _prune(today: datetime.date) -> None:
    cutoff = today - datetime.timedelta(days=KEEP_DAYS)
    for model, field in ((MemberStatsSnapshot, "as_of"), (MetricSnapshot, "period")):
        qs = model.objects.filter(**{f"{field}__lt": cutoff})
        if model is MetricSnapshot:
            qs = qs.filter(kind=MetricSnapshot.CURRENT)
        stale = [d for d in qs.values_list(field, flat=True).distinct() if (d + datetime.timedelta(days=1)).day != 1]
        if stale:
            qs.filter(**{f"{field}__in": stale}).delete()


@transaction.atomic
def stats_refresh(
    *, as_of: datetime.date | None = None, months: int = TREND_MONTHS, batch_size: int = 5000
) -> RefreshRun:
    """Recompute every snapshot for ``as_of`` (default today) and the trailing months; idempotent."""
    today = timezone.localdate()
    as_of = as_of or today
    started = time.perf_counter()
    run = RefreshRun.objects.create(as_of=as_of, started_at=timezone.now())
    now = timezone.now()
    orgs = _orgs()

    member_totals = rollup_counts(member_breakdowns(root_path="/", as_of=as_of))
    MemberStatsSnapshot.objects.filter(as_of=as_of).delete()
    member_rows = [
        MemberStatsSnapshot(
            organization_id=oid,
            org_path=orgs[oid][0],
            parent_id_copy=orgs[oid][1],
            as_of=as_of,
            counts=counts,
            refreshed_at=now,
        )
        for oid, counts in member_totals.items()
        if oid in orgs
    ]
    MemberStatsSnapshot.objects.bulk_create(member_rows, batch_size=batch_size)

    metric_rows: list[MetricSnapshot] = []
    current = rollup_metrics(sorted(metrics()), start=datetime.date(as_of.year, 1, 1), end=as_of)
    MetricSnapshot.objects.filter(kind=MetricSnapshot.CURRENT, period=as_of).delete()
    metric_rows += [
        MetricSnapshot(
            organization_id=oid,
            org_path=orgs[oid][0],
            parent_id_copy=orgs[oid][1],
            kind=MetricSnapshot.CURRENT,
            period=as_of,
            values=vals,
            refreshed_at=now,
        )
        for oid, vals in current.items()
        if oid in orgs
    ]
    trend_names = trend_metric_names()
    period = Period.of(as_of)
    for i in range(months):
        p = period.shift(-i)
        vals_by_org = rollup_metrics(trend_names, start=p.first_day, end=min(p.last_day, as_of))
        MetricSnapshot.objects.filter(kind=MetricSnapshot.MONTH, period=p.first_day).delete()
        metric_rows += [
            MetricSnapshot(
                organization_id=oid,
                org_path=orgs[oid][0],
                parent_id_copy=orgs[oid][1],
                kind=MetricSnapshot.MONTH,
                period=p.first_day,
                values=vals,
                refreshed_at=now,
            )
            for oid, vals in vals_by_org.items()
            if oid in orgs
        ]
    MetricSnapshot.objects.bulk_create(metric_rows, batch_size=batch_size)
    if as_of == today:
        _prune(today)
    run.finished_at = timezone.now()
    run.seconds = time.perf_counter() - started
    run.member_rows, run.metric_rows = len(member_rows), len(metric_rows)
    run.save(update_fields=["finished_at", "seconds", "member_rows", "metric_rows"])
    return run
