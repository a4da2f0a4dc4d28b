"""The dashboard's panels as data: labels, values, colours and the list behind each bar. The same structure
feeds the chart (through a JSON data island), its data table, the hall screen and the API.

Colours are fixed per thing (a key such as "gender:2" or "supervision.letters.warning"), so the same thing
has the same colour on every chart.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.metrics import metrics
from apps.members.breakdowns import dimension_labels
from apps.members.stats_metrics import (
    FILTERABLE_DIMENSIONS,
    NONE_KEY,
    UNKNOWN,
)
from apps.organizations.choices import Grade, OrgKind, Sector

from .selectors import Figures, ScopeData

PALETTE = ["#c23531", "#2f4554", "#61a0a8", "#d48265", "#91c7ae", "#749f83", "#ca8622", "#bda29a", "#6e7074", "#546570"]

FIXED_COLORS = {
    "category:full": "#b8141b",
    "category:probationary": "#f0a020",
    "gender:1": "#2f6db5",
    "gender:2": "#d6557a",
    "ethnicity:han": "#b8141b",
    "ethnicity:minority": "#2a9d8f",
    "supervision.letters.reminder": "#3b82c4",
    "supervision.letters.supervision": "#f0a020",
    "supervision.letters.warning": "#b8141b",
    "supervision.accountability_opened": "#6b2c91",
    "responsibility.rectifications_open": "#f0a020",
    "responsibility.rectifications_overdue": "#b8141b",
    "responsibility.rectifications_closed": "#3c8d40",
    "responsibility.ledger_compliance_rate": "#b8141b",
    "responsibility.meeting_compliance_rate": "#2f6db5",
    "unknown": "#9e9e9e",
}


def dimension_keys() -> dict[str, list[tuple[str, str]]]:
    """Dimension -> [(key, label)] in report order: the members app's, the keys its breakdowns count."""
    return dimension_labels()


DIMENSION_TITLES = {
    "category": gettext_lazy("正式党员/预备党员"),
    "gender": gettext_lazy("性别"),
    "age": gettext_lazy("年龄"),
    "education": gettext_lazy("学历"),
    "ethnicity": gettext_lazy("民族"),
    "occupation": gettext_lazy("工作岗位"),
    "sector": gettext_lazy("所在组织领域"),
    "join_period": gettext_lazy("入党时间"),
    "standing": gettext_lazy("党龄"),
}


def color_for(key: str, index: int) -> str:
    if key in FIXED_COLORS:
        return FIXED_COLORS[key]
    if key.endswith(":" + UNKNOWN) or key.endswith(":"):
        return FIXED_COLORS["unknown"]
    return PALETTE[index % len(PALETTE)]


def _member_url(org: Any, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"within": org.pk, "status": "active", **params}.items())
    return reverse("members:member_list") + "?" + query


def _joined_this_year(as_of: datetime.date) -> dict[str, Any]:
    return {"counted": "admitted", "counted_from": f"{as_of.year}-01-01", "counted_to": f"{as_of:%Y-%m-%d}"}


def _member_filter(dim: str, key: str, as_of: datetime.date) -> dict[str, Any] | None:
    """The roster filter that lists the members behind one breakdown value: the roster's filter of that
    dimension takes the same keys and applies the same rule (apps/members/stats_metrics.dimension_q)."""
    if dim == "joined_this_year":  # in good standing and admitted from 1 January to the date: the same rule
        return _joined_this_year(as_of) if key == "yes" else None
    param = FILTERABLE_DIMENSIONS.get(dim)
    if param is None:
        return None
    return {param: key or NONE_KEY}


def member_dimension(fig: Figures, dim: str, as_of: datetime.date | None) -> list[dict[str, Any]]:
    items = []
    for i, (key, label) in enumerate(dimension_keys()[dim]):
        full_key = f"{dim}:{key}"
        n = fig.count(full_key)
        if key in (UNKNOWN, "") and not n:
            continue
        flt = _member_filter(dim, key, as_of or timezone.localdate())
        items.append(
            {
                "key": full_key,
                "label": str(label),
                "value": n,
                "color": color_for(full_key, i),
                "url": _member_url(fig.org, **flt) if flt is not None else "",
            }
        )
    return items


