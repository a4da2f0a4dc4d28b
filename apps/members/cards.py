"""六色卡: each member's colour for a month from the categories (data), recomputed set-based.

The member's current card and the month it took effect are one narrow row keyed by the member (``MemberCard``).
One pass over the members computes every card (a CASE built from the category rows over the member, the year's
points — one GROUP BY joined once — and the latest decided appraisal level; only the joins the criteria need)
beside the card held (one more hash join), into a temporary table; then two set-based statements: an upsert of
only the cards that change (unchanged rows are not touched) and the month's counts per organization (one
GROUP BY into ``CardCount``). No Python loop over members; a rerun with the same data writes no card. Cards of
members who left stay as they were (the member's last card); the counts cover members in good standing only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from apps.core.periods import Period, add_years

from .appraisal_models import (
    Appraisal,
    AppraisalEntry,
    AppraisalStatus,
    CardCategory,
    CardCount,
    MemberCard,
    PointEntry,
)
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


def _criteria_case(on: Any) -> tuple[str, list[Any], set[str]]:
    """The CASE choosing the first matching category (by order), its parameters and the joins it needs."""
    whens, params, default, needs = [], [], None, set()
    for cat in CardCategory.objects.filter(is_active=True).order_by("order", "id"):
        cond, cond_params = _sql_condition(cat, on)
        if not cond:
            default = default or cat.pk
            continue
        if cat.min_points is not None or cat.max_points is not None:
            needs.add("points")
        if cat.appraisal_levels.strip(" ,"):
            needs.add("appraisal")
        whens.append(f"WHEN {cond} THEN %s")
        params.extend([*cond_params, cat.pk])
    if not whens:
        return ("%s" if default is not None else ""), ([default] if default is not None else []), needs
    return "CASE " + " ".join(whens) + " ELSE %s END", [*params, default], needs


def cards_recompute(*, period: Period, root_path: str = "/") -> int:
    """Recompute the month's cards under ``root_path``; idempotent. Returns the number of members carded."""
    return cards_recompute_detail(period=period, root_path=root_path)["members"]


@transaction.atomic
def cards_recompute_detail(*, period: Period, root_path: str = "/") -> dict[str, int]:
    """Members carded, cards changed (written) and count rows written for the month."""
    on = period.last_day
    month = period.first_day
    case, case_params, needs = _criteria_case(on)
    t = {
        "card": MemberCard._meta.db_table,
        "count": CardCount._meta.db_table,
        "member": Member._meta.db_table,
        "points": PointEntry._meta.db_table,
        "entry": AppraisalEntry._meta.db_table,
        "appraisal": Appraisal._meta.db_table,
    }
    like = root_path + "%"  # paths are digits and slashes: nothing to escape
    joins, join_params = "", []
    if "points" in needs:
        joins += (
            " LEFT JOIN (SELECT member_id, SUM(points) AS s FROM {points} WHERE year = %s AND occurred_on <= %s"
            " AND org_path LIKE %s GROUP BY member_id) p ON p.member_id = m.id"
        )
        join_params += [period.year, on, like]
    level = (
        "SELECT e.member_id, e.final_level FROM {entry} e JOIN {appraisal} ap ON ap.id = e.appraisal_id "
        "WHERE ap.year = %s AND ap.status = %s AND e.final_level <> '' AND e.org_path LIKE %s"
    )
    if "appraisal" in needs:
        joins += f" LEFT JOIN ({level}) a1 ON a1.member_id = m.id LEFT JOIN ({level}) a2 ON a2.member_id = m.id"
        join_params += [period.year, AppraisalStatus.DECIDED, like, period.year - 1, AppraisalStatus.DECIDED, like]
    CardCount.objects.filter(month=month, org_path__startswith=root_path)._raw_delete(CardCount.objects.db)
    if not case:  # no category at all: nobody holds a card
        return {"members": 0, "changed": 0, "counts": 0}
    tmp = "members_card_new"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {tmp}")
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL work_mem = '256MB'")
        # changed: another card than the one held, unless the held one took effect after this month (a recompute
        # of an earlier month does not take a newer card back)
        cur.execute(
            (
                f"CREATE TEMPORARY TABLE {tmp} AS SELECT id, organization_id, org_path, card, "
                "(old IS NULL OR (old <> card AND since <= %s)) AS changed FROM ("
                f"SELECT m.id, m.organization_id, m.org_path, {case} AS card, h.category_id AS old, "
                "h.since AS since FROM {member} m LEFT JOIN {card} h ON h.member_id = m.id"
                + joins
                + " WHERE m.status = %s AND m.org_path LIKE %s) c"
            ).format(**t),
            [month, *case_params, *join_params, MemberStatus.ACTIVE, like],
        )
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {tmp}")
        cur.execute(
            f"INSERT INTO {t['card']} (member_id, category_id, since) SELECT id, card, %s FROM {tmp} WHERE changed "
            "ON CONFLICT (member_id) DO UPDATE SET category_id = EXCLUDED.category_id, since = EXCLUDED.since",
            [month],
        )
        changed = cur.rowcount
        obj = "json_object_agg(card, n)" if connection.vendor == "postgresql" else "json_group_object(card, n)"
        cur.execute(
            (
                "INSERT INTO {count} (organization_id, org_path, month, counts) "
                f"SELECT organization_id, MIN(org_path), %s, {obj} FROM (SELECT organization_id, MIN(org_path) "
                f"AS org_path, card, COUNT(*) AS n FROM {tmp} GROUP BY organization_id, card) g "
                "GROUP BY organization_id"
            ).format(**t),
            [month],
        )
        counts = cur.rowcount
        cur.execute(f"SELECT COUNT(*) FROM {tmp}")
        members = cur.fetchone()[0]
        cur.execute(f"DROP TABLE {tmp}")
    return {"members": members, "changed": changed, "counts": counts}


def sum_counts(rows: Any) -> dict[int, int]:
    """Add up CardCount.counts objects ({category id: n}) into {category id: n}."""
    total: dict[int, int] = {}
    for counts in rows:
        for cat, n in (counts or {}).items():
            total[int(cat)] = total.get(int(cat), 0) + n
    return total


def card_counts(*, user: Any, organization: Any, period: Period) -> list[tuple[CardCategory, int]]:
    """Cards per category for an organization's subtree in a month (one read of the month's count rows)."""
    counts = sum_counts(
        CardCount.objects.visible_to(user)
        .filter(month=period.first_day, org_path__startswith=organization.path)
        .values_list("counts", flat=True)
    )
    return [(cat, counts.get(cat.pk, 0)) for cat in CardCategory.objects.filter(is_active=True)]


@dataclass(frozen=True)
class Card:
    category: CardCategory
    since: datetime.date


def member_card(*, member: Any) -> Card | None:
    """The member's current card and the month it took effect."""
    row = MemberCard.objects.filter(member_id=member.pk).select_related("category").first()
    return Card(category=row.category, since=row.since) if row else None
