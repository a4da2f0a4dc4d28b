"""Organization figures for the metrics registry (apps/core/metrics.py): counts by kind, sector, grade and
star, and term elections due. Each source is one query over the subtree; an organization counts 1 at its own
path, and the registry rolls the counts up the tree."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import Metric, OwnFigures, register_metric
from apps.core.periods import add_months

from .choices import Grade, OrgKind, Sector
from .models import Organization

TERM_DUE_SOON_MONTHS = 6


def _counts(q: Q | Callable[[datetime.date], Q]) -> Callable[..., OwnFigures]:
    def source(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
        cond = q(end) if callable(q) else q
        rows = (
            Organization.objects.filter(path__startswith=root_path, is_active=True)
            .filter(cond)
            .values("path")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {r["path"]: (r["n"], 1) for r in rows}

    return source


def _list_link(**params: Any) -> Callable[[Any, datetime.date, datetime.date], str]:
    def link(org: Any, start: datetime.date, end: datetime.date) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"within_code": org.code, **params}.items())
        return reverse("organizations:organization_list") + "?" + query

    return link


def register() -> None:
    register_metric(
        Metric(
            name="organizations.org_count",
            label=str(_("党组织数")),
            unit="个",
            kind="count",
            source=_counts(~Q(kind=OrgKind.PARTY_GROUP)),
            description=str(_("未撤销的党组织（不含党小组）")),
            link=_list_link(),
        )
    )
    for kind, label in OrgKind.choices:
        register_metric(
            Metric(
                name=f"organizations.kind.{kind}",
                label=str(label),
                unit="个",
                kind="count",
                source=_counts(Q(kind=kind)),
                link=_list_link(kind=kind),
            )
        )
    for sector, label in Sector.choices:
        register_metric(
            Metric(
                name=f"organizations.sector.{sector}",
                label=str(label),
                unit="个",
                kind="count",
                source=_counts(Q(sector=sector) & ~Q(kind=OrgKind.PARTY_GROUP)),
                link=_list_link(sector=sector),
            )
        )
    register_metric(
        Metric(
            name="organizations.sector.none",
            label=str(_("未填写领域")),
            unit="个",
            kind="count",
            source=_counts(Q(sector="") & ~Q(kind=OrgKind.PARTY_GROUP)),
            link=_list_link(sector="none"),
        )
    )
    for grade, label in Grade.choices:
        register_metric(
            Metric(
                name=f"organizations.grade.{grade}",
                label=str(label),
                unit="个",
                kind="count",
                source=_counts(Q(grade=grade)),
                link=_list_link(grade=grade),
            )
        )
    for star in range(1, 6):
        register_metric(
            Metric(
                name=f"organizations.star.{star}",
                label=str(_("%(n)s星") % {"n": star}),
                unit="个",
                kind="count",
                source=_counts(Q(star_rating=star)),
                link=_list_link(star=star),
            )
        )
    register_metric(
        Metric(
            name="organizations.term_overdue",
            label=str(_("换届已逾期")),
            unit="个",
            kind="count",
            source=_counts(lambda end: Q(term_due_on__lt=end)),
            higher_is_better=False,
            description=str(_("换届到期日早于统计截止日")),
            link=_list_link(term_due_within=0),
        )
    )
    register_metric(
        Metric(
            name="organizations.term_due_soon",
            label=str(_("%(m)s个月内到期换届") % {"m": TERM_DUE_SOON_MONTHS}),
            unit="个",
            kind="count",
            source=_counts(lambda end: Q(term_due_on__gte=end, term_due_on__lte=add_months(end, TERM_DUE_SOON_MONTHS))),
            higher_is_better=False,
            link=_list_link(term_due_within=TERM_DUE_SOON_MONTHS),
        )
    )
    register_metric(
        Metric(
            name="organizations.weak_count",
            label=str(_("软弱涣散党组织")),
            unit="个",
            kind="count",
            source=_counts(Q(is_weak=True)),
            higher_is_better=False,
            link=_list_link(is_weak="true"),
        )
    )
