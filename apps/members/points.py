"""积分: a points ledger per member. Rules are data (``PointRule``); automatic entries come from *point
sources* registered by the apps that own the events (members: dues and appraisal; higher apps such as
responsibility's meeting attendance or service records register theirs in their ``ready()``):

    from apps.members.points import register_point_source

    def attendance_present(*, start, end, root_path):
        # -> iterable of (member_id, source_ref, occurred_on), set-based
        ...
    register_point_source("responsibility.attendance_present", attendance_present)

A rule whose ``source`` names a registered source turns every event into one entry; the unique
(rule, source_ref) constraint makes a re-run add nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Sum, Window
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.periods import Period
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .appraisal_models import AppraisalEntry, AppraisalLevel, AppraisalStatus, PointEntry, PointRule
from .choices import MemberStatus
from .dues_models import DuesBase, DuesPayment, ReductionKind
from .models import Member

PointSource = Callable[..., Iterable[tuple[int, str, datetime.date]]]
_SOURCES: dict[str, PointSource] = {}


def register_point_source(name: str, fn: PointSource) -> None:
    _SOURCES[name] = fn


def point_sources() -> dict[str, PointSource]:
    return dict(_SOURCES)


# ---- members' own sources ------------------------------------------------------------------------------


def dues_on_time(*, start: datetime.date, end: datetime.date, root_path: str) -> Iterable[tuple]:
    """A month's dues paid by the end of that month."""
    qs = DuesPayment.objects.filter(
        org_path__startswith=root_path, month__gte=start.replace(day=1), month__lte=end, paid_on__lte=end
    ).values_list("member_id", "month", "paid_on")
    for mid, month, paid_on in qs.iterator(chunk_size=5000):
        if Period.of(paid_on) <= Period.of(month):
            yield mid, f"dues:{mid}:{month:%Y-%m}", paid_on


def dues_overdue(*, start: datetime.date, end: datetime.date, root_path: str) -> Iterable[tuple]:
    """A month still unpaid when the following month has ended, for members whose dues the branch tracks
    that year (one query per month, set-based)."""
    last_closed = Period.of(end).shift(-2)  # month M is overdue once M+1 is over
    p = Period.of(start)
    while p <= last_closed:
        paid = DuesPayment.objects.filter(member=OuterRef("pk"), month=p.first_day)
        # only months the branch tracks: a base recorded for the year, not exempt
        tracked = DuesBase.objects.filter(member=OuterRef("pk"), year=p.year).exclude(reduction=ReductionKind.EXEMPT)
        qs = (
            Member.objects.filter(org_path__startswith=root_path, status=MemberStatus.ACTIVE, joined_on__lte=p.last_day)
            .filter(Exists(tracked))
            .exclude(Exists(paid))
            .values_list("id", flat=True)
        )
        due = p.next().last_day
        for mid in qs.iterator(chunk_size=5000):
            yield mid, f"dues-overdue:{mid}:{p}", due
        p = p.next()


def _appraisal(level: str) -> PointSource:
    def source(*, start: datetime.date, end: datetime.date, root_path: str) -> Iterable[tuple]:
        qs = AppraisalEntry.objects.filter(
            org_path__startswith=root_path,
            final_level=level,
            appraisal__status=AppraisalStatus.DECIDED,
            appraisal__meeting_on__gte=start,
            appraisal__meeting_on__lte=end,
        ).values_list("member_id", "id", "appraisal__meeting_on")
        for mid, eid, on in qs:
            yield mid, f"appraisal:{eid}", on

    return source


register_point_source("members.dues_on_time", dues_on_time)
register_point_source("members.dues_overdue", dues_overdue)
register_point_source("members.appraisal_excellent", _appraisal(AppraisalLevel.EXCELLENT))
register_point_source("members.appraisal_unqualified", _appraisal(AppraisalLevel.UNQUALIFIED))


# ---- collection ----------------------------------------------------------------------------------------


