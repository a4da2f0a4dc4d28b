"""Reads: lists, the request page, due items for the three letters, reminders, the home panel, summaries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from apps.core.due_items import DueItem
from apps.core.periods import Period
from apps.core.pii import mask_phone
from apps.core.text import cn_date
from apps.core.workdays import add_working_days
from apps.organizations.models import Organization

from .choices import OPEN_STATUSES, RecordStatus, RegistrationStatus, RequestStatus, WishStatus
from .models import CommunityRegistration, MicroWish, ServiceRecord, ServiceRequest, ServiceStep
from .pii import mask_name


def request_list(*, user: Any) -> QuerySet:
    return (
        ServiceRequest.objects.visible_to(user)
        .select_related("organization", "category", "category__parent")
        .order_by("-received_at", "-id")
    )


#: the list page's columns: the row query reads only these (the content as its first characters), never the
#: long text fields (result, notes) or the other joined organizations
LIST_COLUMNS = (
    "id", "status", "received_at", "due_on", "requester_name", "requester_phone", "reopen_count", "escalated",
    "duplicate_of_id", "organization", "category__name", "category__parent__name",
)  # fmt: skip
LIST_CONTENT_CHARS = 40


def request_list_page_qs(qs: QuerySet) -> QuerySet:
    """A filtered request list narrowed to what one row of the list page shows. The handling organizations'
    names are read for the page's rows afterwards (``request_list_rows``), not joined: with the join PostgreSQL
    hashed all 100k organizations for a county's 787 matching requests (EXPLAIN: 18 ms of a 38 ms query)."""
    from django.db.models.functions import Left

    return (
        qs.select_related(None)
        .select_related("category", "category__parent")
        .only(*LIST_COLUMNS)
        .annotate(content_head=Left("content", LIST_CONTENT_CHARS + 1))
    )


def request_list_rows(rows: list[ServiceRequest], *, today: datetime.date) -> list[dict[str, Any]]:
    """Plain values for the list template (masked requester, the detail link, labels), so the template does
    variable lookups only: no filters, URL reversing or method calls per row."""
    link = reverse("service_requests:request_detail", args=[987654321]).replace("987654321", "{}")
    labels = {value: str(label) for value, label in RequestStatus.choices}
    open_statuses = set(OPEN_STATUSES)
    org_names = dict(
        Organization.objects.filter(pk__in={r.organization_id for r in rows}).values_list("id", "name")
    ) if rows else {}  # fmt: skip
    out = []
    for r in rows:
        cat = r.category
        head = r.content_head or ""
        local = timezone.localtime(r.received_at)
        out.append(
            {
                "code": f"FW{r.pk:08d}",
                "url": link.format(r.pk),
                "content": head if len(head) <= LIST_CONTENT_CHARS else head[: LIST_CONTENT_CHARS - 1] + "…",
                "duplicate": r.duplicate_of_id is not None,
                "reopened": bool(r.reopen_count),
                "escalated": r.escalated,
                "category": f"{cat.parent.name}·{cat.name}" if cat.parent_id else cat.name,
                "who": f"{mask_name(r.requester_name)} {mask_phone(r.requester_phone)}",
                "org": org_names.get(r.organization_id, ""),
                "received": f"{local:%Y-%m-%d %H:%M}",
                "due": f"{r.due_on:%Y-%m-%d}" if r.due_on else "",
                "overdue": r.status in open_statuses and r.due_on is not None and r.due_on < today,
                "badge": STATUS_BADGE.get(r.status, "secondary"),
                "status": labels.get(r.status, r.status),
            }
        )
    return out


def request_timeline(*, req: ServiceRequest) -> list[ServiceStep]:
    return list(ServiceStep.objects.filter(request=req).select_related("actor").order_by("at", "id"))


def can_act(user: Any, req: ServiceRequest) -> bool:
    from apps.core.scoping import org_in_scope

    return user.has_perm("service_requests.change_servicerequest") and org_in_scope(user, req.organization)


def can_decide_suspension(user: Any, req: ServiceRequest) -> bool:
    own = getattr(user, "organization", None)
    return can_act(user, req) and (user.is_superuser or (own is not None and own.pk != req.organization_id))


