"""Funding figures for dashboards and assessment, read from the roll-up table (own rows per organization)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, Sum
from django.urls import reverse

from apps.core.metrics import Metric, register_metric

from .models import FundingRollup


def _months_q(start: datetime.date, end: datetime.date) -> Q:
    if start.year == end.year:
        return Q(year=start.year, month__gte=start.month, month__lte=end.month)
    q = Q(year=start.year, month__gte=start.month) | Q(year=end.year, month__lte=end.month)
    if end.year - start.year > 1:
        q |= Q(year__gt=start.year, year__lt=end.year)
    return q


def _own(root_path: str, start: datetime.date, end: datetime.date) -> Any:
    return (
        FundingRollup.objects.filter(_months_q(start, end), org_path__startswith=root_path)
        .filter(Q(own_allocated__gt=0) | ~Q(own_spent=0))
        .values("org_path")
        .annotate(a=Sum("own_allocated"), s=Sum("own_spent"))
        .order_by()
    )


def allocated_amount(*, root_path: str, start: datetime.date, end: datetime.date) -> dict:
    return {r["org_path"]: (r["a"], 1) for r in _own(root_path, start, end) if r["a"]}


def spent_amount(*, root_path: str, start: datetime.date, end: datetime.date) -> dict:
    return {r["org_path"]: (r["s"], 1) for r in _own(root_path, start, end) if r["s"]}


def execution_rate(*, root_path: str, start: datetime.date, end: datetime.date) -> dict:
    return {r["org_path"]: (r["s"], r["a"]) for r in _own(root_path, start, end)}


def _link(org: Any, start: datetime.date, end: datetime.date) -> str:
    return reverse("funding:execution") + f"?org={org.pk}&year={end.year}"


def register_metrics() -> None:
    register_metric(
        Metric(name="funding.allocated_amount", label="下拨经费", unit="元", kind="amount",
               source=allocated_amount, description="期间内下拨到党组织的经费金额", link=_link)
    )  # fmt: skip
    register_metric(
        Metric(name="funding.spent_amount", label="经费支出", unit="元", kind="amount",
               source=spent_amount, description="期间内登记的经费支出（已扣除冲正）", link=_link)
    )  # fmt: skip
    register_metric(
        Metric(name="funding.execution_rate", label="经费执行率", unit="%", kind="rate", source=execution_rate,
               description="支出 ÷ 下拨（期间内）", link=_link)
    )  # fmt: skip