def points_collect(*, start: datetime.date, end: datetime.date, root_path: str = "/", batch: int = 5000) -> int:
    """Create the entries of every active rule with a registered source for events in [start, end].

    Idempotent: the unique (rule, source_ref) constraint drops what exists (``ignore_conflicts``)."""
    created = 0
    rules = list(PointRule.objects.filter(is_active=True).exclude(source="manual"))
    for rule in rules:
        fn = _SOURCES.get(rule.source)
        if fn is None:
            continue
        events = list(fn(start=start, end=end, root_path=root_path))
        if not events:
            continue
        ids = list({mid for mid, _ref, _on in events})
        orgs: dict[int, tuple[int, str]] = {}
        for i in range(0, len(ids), batch):
            orgs.update(
                {
                    m: (o, p)
                    for m, o, p in Member.objects.filter(pk__in=ids[i : i + batch]).values_list(
                        "id", "organization_id", "org_path"
                    )
                }
            )
        rows = [
            PointEntry(
                member_id=mid,
                organization_id=orgs[mid][0],
                org_path=orgs[mid][1],
                rule=rule,
                source_ref=ref[:80],
                points=rule.points,
                year=on.year,
                occurred_on=on,
                reason=rule.name,
            )
            for mid, ref, on in events
            if mid in orgs
        ]
        before = PointEntry.objects.filter(rule=rule).count()
        for i in range(0, len(rows), batch):
            PointEntry.objects.bulk_create(rows[i : i + batch], ignore_conflicts=True)
        created += PointEntry.objects.filter(rule=rule).count() - before
    _sync_member_points(year=end.year, root_path=root_path)
    return created


def _sync_member_points(*, year: int, root_path: str) -> None:
    """Keep ``Member.points`` (shown on the roster) equal to the member's total for the year (one UPDATE)."""
    from django.db.models import IntegerField, Subquery

    total = (
        PointEntry.objects.filter(member=OuterRef("pk"), year=year)
        .values("member")
        .annotate(s=Sum("points"))
        .values("s")
    )
    Member.objects.filter(org_path__startswith=root_path).update(
        points=Coalesce(Subquery(total, output_field=IntegerField()), 0)
    )


@transaction.atomic
def points_add_manual(
    *,
    acting_user: Any,
    member: Any,
    points: int,
    reason: str,
    occurred_on: datetime.date,
    rule: PointRule | None = None,
) -> PointEntry:
    """A branch's own entry (加分/扣分), always with a reason."""
    ensure_perm(acting_user, "members.add_pointentry")
    ensure_org_in_scope(acting_user, member.organization)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("手动加减分须写明事由。")
    if not isinstance(points, int) or points == 0 or abs(points) > 100:
        errors["points"] = _("分值应为 -100 到 100 之间、不为0的整数。")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    entry = PointEntry.objects.create(
        member=member,
        organization=member.organization,
        org_path=member.org_path,
        rule=rule,
        points=points,
        year=occurred_on.year,
        occurred_on=occurred_on,
        reason=reason.strip(),
        created_by=acting_user,
    )
    if occurred_on.year == timezone.localdate().year:
        Member.objects.filter(pk=member.pk).update(points=F("points") + points)
    audit_record(actor=acting_user, event="point_entry.create", obj=entry, after=snapshot(entry))
    return entry


def points_ranking(*, user: Any, organization: Any, year: int, limit: int = 200) -> list[dict[str, Any]]:
    """Yearly totals and rank of the members of a branch (or any subtree), one query."""
    total = Coalesce(Sum("points"), 0)
    rows = (
        PointEntry.objects.visible_to(user)
        .filter(org_path__startswith=organization.path, year=year, member__status=MemberStatus.ACTIVE)
        .values("member_id", "member__name", "organization__name")
        .annotate(total=total)
        .annotate(rank=Window(Rank(), order_by=F("total").desc()))
        .order_by("-total", "member_id")[:limit]
    )
    return list(rows)


def member_points(*, member: Any, year: int) -> tuple[int, list[PointEntry]]:
    entries = list(PointEntry.objects.filter(member=member, year=year).select_related("rule")[:200])
    total = PointEntry.objects.filter(member=member, year=year).aggregate(s=Coalesce(Sum("points"), 0))["s"]
    return total, entries
