"""Reads for the dashboard pages and API: snapshot rows of the scope and its children, always from
``visible_to(user)``. A page reads a bounded number of rows whatever the size of the subtree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.metrics import metrics
from apps.core.periods import Period
from apps.organizations.models import Organization

from .models import MemberStatsSnapshot, MetricSnapshot, RefreshRun


def dashboard_org(*, user: Any, code: str | None = None, name: str | None = None) -> Organization:
    """The organization a dashboard shows: ``code`` if visible (else 404), or ``name`` as typed in the picker
    without choosing a suggestion, or the user's own."""
    qs = Organization.objects.visible_to(user)
    if code:
        org = qs.filter(code=code.strip()).first()
    elif name and name.strip():
        org = qs.filter(name=name.strip()).order_by("path").first()
    elif user.organization_id:
        org = qs.filter(pk=user.organization_id).first()
    else:
        org = qs.filter(parent__isnull=True).order_by("path").first()
    if org is None:
        raise Http404(_("未找到，或不在您的管理范围内。"))
    return org


def child_orgs(*, user: Any, org: Organization) -> list[Organization]:
    return list(Organization.objects.visible_to(user).filter(parent=org, is_active=True).order_by("kind", "name", "id"))


def parse_as_of(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError as exc:
        from django.core.exceptions import ValidationError

        raise ValidationError({"as_of": _("统计日期格式应为 YYYY-MM-DD。")}) from exc


def snapshot_date(*, as_of: datetime.date | None = None) -> datetime.date | None:
    """The latest member snapshot date on or before ``as_of`` (any date when not given)."""
    qs = MemberStatsSnapshot.objects.all()
    if as_of is not None:
        qs = qs.filter(as_of__lte=as_of)
    return qs.order_by("-as_of").values_list("as_of", flat=True).first()


def _metric_date(as_of: datetime.date | None) -> datetime.date | None:
    qs = MetricSnapshot.objects.filter(kind=MetricSnapshot.CURRENT)
    if as_of is not None:
        qs = qs.filter(period__lte=as_of)
    return qs.order_by("-period").values_list("period", flat=True).first()


@dataclass
class Figures:
    """One organization's figures from the snapshots (zeros when it has no row: nothing to count)."""

    org: Organization
    counts: dict[str, int] = field(default_factory=dict)
    values: dict[str, list] = field(default_factory=dict)

    def count(self, key: str) -> int:
        return int(self.counts.get(key, 0))

    def metric(self, name: str) -> tuple[Decimal, Decimal]:
        num, den = self.values.get(name, [0, 0])
        return Decimal(str(num)), Decimal(str(den))

    def value(self, name: str) -> Decimal | int | None:
        """A count/amount, or a rate as a percentage with one decimal (None with no base)."""
        num, den = self.metric(name)
        registry = metrics()
        if name in registry and registry[name].kind == "rate":
            return (num * 100 / den).quantize(Decimal("0.1")) if den else None
        return int(num) if num == num.to_integral_value() else num

    @property
    def total(self) -> int:
        return self.count("total")


@dataclass
class ScopeData:
    org: Organization
    scope: Figures
    children: list[Figures]
    member_as_of: datetime.date | None
    metric_as_of: datetime.date | None
    refreshed_at: datetime.datetime | None


def scope_data(
    *,
    user: Any,
    org: Organization,
    as_of: datetime.date | None = None,
    children: bool = True,
    members: bool = True,
    figures: bool = True,
) -> ScopeData:
    """Snapshot rows of ``org`` and its visible children: a fixed number of queries (``members`` and
    ``figures`` leave out the member breakdowns or the metric values when a caller needs only the other)."""
    kids = child_orgs(user=user, org=org) if children else []
    ids = [org.pk] + [k.pk for k in kids]
    # the snapshot date is a subquery of the rows' query (one round trip); asked separately only when none
    # of these organizations has a row (nothing to count below them)
    member_rows: dict[int, MemberStatsSnapshot] = {}
    metric_rows: dict[int, MetricSnapshot] = {}
    m_date = v_date = None
    if members:
        latest = MemberStatsSnapshot.objects.all()
        if as_of is not None:
            latest = latest.filter(as_of__lte=as_of)
        member_rows = {
            r.organization_id: r
            for r in MemberStatsSnapshot.objects.visible_to(user).filter(
                as_of=Subquery(latest.order_by("-as_of").values("as_of")[:1]), organization_id__in=ids
            )
        }
        m_date = next(iter(member_rows.values())).as_of if member_rows else snapshot_date(as_of=as_of)
    if figures:
        latest_v = MetricSnapshot.objects.filter(kind=MetricSnapshot.CURRENT)
        if as_of is not None:
            latest_v = latest_v.filter(period__lte=as_of)
        metric_rows = {
            r.organization_id: r
            for r in MetricSnapshot.objects.visible_to(user).filter(
                kind=MetricSnapshot.CURRENT,
                period=Subquery(latest_v.order_by("-period").values("period")[:1]),
                organization_id__in=ids,
            )
        }
        v_date = next(iter(metric_rows.values())).period if metric_rows else _metric_date(as_of)

    def figures_of(o: Organization) -> Figures:
        m, v = member_rows.get(o.pk), metric_rows.get(o.pk)
        return Figures(org=o, counts=m.counts if m else {}, values=v.values if v else {})

    refreshed = [r.refreshed_at for r in (member_rows.get(org.pk), metric_rows.get(org.pk)) if r is not None]
    if not refreshed:
        last = RefreshRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
        refreshed = [last.finished_at] if last else []
    return ScopeData(
        org=org,
        scope=figures_of(org),
        children=[figures_of(k) for k in kids],
        member_as_of=m_date,
        metric_as_of=v_date,
        refreshed_at=min(refreshed) if refreshed else None,
    )


def trend(*, user: Any, org: Organization, names: list[str], months: int = 12, end: datetime.date | None = None):
    """{metric: [(Period, numerator, denominator)]} for the last ``months`` months: one query."""
    last = Period.of(end or timezone.localdate())
    periods = [last.shift(-i) for i in range(months - 1, -1, -1)]
    rows = {
        r.period: r.values
        for r in MetricSnapshot.objects.visible_to(user).filter(
            organization=org, kind=MetricSnapshot.MONTH, period__in=[p.first_day for p in periods]
        )
    }
    out: dict[str, list[tuple[Period, Decimal, Decimal]]] = {}
    for name in names:
        series = []
        for p in periods:
            num, den = rows.get(p.first_day, {}).get(name, [0, 0])
            series.append((p, Decimal(str(num)), Decimal(str(den))))
        out[name] = series
    return out
