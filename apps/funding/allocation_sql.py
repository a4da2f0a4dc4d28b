"""Standard-based allocation in SQL (PostgreSQL): the preview lines are one query, and the commit inserts
from that same query (INSERT … SELECT) and rolls the inserted rows up the tree with one more INSERT … SELECT.
No row of the 100,000 ever passes through Python.

``lines_sql`` builds the query of the lines: one row per (standard, organization) with the units, the amount
(units × standard amount, NUMERIC), the basis text ("社区党建工作经费：312人 × 100元") and ``done`` (the
organization already received money from that standard, so it is skipped). The same rules as the portable
implementation in ``allocations`` (used on SQLite): active organizations strictly below the region, of the
standard's kind / sector / parent kind, demonstration sites for a per-site standard, the topmost only when
``top_level_only``, and for a per-member standard the active members in the organization's subtree.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from apps.members.choices import MemberStatus
from apps.members.models import Member
from apps.organizations.models import Organization

from .choices import StandardBasis
from .models import Allocation, FundingRollup, FundingStandard

ORG = Organization._meta.db_table
MEMBER = Member._meta.db_table
ALLOC = Allocation._meta.db_table
ROLLUP = FundingRollup._meta.db_table
# The ids on a materialized path "/1/7/42/" as text[] {1,7,42}.
PATH_IDS = "string_to_array(btrim({col}, '/'), '/')"


def _targets(std: FundingStandard, region: Organization, params: list) -> str:
    where = ["o.path LIKE %s", "o.id <> %s", "o.is_active"]
    params += [region.path + "%", region.pk]
    if std.target_kind:
        where.append("o.kind = %s")
        params.append(std.target_kind)
    if std.target_sector:
        where.append("o.sector = %s")
        params.append(std.target_sector)
    if std.target_parent_kind:
        where.append(f"EXISTS (SELECT 1 FROM {ORG} par WHERE par.id = o.parent_id AND par.kind = %s)")
        params.append(std.target_parent_kind)
    if std.basis == StandardBasis.PER_SITE:
        where.append("o.is_demonstration")
    return f"SELECT o.id, o.path, o.name FROM {ORG} o WHERE {' AND '.join(where)}"


def lines_sql(standards: list[FundingStandard], labels: dict[int, tuple[str, str]]) -> tuple[str, list]:
    """The lines query (columns: ord, sid, source, oid, path, name, amount, basis, done) and its parameters.
    ``labels[std.pk]`` is (prefix, suffix) of the basis text; a per-member line puts the count between."""
    region = standards[0].region
    params: list[Any] = []
    ctes: list[str] = []
    selects: list[str] = []
    select_params: list[Any] = []
    if any(s.basis == StandardBasis.PER_MEMBER for s in standards):
        # Active members per organization of the region, then summed into every ancestor on its path.
        ctes.append(
            f"mc AS (SELECT x.id::bigint AS oid, SUM(c.n) AS n FROM (SELECT m.organization_id, COUNT(*) AS n "
            f"FROM {MEMBER} m WHERE m.status = %s GROUP BY m.organization_id) c JOIN {ORG} mo ON "
            f"mo.id = c.organization_id AND mo.path LIKE %s CROSS JOIN LATERAL unnest({PATH_IDS.format(col='mo.path')})"
            f" AS x(id) GROUP BY 1)"
        )
        params += [MemberStatus.ACTIVE, region.path + "%"]
    for i, std in enumerate(standards):
        t = f"t{i}"
        ctes.append(f"{t} AS MATERIALIZED ({_targets(std, region, params)})")
        if std.top_level_only:
            # Drop a target one of whose ancestors is also a target (hashed anti-join, no pairwise LIKE).
            ctes.append(
                f"{t}x AS (SELECT * FROM {t} WHERE {t}.id NOT IN (SELECT a.id FROM {t} a CROSS JOIN LATERAL "
                f"unnest({PATH_IDS.format(col='a.path')}) AS x(id) JOIN {t} b ON b.id = x.id::bigint "
                f"WHERE b.id <> a.id))"
            )
            t = f"{t}x"
        prefix, suffix = labels[std.pk]
        if std.basis == StandardBasis.PER_MEMBER:
            units, join, basis = "mc.n", f"JOIN mc ON mc.oid = {t}.id", "%s || mc.n::text || %s"
            bparams = [prefix, suffix]
        else:
            units, join, basis = "1", "", "%s"
            bparams = [prefix + suffix]
        select_params += [i, std.pk, std.source, std.amount, *bparams, std.pk]
        selects.append(
            f"SELECT %s AS ord, %s::bigint AS sid, %s::text AS source, {t}.id AS oid, {t}.path, {t}.name, "
            f"({units} * %s::numeric)::numeric(14, 2) AS amount, left({basis}, 300) AS basis, "
            f"EXISTS (SELECT 1 FROM {ALLOC} d WHERE d.standard_id = %s AND d.organization_id = {t}.id) AS done "
            f"FROM {t} {join}"
        )
    sql = f"WITH {', '.join(ctes)}, lines AS ({' UNION ALL '.join(selects)}) "
    return sql, params + select_params


def preview_figures(
    standards: list[FundingStandard], labels: dict[int, tuple[str, str]], *, limit: int
) -> tuple[list[tuple], int, int, Decimal, dict[str, Decimal]]:
    """(first ``limit`` lines by path as (oid, name, path, total, basis), organizations, skipped, total,
    {source: amount}) in two queries."""
    sql, params = lines_sql(standards, labels)
    with connection.cursor() as cur:
        cur.execute(
            sql + "SELECT done, source, COUNT(DISTINCT oid), SUM(amount), GROUPING(source) FROM lines "
            "WHERE amount > 0 OR done GROUP BY GROUPING SETS ((done), (done, source))",
            params,
        )
        count = skipped = 0
        total = Decimal("0.00")
        by_source: dict[str, Decimal] = {}
        for done, source, n, amount, whole in cur.fetchall():
            if whole and done:
                skipped = n
            elif whole:
                count, total = n, amount or total
            elif not done:
                by_source[source] = amount
        cur.execute(
            sql + "SELECT oid, name, path, SUM(amount), string_agg(basis, ' + ' ORDER BY ord) FROM lines "
            "WHERE NOT done AND amount > 0 GROUP BY oid, name, path ORDER BY path LIMIT %s",
            [*params, limit],
        )
        lines = cur.fetchall()
    return lines, count, skipped, total, by_source


def insert_allocations(
    standards: list[FundingStandard],
    labels: dict[int, tuple[str, str]],
    *,
    issuer: Organization,
    year: int,
    notice_id: int,
    allocated_on: datetime.date,
) -> list[tuple[str, int, int, Decimal]]:
    """INSERT … SELECT the lines not yet allocated; returns (source, rows, organizations, amount) of what was
    inserted, read back by notice: first the whole (source None), then per source."""
    sql, params = lines_sql(standards, labels)
    with connection.cursor() as cur:
        cur.execute(
            sql + f"INSERT INTO {ALLOC} (issuer_id, organization_id, org_path, year, source, amount, spent, "
            "standard_id, basis, notice_id, allocated_on, created_at) SELECT %s, oid, path, %s, source, amount, 0, "
            "sid, basis, %s, %s, %s FROM lines WHERE NOT done AND amount > 0",
            [*params, issuer.pk, year, notice_id, allocated_on, timezone.now()],
        )
        cur.execute(
            f"SELECT source, COUNT(*), COUNT(DISTINCT organization_id), SUM(amount) FROM {ALLOC} "
            "WHERE notice_id = %s GROUP BY GROUPING SETS ((), (source)) ORDER BY source NULLS FIRST",
            [notice_id],
        )
        return cur.fetchall()


def rollup_notice(*, notice_id: int, year: int, month: int) -> int:
    """Add a notice's allocations to the roll-up of each recipient (own and subtree columns) and of every
    ancestor (subtree columns): one INSERT … SELECT … ON CONFLICT DO UPDATE, rows in key order."""
    cols = ("organization_id, org_path, parent_id_copy, year, month, source, category, allocated, spent, "
            "own_allocated, own_spent")  # fmt: skip
    updates = ", ".join(f"{c} = {ROLLUP}.{c} + excluded.{c}" for c in ("allocated", "own_allocated"))
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {ROLLUP} ({cols}) SELECT g.oid, o.path, o.parent_id, %s, %s, g.source, '', g.total, 0, "
            f"g.own, 0 FROM (SELECT x.id::bigint AS oid, a.source, SUM(a.amount) AS total, "
            f"SUM(CASE WHEN x.id::bigint = a.organization_id THEN a.amount ELSE 0 END) AS own FROM {ALLOC} a "
            f"CROSS JOIN LATERAL unnest({PATH_IDS.format(col='a.org_path')}) AS x(id) WHERE a.notice_id = %s "
            f"GROUP BY 1, 2) g JOIN {ORG} o ON o.id = g.oid ORDER BY g.oid, g.source "
            f"ON CONFLICT (organization_id, year, month, source, category) DO UPDATE SET {updates}",
            [year, month, notice_id],
        )
        return cur.rowcount
