"""六色卡: each member's colour for a month from the categories (data), recomputed set-based.

The recompute is one DELETE and one INSERT … SELECT: the category is a CASE over the member's yearly points
(a grouped SUM joined once), latest appraisal level, mobile/lost flags and age — no Python loop over members.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Count

from apps.core.periods import Period, add_years

from .appraisal_models import AppraisalEntry, AppraisalStatus, CardCategory, MemberCard, PointEntry
from .choices import MemberStatus
from .models import Member


def _sql_condition(cat: CardCategory, on: Any) -> tuple[str, list[Any]]:
    """The category's criteria as SQL over the aliases m (member), p.s (year points), lvl (latest level)."""
    parts: list[str] = []
    params: list[Any] = []
    if cat.min_points is not None:
        parts.append("COALESCE(p.s, 0) >= %s")
        params.append(cat.min_points)
    if cat.max_points is not None:
        parts.append("COALESCE(p.s, 0) <= %s")
        params.append(cat.max_points)
    levels = [v.strip() for v in cat.appraisal_levels.split(",") if v.strip()]
    if levels:
        parts.append("COALESCE(a1.final_level, a2.final_level) IN (" + ", ".join(["%s"] * len(levels)) + ")")
        params.extend(levels)
    if cat.mobile is not None:
        parts.append("m.mobile_state <> ''" if cat.mobile else "m.mobile_state = ''")
    if cat.lost_contact is not None:
        parts.append("m.lost_contact = %s")
        params.append(cat.lost_contact)
    if cat.min_age is not None:
        parts.append("m.birth_date <= %s")
        params.append(add_years(on, -cat.min_age))
    joiner = " OR " if cat.match_any else " AND "
    return ("(" + joiner.join(parts) + ")") if parts else "", params


@transaction.atomic
def cards_recompute(*, period: Period, root_path: str = "/") -> int:
    """Replace the month's cards under ``root_path``; idempotent. Returns the number of cards written.

    One INSERT … SELECT: members LEFT JOIN their yearly points (one GROUP BY) and their appraisal level of this
    year or last year, the category chosen by a CASE built from the category rows (first match by order)."""
    on = period.last_day
    MemberCard.objects.filter(month=period.first_day, org_path__startswith=root_path)._raw_delete(MemberCard.objects.db)
    whens, params, default = [], [], None
    for cat in CardCategory.objects.filter(is_active=True).order_by("order", "id"):
        cond, cond_params = _sql_condition(cat, on)
        if not cond:
            default = default or cat.pk
            continue
        whens.append(f"WHEN {cond} THEN %s")
        params.extend([*cond_params, cat.pk])
    if not whens and default is None:
        return 0
    case = "CASE " + " ".join(whens) + " ELSE %s END" if whens else "%s"
    params.append(default)
    t = {
        "card": MemberCard._meta.db_table,
        "member": Member._meta.db_table,
        "points": PointEntry._meta.db_table,
        "entry": AppraisalEntry._meta.db_table,
        "appraisal": AppraisalEntry._meta.get_field("appraisal").related_model._meta.db_table,
    }
    level_sql = (
        "SELECT e.member_id, e.final_level FROM {entry} e JOIN {appraisal} ap ON ap.id = e.appraisal_id "
        "WHERE ap.year = %s AND ap.status = %s AND e.final_level <> ''"
    ).format(**t)
    sql = (
        "INSERT INTO {card} (member_id, organization_id, org_path, category_id, month) "
        "SELECT id, organization_id, org_path, card, %s FROM ("
        "SELECT m.id, m.organization_id, m.org_path, " + case + " AS card FROM {member} m "
        "LEFT JOIN (SELECT member_id, SUM(points) AS s FROM {points} WHERE year = %s AND occurred_on <= %s "
        "AND org_path LIKE %s GROUP BY member_id) p ON p.member_id = m.id "
        "LEFT JOIN (" + level_sql + ") a1 ON a1.member_id = m.id "
        "LEFT JOIN (" + level_sql + ") a2 ON a2.member_id = m.id "
        "WHERE m.status = %s AND m.org_path LIKE %s) t WHERE card IS NOT NULL"
    ).format(**t)
    like = root_path + "%"  # paths are digits and slashes: nothing to escape
    all_params = [
        period.first_day,
        *params,
        period.year,
        on,
        like,
        period.year,
        AppraisalStatus.DECIDED,
        period.year - 1,
        AppraisalStatus.DECIDED,
        MemberStatus.ACTIVE,
        like,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
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
