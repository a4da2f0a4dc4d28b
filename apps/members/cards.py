"""六色卡: each member's colour for a month from the categories (data), recomputed set-based.

The member's current card and the month it took effect are on the member's row (``card_category``,
``card_since``). One pass over the members computes every card (a CASE built from the category rows over the
member, the year's points — one GROUP BY joined once — and the latest decided appraisal level; only the joins
the criteria need) beside the card held, into a temporary table; then two set-based statements: an UPDATE of
only the members whose card changes (joined by primary key; unchanged rows are not touched) and the month's
counts per organization (one GROUP BY into ``CardCount``). No Python loop over members; a rerun with the same
data writes no card.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum

from apps.core.periods import Period, add_years

from .appraisal_models import (
    Appraisal,
    AppraisalEntry,
    AppraisalStatus,
    CardCategory,
    CardCount,
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
        n = Member.objects.filter(org_path__startswith=root_path, card_category__isnull=False).update(
            card_category=None, card_since=None
        )
        return {"members": 0, "changed": n, "counts": 0}
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
                f"SELECT m.id, m.organization_id, m.org_path, {case} AS card, m.card_category_id AS old, "
                "m.card_since AS since FROM {member} m" + joins + " WHERE m.status = %s AND m.org_path LIKE %s) c"
            ).format(**t),
            [month, *case_params, *join_params, MemberStatus.ACTIVE, like],
        )
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {tmp}")  # the planner then knows how few changed: a join by primary key
        cur.execute(
            f"UPDATE {t['member']} SET card_category_id = n.card, card_since = %s FROM {tmp} n "
            f"WHERE n.changed AND {t['member']}.id = n.id",
            [month],
        )
        changed = cur.rowcount
        cur.execute(
            (
                "INSERT INTO {count} (organization_id, org_path, month, category_id, n) "
                f"SELECT organization_id, MIN(org_path), %s, card, COUNT(*) FROM {tmp} "
                "GROUP BY organization_id, card"
            ).format(**t),
            [month],
        )
        counts = cur.rowcount
        cur.execute(f"SELECT COUNT(*) FROM {tmp}")
        members = cur.fetchone()[0]
        cur.execute(f"DROP TABLE {tmp}")
    return {"members": members, "changed": changed, "counts": counts}


def card_counts(*, user: Any, organization: Any, period: Period) -> list[tuple[CardCategory, int]]:
    """Cards per category for an organization's subtree in a month (one GROUP BY)."""
    counts = dict(
        CardCount.objects.visible_to(user)
        .filter(month=period.first_day, org_path__startswith=organization.path)
        .values_list("category_id")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return [(cat, counts.get(cat.pk, 0)) for cat in CardCategory.objects.filter(is_active=True)]


@dataclass(frozen=True)
class Card:
    category: CardCategory
    since: datetime.date


def member_card(*, member: Any) -> Card | None:
    """The member's current card and the month it took effect (on the member's row)."""
    if not member.card_category_id:
        return None
    return Card(category=member.card_category, since=member.card_since)