def _panel(pid: str, title: str, chart: str, unit: str, items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": pid, "title": title, "chart": chart, "unit": unit, "items": items, **extra}


def _metric_items(fig: Figures, names: list[str], start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    registry = metrics()
    items = []
    for i, name in enumerate(names):
        m = registry.get(name)
        if m is None:
            continue
        value = fig.value(name)
        items.append(
            {
                "key": name,
                "label": m.label,
                "value": float(value) if isinstance(value, Decimal) else value,
                "color": color_for(name, i),
                "url": m.link(fig.org, start, end) if m.link else "",
            }
        )
    return items


def member_panels(data: ScopeData) -> list[dict[str, Any]]:
    fig, as_of = data.scope, data.member_as_of
    panels = [
        _panel("members-category", _("正式党员/预备党员"), "pie", "人", member_dimension(fig, "category", as_of)),
        _panel("members-gender", _("性别"), "pie", "人", member_dimension(fig, "gender", as_of)),
        _panel("members-age", _("年龄结构"), "bar", "人", member_dimension(fig, "age", as_of)),
        _panel("members-education", _("学历"), "bar", "人", member_dimension(fig, "education", as_of)),
        _panel("members-ethnicity", _("民族"), "pie", "人", member_dimension(fig, "ethnicity", as_of)),
        _panel("members-sector", _("所在组织领域"), "hbar", "人", member_dimension(fig, "sector", as_of)),
        _panel("members-standing", _("党龄"), "bar", "人", member_dimension(fig, "standing", as_of)),
    ]
    return panels


def recruitment_panel(data: ScopeData, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    names = [f"members.recruitment.{s}" for s in ("applicant", "activist", "candidate", "probationary", "full")]
    return _panel(
        "recruitment-funnel", _("发展党员（当前各阶段人数，转正为本年）"), "funnel", "人",
        _metric_items(data.scope, names, start, end),
    )  # fmt: skip


#: The year's changes in membership (the same figures as 党内统计's reconciliation table).
CHANGE_METRICS = [
    "members.admitted_count",
    "members.transferred_in_count",
    "members.transferred_out_count",
    "members.stopped_or_left_count",
    "members.deceased_count",
]


def changes_panel(data: ScopeData, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """本年党员增减: 发展, 转入, 转出, 停止党籍/出党, 死亡 since 1 January; each bar lists what it counts (the
    transfers or the roster filtered to the subtree, the change and the period: the members app's
    ``transfer_counted_q`` / ``member_change_q``, one rule for the figure and the list)."""
    return _panel(
        "members-changes", _("本年党员增减"), "bar", "人", _metric_items(data.scope, CHANGE_METRICS, start, end)
    )


def organization_panels(data: ScopeData, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    fig = data.scope
    kinds = [f"organizations.kind.{k}" for k, _l in OrgKind.choices]
    sectors = [f"organizations.sector.{k}" for k, _l in Sector.choices] + ["organizations.sector.none"]
    grades = [f"organizations.grade.{k}" for k, _l in Grade.choices]
    stars = [f"organizations.star.{n}" for n in range(1, 6)]

    def nonzero(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [i for i in items if i["value"]]

    return [
        _panel("orgs-kind", _("党组织类别"), "bar", "个", nonzero(_metric_items(fig, kinds, start, end))),
        _panel("orgs-sector", _("党组织所属领域"), "hbar", "个", nonzero(_metric_items(fig, sectors, start, end))),
        _panel("orgs-grade", _("分类定级"), "pie", "个", _metric_items(fig, grades, start, end)),
        _panel("orgs-star", _("星级评定"), "bar", "个", _metric_items(fig, stars, start, end)),
        _panel(
            "orgs-term", _("换届"), "bar", "个",
            _metric_items(fig, ["organizations.term_overdue", "organizations.term_due_soon"], start, end),
        ),
    ]  # fmt: skip


def rectification_panel(data: ScopeData, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    names = [
        "responsibility.rectifications_open",
        "responsibility.rectifications_overdue",
        "responsibility.rectifications_closed",
    ]
    return _panel("rectifications", _("整改台账"), "bar", "条", _metric_items(data.scope, names, start, end))


def trend_panel(
    pid: str, title: str, chart: str, unit: str, names: list[str], series: dict[str, list], org: Any
) -> dict[str, Any] | None:
    registry = metrics()
    names = [n for n in names if n in registry]
    if not names:
        return None
    periods = series[names[0]]
    categories = [p.label for p, _n, _d in periods]
    out_series = []
    for i, name in enumerate(names):
        m = registry[name]
        data = []
        urls = []
        for p, num, den in series[name]:
            if m.kind == "rate":
                data.append(float((num * 100 / den).quantize(Decimal("0.1"))) if den else None)
            else:
                data.append(int(num))
            urls.append(m.link(org, p.first_day, p.last_day) if m.link else "")
        out_series.append({"key": name, "name": m.label, "color": color_for(name, i), "data": data, "urls": urls})
    # the data table's cells link to the same lists as the chart's points
    rows = [
        {
            "label": c,
            "values": [s["data"][i] for s in out_series],
            "cells": [{"value": s["data"][i], "url": s["urls"][i]} for s in out_series],
        }
        for i, c in enumerate(categories)
    ]
    return {
        "id": pid, "title": title, "chart": chart, "unit": unit, "categories": categories, "series": out_series,
        "rows": rows,
    }  # fmt: skip


def optional_panels(data: ScopeData, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """Funding and service figures: shown only once those apps register their metrics. (Assessment grades are
    each plan's own labels, not metrics: the 分类定级 panel shows the grades publishing writes to organizations.)"""
    registry = metrics()
    panels = []
    rates = [
        n
        for n in (
            "funding.execution_rate",
            "service_requests.on_time_closure_rate",
            "service_requests.satisfaction_rate",
        )
        if n in registry
    ]
    if rates:
        panels.append(
            _panel("rates-other", _("经费与为民服务"), "bar", "%", _metric_items(data.scope, rates, start, end))
        )
    return panels


def headline(data: ScopeData) -> list[dict[str, Any]]:
    fig = data.scope
    as_of = data.member_as_of or timezone.localdate()
    rate = fig.value("responsibility.ledger_compliance_rate")
    return [
        {"key": "total", "label": _("党员总数"), "value": fig.total, "unit": "人", "url": _member_url(fig.org)},
        {
            "key": "category:full", "label": _("正式党员"), "value": fig.count("category:full"), "unit": "人",
            "url": _member_url(fig.org, category="full"),
        },
        {
            "key": "category:probationary", "label": _("预备党员"), "value": fig.count("category:probationary"),
            "unit": "人", "url": _member_url(fig.org, category="probationary"),
        },
        {
            "key": "joined_this_year:yes", "label": _("本年发展党员"), "value": fig.count("joined_this_year:yes"),
            "unit": "人", "url": _member_url(fig.org, **_joined_this_year(as_of)),
        },
        {
            "key": "organizations.org_count", "label": _("党组织"), "value": fig.value("organizations.org_count"),
            "unit": "个", "url": reverse("organizations:organization_list") + f"?within_code={fig.org.code}",
        },
        {
            "key": "responsibility.ledger_compliance_rate", "label": _("本年台账按时提交率"),
            "value": rate if rate is not None else "—", "unit": "%" if rate is not None else "",
            "url": reverse("responsibility:ledger_list") + f"?within={fig.org.code}",
        },
    ]  # fmt: skip


def comparison_columns() -> list[dict[str, Any]]:
    """The key figures compared across child organizations (optional ones only once registered)."""
    registry = metrics()
    cols: list[dict[str, Any]] = [
        {"key": "total", "label": _("党员数"), "unit": "人", "higher_is_better": None},
        {"key": "probationary_share", "label": _("预备党员占比"), "unit": "%", "higher_is_better": None},
    ]
    for name in (
        "responsibility.ledger_compliance_rate",
        "responsibility.meeting_compliance_rate",
        "responsibility.task_on_time_rate",
        "responsibility.rectifications_overdue",
        "supervision.letters.warning",
        "organizations.term_overdue",
        "funding.execution_rate",
        "service_requests.on_time_closure_rate",
        "service_requests.satisfaction_rate",
    ):
        m = registry.get(name)
        if m is not None:
            cols.append({"key": name, "label": m.label, "unit": m.unit, "higher_is_better": m.higher_is_better})
    return cols


def comparison_value(fig: Figures, key: str) -> Decimal | int | None:
    if key == "total":
        return fig.total
    if key == "probationary_share":
        total = fig.total
        return (Decimal(fig.count("category:probationary")) * 100 / total).quantize(Decimal("0.1")) if total else None
    return fig.value(key)
