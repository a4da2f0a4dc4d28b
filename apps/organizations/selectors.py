"""Reads of the organization tree, always from ``visible_to(user)``."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.core.params import get_int_param
from apps.core.periods import add_months

from .choices import BRANCH_KINDS
from .models import Organization


def organization_roots_for(*, user: Any) -> QuerySet[Organization]:
    """The top of what a user sees: their own organization, or the tree roots for a superuser."""
    if user.is_superuser and user.organization_id is None:
        return Organization.objects.filter(parent__isnull=True)
    return Organization.objects.visible_to(user).filter(pk=user.organization_id)


def organization_children(*, user: Any, parent: Organization) -> QuerySet[Organization]:
    return Organization.objects.visible_to(user).filter(parent=parent).order_by("kind", "name")


PICKER_PAGE = 100


def picker_nodes(*, user: Any, parent_id: int | None, offset: int = 0) -> dict[str, Any]:
    """One level of the organization picker's tree: the user's top (no parent) or a parent's active children,
    in scope, a page of ``PICKER_PAGE`` at a time. One query (plus one for the parent's scope check), whatever
    the size of the tree: children are found by the parent index, "has children" is the denormalized count."""
    if parent_id is None:
        qs = organization_roots_for(user=user).filter(is_active=True)
    else:
        parent = Organization.objects.visible_to(user).filter(pk=parent_id).only("id").first()
        if parent is None:
            return {"results": [], "more": False, "found": False}
        qs = Organization.objects.visible_to(user).filter(parent_id=parent.pk, is_active=True)
    rows = list(
        qs.order_by("kind", "name", "id").only("id", "code", "name", "kind", "descendant_count")[
            offset : offset + PICKER_PAGE + 1
        ]
    )
    more = len(rows) > PICKER_PAGE
    return {
        "found": True,
        "more": more,
        "next_offset": offset + PICKER_PAGE if more else None,
        "results": [
            {
                "id": o.pk,
                "code": o.code,
                "name": o.name,
                "kind": str(o.get_kind_display()),
                "has_children": o.descendant_count > 0,
            }
            for o in rows[:PICKER_PAGE]
        ],
    }


def organization_search(*, user: Any, q: str, limit: int = 50) -> QuerySet[Organization]:
    q = q.strip()
    qs = Organization.objects.visible_to(user)
    if not q:
        return qs.none()
    exact = qs.filter(code=q)
    if exact.exists():
        return exact
    return qs.filter(name__contains=q).select_related("parent").order_by("depth", "name")[:limit]


def term_due_soon(*, user: Any, root: Organization | None = None, months: int | None = None) -> QuerySet:
    months = months if months is not None else get_int_param("term_due_warn_months")
    until = add_months(timezone.localdate(), months)
    qs = Organization.objects.visible_to(user).active().term_due_before(until)
    if root is not None:
        qs = qs.in_subtree(root)
    return qs.order_by("term_due_on")


def visible_ancestors(*, user: Any, org: Organization) -> list[Organization]:
    """Breadcrumb: the ancestors the user may see (never above their own organization)."""
    ids = org.ancestor_ids
    by_id = Organization.objects.visible_to(user).in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


SUMMARY_CACHE_SECONDS = 60


def subtree_counts(*, org: Organization, today: datetime.date, warn_months: int) -> dict[str, int]:
    """Branches, term elections due soon and overdue in a subtree: one aggregate, cached for a minute.

    Exact counts over a province are a scan of ~100k index entries; a dashboard can be a minute stale.
    """
    key = f"org-subtree-counts:{org.pk}:{today}:{warn_months}"
    counts = cache.get(key)
    if counts is None:
        until = add_months(today, warn_months)
        active = Q(is_active=True)
        counts = Organization.objects.filter(path__startswith=org.path).aggregate(
            branch_count=Count("id", filter=active & Q(kind__in=BRANCH_KINDS)),
            term_due_count=Count("id", filter=active & Q(term_due_on__lte=until)),
            term_overdue_count=Count("id", filter=active & Q(term_due_on__lt=today)),
        )
        cache.set(key, counts, SUMMARY_CACHE_SECONDS)
    return counts


def organization_home_summary(*, user: Any) -> dict[str, Any]:
    roots = list(organization_roots_for(user=user))
    org = roots[0] if len(roots) == 1 else None
    today = timezone.localdate()
    summary: dict[str, Any] = {"org": org, "roots": roots, "today": today}
    if org is None:
        return summary
    warn_months = get_int_param("term_due_warn_months")
    children = list(
        organization_children(user=user, parent=org).only(
            "id", "name", "kind", "sector", "descendant_count", "term_due_on", "is_active", "path", "parent_id"
        )
    )
    due = term_due_soon(user=user, root=org, months=warn_months)
    summary.update(
        children=children,
        descendant_count=org.descendant_count,
        term_due=list(due.only("id", "name", "term_due_on", "path")[:10]),
        term_warn_months=warn_months,
        # The user's own organization is the top of what they see: no breadcrumb above it.
        ancestors=[] if org.pk == user.organization_id else visible_ancestors(user=user, org=org),
        **subtree_counts(org=org, today=today, warn_months=warn_months),
    )
    return summary


def flags_for(org: Organization, *, today: datetime.date | None = None) -> list[str]:
    """Things worth showing (not refusing) about an organization."""
    today = today or timezone.localdate()
    flags = []
    if org.term_due_on:
        if org.term_due_on < today:
            flags.append(f"换届已逾期（应于{org.term_due_on:%Y-%m-%d}换届）")
        elif org.term_due_on <= add_months(today, get_int_param("term_due_warn_months")):
            flags.append(f"即将换届（{org.term_due_on:%Y-%m-%d}到期）")
    if org.is_weak:
        flags.append("软弱涣散党组织")
    return flags


def get_visible_or_404(user: Any, pk: Any) -> Organization:
    from apps.core.scoping import get_visible_or_404 as _get

    return _get(Organization, user, pk=pk)


def terms_due(*, until: datetime.date, root_path: str = "/") -> QuerySet[Organization]:
    """The one rule "term election due": active organizations under ``root_path`` whose term ends on or before
    ``until``. The letters and the daily reminder call it with their own windows."""
    return Organization.objects.filter(
        path__startswith=root_path, is_active=True, term_due_on__isnull=False, term_due_on__lte=until
    )


def term_due_items(*, period: Any, stage: str, root_path: str = "/") -> list:
    """Due-item source: term elections due within the warning window (reminder) or overdue (later stages)."""
    from apps.core.due_items import DueItem

    if stage == "reminder":
        until = add_months(period.last_day, get_int_param("term_due_warn_months"))
    else:
        until = period.first_day - datetime.timedelta(days=1)
    return [
        DueItem(
            organization_id=oid,
            kind="term_due",
            title=f"换届选举到期（{due:%Y-%m-%d}），请按期启动换届",
            due_date=due,
            object_ref=f"organizations.organization:{oid}",
        )
        for oid, due in terms_due(until=until, root_path=root_path)
        .values_list("id", "term_due_on")
        .iterator(chunk_size=5000)
    ]


def term_due_reminders(today: datetime.date) -> list:
    """Daily reminder: terms due within the warning window (default 6 months); once a month per organization."""
    from django.urls import reverse

    from apps.core.due_items import DueItem
    from apps.core.periods import Period

    until = add_months(today, get_int_param("term_due_warn_months"))
    key = f"term_due:{Period.of(today)}"
    return [
        DueItem(
            organization_id=oid,
            kind="term_due",
            title=f"{name}换届选举将于{due:%Y-%m-%d}到期，请提前做好换届准备"
            if due >= today
            else f"{name}换届选举已于{due:%Y-%m-%d}到期，请尽快启动换届",
            due_date=due,
            link=reverse("organizations:organization_detail", args=[oid]),
            dedupe_key=f"{key}:{oid}",
        )
        for oid, name, due in terms_due(until=until).values_list("id", "name", "term_due_on")
    ]