# ---------------------------------------------------------------- due items, reminders


def _stage_date(period: Period, stage: str) -> datetime.date:
    if stage == "supervision":
        return period.first_day.replace(day=15)
    return period.last_day


def request_due_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    """Reminder: open requests whose closure deadline falls this month. Later stages: requests overdue at
    the stage date (THE overdue definition, ServiceRequestQuerySet.overdue_q). One query."""
    qs = ServiceRequest.objects.filter(org_path__startswith=root_path)
    if stage == "reminder":
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__gte=period.first_day, due_on__lte=period.last_day)
        kind, fmt = "service_request_due", "为民服务事项{code}（{cat}）将于{d}到期：{c}"
    else:
        qs = qs.overdue(_stage_date(period, stage))
        kind, fmt = "service_request_overdue", "为民服务事项{code}（{cat}）逾期未办结（时限{d}）：{c}"
    return [
        DueItem(
            organization_id=oid,
            kind=kind,
            title=fmt.format(code=f"FW{pk:08d}", cat=cat, d=due.strftime("%Y-%m-%d"), c=content[:30]),
            due_date=due,
            object_ref=f"service_requests.servicerequest:{pk}",
        )
        for pk, oid, cat, content, due in qs.values_list(
            "id", "organization_id", "category__name", "content", "due_on"
        ).iterator(chunk_size=5000)
    ]


def due_tomorrow_reminders(today: datetime.date) -> list[DueItem]:
    """Open requests due on the next working day, for the assignee organization (or the handling one), and
    answered requests whose follow-up (回访) window ends on it, for the handling organization.
    Rerunnable: the dedupe key makes one notice per request and deadline."""
    until = add_working_days(today, 1)
    rows = ServiceRequest.objects.filter(status__in=OPEN_STATUSES, due_on__gt=today, due_on__lte=until).values_list(
        "id", "organization_id", "assignee_org_id", "category__name", "due_on"
    )
    follow = ServiceRequest.objects.filter(
        status=RequestStatus.ANSWERED, follow_up_due_on__gt=today, follow_up_due_on__lte=until
    ).values_list("id", "organization_id", "category__name", "follow_up_due_on")
    link = reverse("service_requests:request_detail", args=[987654321]).replace("987654321", "{}")
    follow_items = [
        DueItem(
            organization_id=oid,
            kind="service_request_due",
            title=f"为民服务事项FW{pk:08d}（{cat}）的回访时限为{cn_date(due)}，请及时回访",
            due_date=due,
            object_ref=f"service_requests.servicerequest:{pk}",
            link=link.format(pk),
            dedupe_key=f"sr_follow:{pk}:{due}",
        )
        for pk, oid, cat, due in follow
    ]
    return follow_items + [
        DueItem(
            organization_id=aid or oid,
            kind="service_request_due",
            title=f"为民服务事项FW{pk:08d}（{cat}）将于{cn_date(due)}到期，请抓紧办结",
            due_date=due,
            object_ref=f"service_requests.servicerequest:{pk}",
            link=link.format(pk),
            dedupe_key=f"sr_due:{pk}:{due}",
        )
        for pk, oid, aid, cat, due in rows
    ]


# ---------------------------------------------------------------- home panel


