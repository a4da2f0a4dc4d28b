"""Funding alerts as due-item sources (registered in ready()): they flow into the reminders and the three
letters like everything else that is due. Each source is a couple of GROUP BY queries for a whole subtree."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.core.due_items import DueItem
from apps.core.params import get_int_param, get_param
from apps.core.periods import Period

from .models import Expense, FundingRollup


def _money(value: Decimal | None) -> Decimal:
    """SQLite sums drop the scale; show money as 1000.00 on every database."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def checkpoints(year: int) -> list[tuple[datetime.date, Decimal]]:
    out = []
    for part in get_param("funding_checkpoints").split(","):
        if ":" not in part:
            continue
        day, pct = part.split(":", 1)
        month, dom = (int(x) for x in day.strip().split("-"))
        out.append((datetime.date(year, month, dom), Decimal(pct.strip())))
    return sorted(out)


def _own_year(root_path: str, year: int) -> Iterator[tuple[int, Decimal, Decimal]]:
    rows = (
        FundingRollup.objects.filter(org_path__startswith=root_path, year=year)
        .values("organization_id")
        .annotate(a=Sum("own_allocated"), s=Sum("own_spent"))
        .filter(a__gt=0)
        .order_by()
    )
    for r in rows:
        yield r["organization_id"], _money(r["a"]), _money(r["s"])


def low_execution_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    """Reminder: a checkpoint falls in this month and the organization is below it. Supervision/warning: the
    last checkpoint has passed and the organization is still below it."""
    cps = checkpoints(period.year)
    if stage == "reminder":
        due = [cp for cp in cps if period.first_day <= cp[0] <= period.last_day]
    else:
        due = [cp for cp in cps if cp[0] < period.first_day][-1:]
    if not due:
        return []
    date, pct = due[-1]
    need = format(pct.normalize(), "f")
    items = []
    for oid, allocated, spent in _own_year(root_path, period.year):
        rate = (spent * 100 / allocated).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if rate < pct:
            items.append(
                DueItem(
                    organization_id=oid,
                    kind="funding_low_execution",
                    title=f"{period.year}年党建经费执行率{rate}%，低于{date.month}月{date.day}日前应达到的{need}%",
                    due_date=date,
                )
            )
    return items


def unspent_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    """Money still unspent as the year ends (from the configured month, default December)."""
    if period.month < get_int_param("funding_year_end_month"):
        return []
    end = datetime.date(period.year, 12, 31)
    return [
        DueItem(
            organization_id=oid,
            kind="funding_unspent",
            title=f"{period.year}年党建经费尚有{allocated - spent}元未使用（共下拨{allocated}元）",
            due_date=end,
        )
        for oid, allocated, spent in _own_year(root_path, period.year)
        if allocated - spent > 0
    ]


def voucher_missing_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    """Posted expenses without any voucher; past the grace days from supervision on."""
    as_of = min(timezone.localdate(), period.last_day)
    qs = Expense.objects.filter(org_path__startswith=root_path).without_voucher().filter(spent_on__lte=as_of)
    if stage != "reminder":
        qs = qs.filter(spent_on__lt=as_of - datetime.timedelta(days=get_int_param("funding_voucher_grace_days")))
    rows = qs.values("organization_id").annotate(n=Count("id"), total=Sum("amount", filter=Q(amount__gt=0))).order_by()
    return [
        DueItem(
            organization_id=r["organization_id"],
            kind="funding_voucher_missing",
            title=f"{r['n']}笔经费支出（合计{_money(r['total'])}元）未上传凭证",
        )
        for r in rows
    ]
