"""Figures the members app owns, registered in the core metrics registry (read by dashboards, assessment)."""

from __future__ import annotations

from django.urls import reverse

from apps.core.metrics import Metric, register_metric

from .dues_stats import collection_rate_source, member_count_source, recruited_count_source


def register() -> None:
    register_metric(
        Metric(
            name="members.dues_collection_rate",
            label="党费收缴率",
            unit="%",
            kind="rate",
            source=collection_rate_source,
            description="期间内应交党费的人月中已交的比例（按月、按人统计）",
            link=lambda org, start, end: reverse("members:dues_rollup") + f"?org={org.code}&month={start:%Y-%m}",
        )
    )
    register_metric(
        Metric(
            name="members.member_count",
            label="党员人数",
            unit="人",
            kind="count",
            source=member_count_source,
            description="期末党籍正常的党员人数",
            link=lambda org, start, end: reverse("members:member_list") + f"?within={org.pk}",
        )
    )
    register_metric(
        Metric(
            name="members.recruited_count",
            label="发展党员人数",
            unit="人",
            kind="count",
            source=recruited_count_source,
            description="期间内入党（支部大会通过接收）的人数",
        )
    )
