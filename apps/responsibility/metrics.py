"""Responsibility figures for the metrics registry, read from the pre-aggregated OrgMonthStats rows.

OrgMonthStats holds each organization's *subtree* totals per month; the registry wants each organization's
*own* figures, so a source takes one query over the subtree's rows and subtracts each row's children
(own = subtree − Σ children's subtrees). Rates over several months are Σ numerators / Σ denominators.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import Metric, OwnFigures, register_metric

from .models import OrgMonthStats


def _own_rows(*, root_path: str, first_month: datetime.date, last_month: datetime.date) -> dict[str, dict[str, int]]:
    """{org_path: own counters summed over the months} from one query over the subtree's rows."""
    rows = list(
        OrgMonthStats.objects.filter(
            org_path__startswith=root_path, month__gte=first_month, month__lte=last_month
        ).values("organization_id", "org_path", "parent_id_copy", "month", *OrgMonthStats.COUNTERS)
    )
    by_key = {(r["organization_id"], r["month"]): r for r in rows}
    own = {(r["organization_id"], r["month"]): dict(r) for r in rows}
    for r in rows:
        parent = own.get((r["parent_id_copy"], r["month"]))
        if parent is not None and (r["parent_id_copy"], r["month"]) in by_key:
            for c in OrgMonthStats.COUNTERS:
                parent[c] -= r[c]
    out: dict[str, dict[str, int]] = {}
    for r in own.values():
        acc = out.setdefault(r["org_path"], dict.fromkeys(OrgMonthStats.COUNTERS, 0))
        for c in OrgMonthStats.COUNTERS:
            acc[c] += r[c]
    return out


def _month(d: datetime.date) -> datetime.date:
    return d.replace(day=1)


def _over_months(numerator: str, denominator: str | None) -> Callable[..., OwnFigures]:
    def source(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
        own = _own_rows(root_path=root_path, first_month=_month(start), last_month=_month(end))
        return {p: (c[numerator], c[denominator] if denominator else 1) for p, c in own.items()}

    return source


def _at_end(expr: Callable[[dict[str, int]], int]) -> Callable[..., OwnFigures]:
    """A stock figure (rectifications) read from the month that contains the end date."""

    def source(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
        own = _own_rows(root_path=root_path, first_month=_month(end), last_month=_month(end))
        return {p: (expr(c), 1) for p, c in own.items()}

    return source


def _link(name: str, **params: Any) -> Callable[[Any, datetime.date, datetime.date], str]:
    def link(org: Any, start: datetime.date, end: datetime.date) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"within": org.code, **params}.items())
        return reverse(f"responsibility:{name}") + "?" + query

    return link


def _ledger_link(org: Any, start: datetime.date, end: datetime.date) -> str:
    return reverse("responsibility:ledger_list") + f"?within={org.code}&month={end:%Y-%m}"


def register() -> None:
    register_metric(
        Metric(
            name="responsibility.ledger_compliance_rate",
            label=str(_("月度台账按时提交率")),
            unit="%",
            kind="rate",
            source=_over_months("ledgers_on_time", "ledgers_required"),
            link=_ledger_link,
        )
    )
    register_metric(
        Metric(
            name="responsibility.ledger_submission_rate",
            label=str(_("月度台账提交率")),
            unit="%",
            kind="rate",
            source=_over_months("ledgers_submitted", "ledgers_required"),
            link=_ledger_link,
        )
    )
    register_metric(
        Metric(
            name="responsibility.meeting_compliance_rate",
            label=str(_("组织生活达标率")),
            unit="%",
            kind="rate",
            source=_over_months("meeting_checks_met", "meeting_checks"),
            link=_ledger_link,
        )
    )
    register_metric(
        Metric(
            name="responsibility.task_on_time_rate",
            label=str(_("任务按时完成率")),
            unit="%",
            kind="rate",
            source=_over_months("tasks_done_on_time", "tasks_due"),
            link=_link("item_list"),
        )
    )
    register_metric(
        Metric(
            name="responsibility.rectifications_open",
            label=str(_("整改未销号")),
            unit="条",
            kind="count",
            source=_at_end(lambda c: c["rectifications"] - c["rectifications_signed_off"]),
            higher_is_better=False,
            link=_link("rectification_list"),
        )
    )
    register_metric(
        Metric(
            name="responsibility.rectifications_overdue",
            label=str(_("整改逾期")),
            unit="条",
            kind="count",
            source=_at_end(lambda c: c["rectifications_overdue"]),
            higher_is_better=False,
            link=_link("rectification_list", overdue="true"),
        )
    )
    register_metric(
        Metric(
            name="responsibility.rectifications_closed",
            label=str(_("整改已销号")),
            unit="条",
            kind="count",
            source=_at_end(lambda c: c["rectifications_signed_off"]),
            link=_link("rectification_list", status="signed_off"),
        )
    )