def home_panel(*, user: Any) -> dict[str, Any]:
    """Requests due soon and overdue in the user's scope (the first five of each, and the counts)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("service_requests.view_servicerequest"):
        return {"kind": None}
    org = getattr(user, "organization", None)
    if org is None and not user.is_superuser:
        return {"kind": None}
    today = timezone.localdate()
    qs = ServiceRequest.objects.visible_to(user).filter(status__in=OPEN_STATUSES)
    soon_until = add_working_days(today, 1)
    overdue = qs.filter(due_on__lt=today).select_related("category").only("id", "content", "due_on", "category__name")
    soon = (
        qs.filter(due_on__gte=today, due_on__lte=soon_until)
        .select_related("category")
        .only("id", "content", "due_on", "category__name")
    )
    counts = qs.aggregate(
        overdue=Count("id", filter=Q(due_on__lt=today)),
        soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=soon_until)),
    )
    if not counts["overdue"] and not counts["soon"]:
        return {"kind": "quiet"}
    return {
        "kind": "requests",
        "overdue": list(overdue.order_by("due_on", "id")[:5]),
        "soon": list(soon.order_by("due_on", "id")[:5]),
        "overdue_count": counts["overdue"],
        "soon_count": counts["soon"],
    }


# ---------------------------------------------------------------- micro-wishes and 双报到


def wish_counts(*, user: Any) -> dict[str, Any]:
    """Per community and per claimant: posted, claimed, fulfilled (confirmed), budget."""
    qs = MicroWish.objects.visible_to(user)
    done = Q(status=WishStatus.CONFIRMED)
    by_community = list(
        qs.values("organization__name")
        .annotate(
            posted=Count("id"), claimed=Count("id", filter=~Q(status=WishStatus.OPEN)), done=Count("id", filter=done)
        )
        .order_by("-posted")[:10]
    )
    by_claimant = list(
        qs.exclude(claimant_name="")
        .values("claimant_name", "claimant_kind")
        .annotate(claimed=Count("id"), done=Count("id", filter=done))
        .order_by("-claimed")[:10]
    )
    totals = qs.aggregate(posted=Count("id"), done=Count("id", filter=done), budget=Sum("budget"))
    return {"by_community": by_community, "by_claimant": by_claimant, "totals": totals}


def registration_summary(*, user: Any, root: Any = None) -> dict[str, Any]:
    """The report sentence for a subtree: "N名在职党员到M个社区报到…服务群众X人次…化解矛盾纠纷Y起".
    Counted for registrations whose community *or* home organization is in the subtree (visible_to)."""
    regs = CommunityRegistration.objects.visible_to(user).exclude(status=RegistrationStatus.ENDED)
    if root is not None:
        regs = regs.filter(Q(org_path__startswith=root.path) | Q(home_path__startswith=root.path))
    agg = regs.aggregate(
        members=Count("member", distinct=True, filter=Q(kind="member")),
        units=Count("home_org", distinct=True, filter=Q(kind="unit")),
        communities=Count("organization", distinct=True),
        posts=Count("post", filter=Q(post__isnull=False)),
    )
    recs = ServiceRecord.objects.filter(registration__in=regs.values("id"), status=RecordStatus.CONFIRMED).aggregate(
        people=Sum("people_served"), disputes=Sum("disputes_resolved"), hours=Sum("hours"), n=Count("id")
    )
    return {
        "members": agg["members"] or 0,
        "units": agg["units"] or 0,
        "communities": agg["communities"] or 0,
        "posts": agg["posts"] or 0,
        "records": recs["n"] or 0,
        "people": recs["people"] or 0,
        "disputes": recs["disputes"] or 0,
        "hours": recs["hours"] or Decimal("0"),
    }


def registration_hours(*, registrations: list[CommunityRegistration]) -> dict[int, dict[str, Any]]:
    """Confirmed hours / people / disputes per registration (one query for a page of rows)."""
    rows = (
        ServiceRecord.objects.filter(registration__in=[r.pk for r in registrations], status=RecordStatus.CONFIRMED)
        .values("registration_id")
        .annotate(hours=Sum("hours"), people=Sum("people_served"), disputes=Sum("disputes_resolved"), n=Count("id"))
        .order_by()
    )
    return {r["registration_id"]: r for r in rows}


#: docs/ui.md's status colours: red is overdue only (primary is the party red, so 办理中 read as overdue), neutral
#: work info, waiting amber, done green, closed grey
STATUS_BADGE = {
    RequestStatus.REGISTERED: "secondary",
    RequestStatus.ACCEPTED: "info",
    RequestStatus.ASSIGNED: "info",
    RequestStatus.IN_PROGRESS: "info",
    RequestStatus.SUSPENDED: "warning",
    RequestStatus.ANSWERED: "success",
    RequestStatus.FOLLOWED_UP: "success",
    RequestStatus.CLOSED: "secondary",
}
