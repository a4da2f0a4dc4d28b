"""六色卡: each member's colour for a month from the categories (data), recomputed set-based.

The recompute is one DELETE and one INSERT … SELECT: the category is a CASE over the member's yearly points
(a correlated SUM), latest appraisal level, mobile/lost flags and age — no Python loop over members.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from apps.core.periods import Period
from apps.organizations.models import add_years

from .appraisal_models import AppraisalEntry, AppraisalStatus, CardCategory, MemberCard, PointEntry
from .choices import MemberStatus, MobileState
from .models import Member


def _condition(cat: CardCategory, on: Any) -> Q | None:
    parts = []
    if cat.min_points is not None:
        parts.append(Q(year_points__gte=cat.min_points))
    if cat.max_points is not None:
        parts.append(Q(year_points__lte=cat.max_points))
    levels = [v.strip() for v in cat.appraisal_levels.split(",") if v.strip()]
    if levels:
        parts.append(Q(last_level__in=levels))
    if cat.mobile is not None:
        parts.append(~Q(mobile_state=MobileState.NONE) if cat.mobile else Q(mobile_state=MobileState.NONE))
    if cat.lost_contact is not None:
        parts.append(Q(lost_contact=cat.lost_contact))
    if cat.min_age is not None:
        parts.append(Q(birth_date__lte=add_years(on, -cat.min_age)))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q = (q | part) if cat.match_any else (q & part)
    return q


def card_queryset(*, period: Period, root_path: str = "/") -> Any:
    """Members in good standing annotated with ``card`` (a CardCategory id) for the month."""
    on = period.last_day
    cats = list(CardCategory.objects.filter(is_active=True).order_by("order", "id"))
    whens, default = [], None
    for cat in cats:
        cond = _condition(cat, on)
        if cond is None:
            default = default or cat.pk
            continue
        whens.append(When(cond, then=Value(cat.pk)))
    points = (
        PointEntry.objects.filter(member=OuterRef("pk"), year=period.year, occurred_on__lte=on)
        .values("member")
        .annotate(s=Sum("points"))
        .values("s")
    )
    level = (
        AppraisalEntry.objects.filter(member=OuterRef("pk"), appraisal__status=AppraisalStatus.DECIDED)
        .exclude(final_level="")
        .order_by("-appraisal__year")
        .values("final_level")[:1]
    )
    return (
        Member.objects.filter(org_path__startswith=root_path, status=MemberStatus.ACTIVE)
        .annotate(year_points=Coalesce(Subquery(points, output_field=IntegerField()), 0), last_level=Subquery(level))
        .annotate(card=Case(*whens, default=Value(default), output_field=IntegerField()))
    )


@transaction.atomic
def cards_recompute(*, period: Period, root_path: str = "/") -> int:
    """Replace the month's cards under ``root_path``; idempotent. Returns the number of cards written."""
    MemberCard.objects.filter(month=period.first_day, org_path__startswith=root_path)._raw_delete(MemberCard.objects.db)
    qs = card_queryset(period=period, root_path=root_path).filter(card__isnull=False)
    select_sql, params = qs.values_list("id", "organization_id", "org_path", "card").query.sql_with_params()
    table = MemberCard._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (member_id, organization_id, org_path, category_id, month) "
            f"SELECT t.id, t.organization_id, t.org_path, t.card, %s FROM ({select_sql}) t",
            [period.first_day, *params],
        )
        return cursor.rowcount


def card_counts(*, user: Any, organization: Any, period: Period) -> list[tuple[CardCategory, int]]:
    """Cards per category for an organization's subtree in a month (one GROUP BY)."""
    counts = dict(
        MemberCard.objects.visible_to(user)
        .filter(month=period.first_day, org_path__startswith=organization.path)
        .values_list("category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(cat, counts.get(cat.pk, 0)) for cat in CardCategory.objects.filter(is_active=True)]


def member_card(*, member: Any) -> MemberCard | None:
    return MemberCard.objects.filter(member=member).select_related("category").order_by("-month").first()
