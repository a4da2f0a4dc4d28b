"""Reads: lists, compliance, overdue items, roll-ups and the due-item sources of the monthly letters."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from apps.core.due_items import DueItem
from apps.core.periods import Period
from apps.core.text import cn_date, quoted
from apps.organizations.choices import BRANCH_KINDS
from apps.organizations.models import Organization

from .choices import LedgerStatus, RectificationStatus, TaskStatus
from .compliance import MeetingGap, branch_gaps
from .models import (
    DutyItem,
    Issuance,
    Meeting,
    MonthlyLedger,
    OrgMonthStats,
    ProblemItem,
    Rectification,
    TaskItem,
)
from .services import ledger_due_date

# ---------------------------------------------------------------- lists


def task_list(*, user: Any) -> QuerySet[TaskItem]:
    return TaskItem.objects.visible_to(user).select_related("organization")


def problem_list(*, user: Any) -> QuerySet[ProblemItem]:
    return ProblemItem.objects.visible_to(user).select_related("organization", "rectification")


def duty_list(*, user: Any) -> QuerySet[DutyItem]:
    return DutyItem.objects.visible_to(user).select_related("organization")


def rectification_list(*, user: Any) -> QuerySet[Rectification]:
    return Rectification.objects.visible_to(user).select_related("organization", "problem")


def ledger_list(*, user: Any) -> QuerySet[MonthlyLedger]:
    return (
        MonthlyLedger.objects.visible_to(user).select_related("organization").annotate(meeting_count=Count("meetings"))
    )


def issuance_list(*, user: Any) -> QuerySet[Issuance]:
    return Issuance.objects.visible_to(user).select_related("issuer")


# ---------------------------------------------------------------- compliance and overdue


def ledger_missing_meetings(*, branch: Organization, period: Period, include_pending: bool = False) -> list[MeetingGap]:
    """What required meetings a branch is missing for a month (with include_pending: still open windows too)."""
    gaps, _n, _c = branch_gaps(branches=[(branch.pk, branch.path)], period=period, include_pending=include_pending)
    return gaps.get(branch.pk, [])


def overdue_items(
    *, user: Any = None, root: Organization | None = None, date: datetime.date | None = None
) -> dict[str, QuerySet]:
    """Overdue tasks and rectifications in a subtree (the user's scope, or below ``root``)."""
    date = date or timezone.localdate()
    tasks = TaskItem.objects.all() if user is None else TaskItem.objects.visible_to(user)
    rects = Rectification.objects.all() if user is None else Rectification.objects.visible_to(user)
    if root is not None:
        tasks, rects = tasks.in_subtree(root), rects.in_subtree(root)
    return {
        "tasks": tasks.overdue(date).select_related("organization").order_by("due_date", "id"),
        "rectifications": rects.overdue(date).select_related("organization", "problem").order_by("deadline", "id"),
    }


def branch_month_status(*, user: Any, branch: Organization, period: Period) -> dict[str, Any]:
    """Everything the branch's page shows for a month: ledger state, missing meetings, overdue items."""
    today = timezone.localdate()
    ledger = MonthlyLedger.objects.visible_to(user).filter(organization=branch, month=period.first_day).first()
    overdue = overdue_items(user=user, root=branch, date=today)
    return {
        "branch": branch,
        "period": period,
        "ledger": ledger,
        "due_date": ledger_due_date(period),
        "gaps": ledger_missing_meetings(branch=branch, period=period, include_pending=True),
        "overdue_tasks": list(overdue["tasks"][:20]),
        "overdue_rectifications": list(overdue["rectifications"][:20]),
        "tasks_due_this_month": list(
            TaskItem.objects.visible_to(user)
            .in_subtree(branch)
            .open()
            .due_between(period.first_day, period.last_day)
            .order_by("due_date")[:20]
        ),
    }


# ---------------------------------------------------------------- roll-ups


def child_bucket(parent: Organization, children: list[Organization], field: str = "org_path") -> Case:
    """An expression naming the child (of ``parent``) whose subtree a row falls in; rows of ``parent``: 0."""
    whens = [When(**{f"{field}__startswith": c.path}, then=Value(c.pk)) for c in children]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def issuance_rollup(*, issuance: Issuance, today: datetime.date | None = None) -> dict[str, Any]:
    """The issuer's view of one issuance: done / in progress / overdue, by child organization (one query)."""
    today = today or timezone.localdate()
    issuer = issuance.issuer
    children = list(Organization.objects.filter(parent=issuer).only("id", "name", "path").order_by("path"))
    related = {"task": TaskItem, "problem": Rectification, "duty": DutyItem}[issuance.item_type]
    base = related.objects.filter(
        **({"problem__issuance": issuance} if related is Rectification else {"issuance": issuance})
    )
    if related is TaskItem:
        aggs = {
            "total": Count("id"),
            "done": Count("id", filter=Q(status=TaskStatus.DONE)),
            "done_on_time": Count("id", filter=Q(status=TaskStatus.DONE, completed_on__lte=issuance.due_date)),
            "in_progress": Count("id", filter=Q(status=TaskStatus.IN_PROGRESS)),
            "overdue": Count("id", filter=TaskItem.objects.overdue_q(today)),
        }
    elif related is Rectification:
        not_done = [RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS]
        aggs = {
            "total": Count("id"),
            "done": Count("id", filter=Q(status=RectificationStatus.SIGNED_OFF)),
            "done_on_time": Count("id", filter=Q(status=RectificationStatus.AWAITING_SIGNOFF)),
            "in_progress": Count("id", filter=Q(status__in=not_done)),
            "overdue": Count("id", filter=Rectification.objects.overdue_q(today)),
        }
    else:
        aggs = {"total": Count("id")}
    rows = base.annotate(bucket=child_bucket(issuer, children)).values("bucket").annotate(**aggs).order_by()
    by_child = {r["bucket"]: r for r in rows}
    empty = dict.fromkeys(aggs, 0)
    table = [{"org": c, **by_child.get(c.pk, empty)} for c in children if c.pk in by_child]
    totals = {k: sum(r[k] for r in by_child.values()) for k in aggs}
    return {"rows": table, "totals": totals, "columns": list(aggs)}


def overdue_counts(*, user: Any, root: Organization, children: list[Any], today: datetime.date) -> dict[int, Any]:
    """Overdue tasks and rectifications today, for ``root``'s subtree (key ``root.pk``) and each child's.

    Live counts with the same queryset method as the lists' ``?overdue=true``, so a figure and the list it
    links to always agree. Two grouped queries.
    """
    out: dict[int, dict[str, int]] = {root.pk: {"tasks": 0, "rectifications": 0}}
    for c in children:
        out[c.pk] = {"tasks": 0, "rectifications": 0}
    for key, model in (("tasks", TaskItem), ("rectifications", Rectification)):
        rows = (
            model.objects.visible_to(user)
            .in_subtree(root)
            .overdue(today)
            .annotate(bucket=child_bucket(root, children))
            .values("bucket")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            out[root.pk][key] += row["n"]
            if row["bucket"] in out and row["bucket"] != root.pk:
                out[row["bucket"]][key] += row["n"]
    return out


def stats_rollup_for_code(*, user: Any, code: str, period: Period, months: int = 12) -> dict[str, Any] | None:
    """The roll-up of the organization with this code, if it is in scope and has figures for the month."""
    total = (
        OrgMonthStats.objects.visible_to(user)
        .filter(organization__code=code, month=period.first_day)
        .select_related("organization")
        .first()
    )
    if total is None:
        return None
    return stats_rollup(user=user, root=total.organization, period=period, months=months, total=total)


def stats_rollup(
    *, user: Any, root: Organization, period: Period, months: int = 12, total: OrgMonthStats | None = None
) -> dict[str, Any]:
    """Pre-aggregated roll-up for a scope: the subtree total, by child organization, and by month.

    One indexed query for the scope's row; the children and the trend are cached under a key that carries
    that row's refresh time, so a stats_refresh makes the cached tables stale at once.
    """
    from django.core.cache import cache

    month = period.first_day
    if total is None:
        total = OrgMonthStats.objects.visible_to(user).filter(organization=root, month=month).first()
    result = {"root": root, "period": period, "total": total, "children": [], "trend": []}
    if total is None:
        return result
    key = f"resp.rollup:{root.pk}:{month}:{months}:{total.refreshed_at.timestamp()}"
    cached = cache.get(key)
    if cached is None:
        children = list(
            OrgMonthStats.objects.filter(parent_id_copy=root.pk, month=month)
            .select_related("organization")
            .only(
                *OrgMonthStats.COUNTERS,
                "organization__name",
                "organization__kind",
                "organization__id",
                "organization__path",
                "organization__code",
                "month",
            )
            .order_by("organization__path")
        )
        first = period.shift(-(months - 1)).first_day
        trend = list(
            OrgMonthStats.objects.filter(organization=root, month__gte=first, month__lte=month).order_by("month")
        )
        cached = (children, trend)
        cache.set(key, cached, 3600)
    result["children"], result["trend"] = cached
    return result


# ---------------------------------------------------------------- due-item sources (the monthly letters)


def _stage_date(period: Period, stage: str) -> datetime.date:
    if stage == "reminder":
        return period.first_day
    if stage == "supervision":
        return period.first_day.replace(day=15)
    return period.last_day


def task_due_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    """Reminder: open tasks falling due this month. Later stages: tasks overdue at the stage date."""
    qs = TaskItem.objects.filter(org_path__startswith=root_path).open()
    if stage == "reminder":
        qs, kind, fmt = qs.due_between(period.first_day, period.last_day), "task_due", "任务{c}将于{d}到期"
    else:
        qs, kind, fmt = qs.filter(due_date__lt=_stage_date(period, stage)), "task_overdue", "任务{c}已逾期（时限{d}）"
    return [
        DueItem(
            organization_id=oid,
            kind=kind,
            title=fmt.format(c=quoted(content, 40), d=cn_date(due)),
            due_date=due,
            object_ref=f"responsibility.taskitem:{pk}",
        )
        for pk, oid, content, due in qs.values_list("id", "organization_id", "content", "due_date").iterator(
            chunk_size=5000
        )
    ]


def rectification_due_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    qs = Rectification.objects.filter(org_path__startswith=root_path).not_done().filter(deadline__isnull=False)
    if stage == "reminder":
        qs = qs.filter(deadline__gte=period.first_day, deadline__lte=period.last_day)
        kind, fmt = "rectification_due", "整改{c}将于{d}到期"
    else:
        qs = qs.filter(deadline__lt=_stage_date(period, stage))
        kind, fmt = "rectification_overdue", "整改{c}已逾期（期限{d}）"
    return [
        DueItem(
            organization_id=oid,
            kind=kind,
            title=fmt.format(c=quoted(desc, 40), d=cn_date(deadline)),
            due_date=deadline,
            object_ref=f"responsibility.rectification:{pk}",
        )
        for pk, oid, desc, deadline in qs.values_list(
            "id", "organization_id", "problem__description", "deadline"
        ).iterator(chunk_size=5000)
    ]


def _active_branches(root_path: str) -> list[tuple[int, str]]:
    return list(
        Organization.objects.filter(path__startswith=root_path, kind__in=BRANCH_KINDS, is_active=True)
        .values_list("id", "path")
        .order_by("path")
    )


def ledgers_not_submitted(*, period: Period, root_path: str = "/") -> list[int]:
    """The one rule "ledger not submitted": active branches under ``root_path`` whose ledger of ``period`` is
    neither submitted nor approved (ids, in path order)."""
    done = set(
        MonthlyLedger.objects.filter(org_path__startswith=root_path, month=period.first_day)
        .filter(status__in=[LedgerStatus.SUBMITTED, LedgerStatus.APPROVED])
        .values_list("organization_id", flat=True)
    )
    return [bid for bid, _p in _active_branches(root_path) if bid not in done]


def ledger_due_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    """The previous month's ledger not submitted: a reminder before its due date, a miss after it."""
    prev = period.previous()
    due = ledger_due_date(prev)
    if stage == "reminder" and _stage_date(period, stage) <= due:
        kind, title = "ledger_due", f"{prev.label}月度台账请于{cn_date(due)}前提交"
    else:
        kind, title = "ledger_missing", f"{prev.label}月度台账未提交（截止{cn_date(due)}）"
    return [
        DueItem(organization_id=bid, kind=kind, title=title, due_date=due)
        for bid in ledgers_not_submitted(period=prev, root_path=root_path)
    ]


def ledger_due_reminders(today: datetime.date, *, days_before: int = 1) -> list[DueItem]:
    """Daily reminder, ``days_before`` the previous month's ledger is due: branches that have not submitted it."""
    from django.urls import reverse

    prev = Period.of(today).previous()
    due = ledger_due_date(prev)
    if due != today + datetime.timedelta(days=days_before):
        return []
    link = reverse("responsibility:ledger_list")
    title = f"{prev.label}月度台账明天（{due:%m月%d日}）截止提交，请尽快填报"
    return [
        DueItem(organization_id=bid, kind="ledger_due", title=title, due_date=due, link=link,
                dedupe_key=f"ledger_due:{prev}:{bid}")
        for bid in ledgers_not_submitted(period=prev)
    ]  # fmt: skip


def meeting_due_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    """Required meetings missing in the previous month's windows (supervision and warning stages)."""
    if stage == "reminder":
        return []
    prev = period.previous()
    gaps, _n, _c = branch_gaps(branches=_active_branches(root_path), period=prev, root_path=root_path)
    return [
        DueItem(organization_id=bid, kind="meeting_missing", title=g.title, due_date=prev.last_day)
        for bid, items in gaps.items()
        for g in items
        if g.due
    ]


def ledgers_with_meeting_counts(qs: QuerySet[MonthlyLedger]) -> QuerySet[MonthlyLedger]:
    """The ledger list's export rows: each ledger with ``meeting_count``."""
    return qs.annotate(meeting_count=Count("meetings"))


def ledger_page_rows(ledgers: Any) -> list[MonthlyLedger]:
    """One page of the ledger list with ``meeting_count`` on each row: counted for this page's rows only
    (a GROUP BY over a province's ledgers would not be bounded)."""
    rows = list(ledgers)
    counts = dict(
        Meeting.objects.filter(ledger_id__in=[r.pk for r in rows])
        .values_list("ledger_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        r.meeting_count = counts.get(r.pk, 0)
    return rows


def rollup_page_details(*, user: Any, rollup: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """What the roll-up page shows beside the rates: the ledger deadline (a month's ledgers are not late
    before their due date, so its rate waits until then) and the open overdue items per child."""
    for s in [rollup["total"], *rollup["children"], *rollup["trend"]]:
        if s is not None:
            s.ledger_pending = ledger_due_date(Period.of(s.month)) >= today
    children = [s.organization for s in rollup["children"]]
    overdue = overdue_counts(user=user, root=rollup["root"], children=children, today=today)
    rollup["overdue_total"] = overdue[rollup["root"].pk]
    for s in rollup["children"]:
        s.overdue = overdue.get(s.organization_id)
    due = ledger_due_date(rollup["period"])
    return {"ledger_due": due, "ledger_pending": due >= today}


# ---------------------------------------------------------------- home page panel

HOME_LIST_LIMIT = 5


def home_panel(*, user: Any) -> dict[str, Any]:
    """What the home page shows of this app (templates/responsibility/_home_panel.html).

    A branch's people: the ledger of this month and last month (state, due date, return reason), overdue
    tasks and rectifications (first five each). Staff above branches: ledgers awaiting their review and
    overdue tasks and rectifications in scope, as counts. Others: nothing (``kind`` None).
    At most 4 queries once the request's user and permissions are loaded (the nav loads them anyway).
    """
    org = getattr(user, "organization", None)
    if not getattr(user, "is_authenticated", False) or not user.has_perm("responsibility.view_monthlyledger"):
        return {"kind": None}
    today = timezone.localdate()
    if org is not None and org.kind in BRANCH_KINDS:
        current = Period.of(today)
        months = [current, current.previous()]
        ledgers = {
            lg.month: lg
            for lg in MonthlyLedger.objects.visible_to(user)
            .filter(organization_id=org.pk, month__in=[p.first_day for p in months])
            .only("id", "month", "status", "due_date", "review_comment", "submitted_at", "org_path")
        }
        rows = []
        for p in months:
            lg = ledgers.get(p.first_day)
            due = lg.due_date if lg else ledger_due_date(p)
            rows.append(
                {
                    "period": p,
                    "ledger": lg,
                    "due_date": due,
                    "late": (lg is None or lg.status in (LedgerStatus.DRAFT, LedgerStatus.RETURNED)) and due < today,
                }
            )
        tasks = list(
            TaskItem.objects.visible_to(user)
            .in_subtree(org)
            .overdue(today)
            .only("id", "content", "due_date")
            .order_by("due_date", "id")[: HOME_LIST_LIMIT + 1]
        )
        rects = list(
            Rectification.objects.visible_to(user)
            .in_subtree(org)
            .overdue(today)
            .select_related("problem")
            .only("id", "deadline", "problem__id", "problem__description")
            .order_by("deadline", "id")[: HOME_LIST_LIMIT + 1]
        )
        return {
            "kind": "branch",
            "branch": org,
            "ledgers": rows,
            "overdue_tasks": tasks[:HOME_LIST_LIMIT],
            "more_tasks": len(tasks) > HOME_LIST_LIMIT,
            "overdue_rectifications": rects[:HOME_LIST_LIMIT],
            "more_rectifications": len(rects) > HOME_LIST_LIMIT,
        }
    awaiting = MonthlyLedger.objects.visible_to(user).filter(status=LedgerStatus.SUBMITTED)
    if org is not None:
        awaiting = awaiting.exclude(organization_id=org.pk)
    return {
        "kind": "above",
        "organization": org,
        "awaiting_review": awaiting.count(),
        "overdue_tasks": TaskItem.objects.visible_to(user).overdue(today).count(),
        "overdue_rectifications": Rectification.objects.visible_to(user).overdue(today).count(),
    }
