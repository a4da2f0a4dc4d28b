"""The yearly summary per level: every organization of one kind (and optionally one sector) in a scope, with
what it got and spent that year — "how much did each community get and spend". Read from the roll-up (the
subtree columns of each organization's rows), never the ledger; the page shows a bounded number of rows and
the Excel export streams all of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Sum

from apps.organizations.models import Organization

from .models import FundingRollup
from .selectors import ZERO, Row

PAGE_ROWS = 500


def level_rows(
    *, user: Any, organization: Organization, year: int, kind: str, sector: str = "", limit: int | None = PAGE_ROWS
) -> tuple[list[Row], int]:
    """(rows ordered by path, how many organizations of that level the scope has). Two queries."""
    orgs = Organization.objects.visible_to(user).filter(path__startswith=organization.path, kind=kind, is_active=True)
    if sector:
        orgs = orgs.filter(sector=sector)
    count = orgs.count()
    picked = list(orgs.order_by("path").only("id", "name", "code", "path")[:limit] if limit else orgs.order_by("path"))
    sums = {
        r["organization_id"]: r
        for r in FundingRollup.objects.visible_to(user)
        .filter(year=year, organization_id__in=[o.pk for o in picked])
        .values("organization_id")
        .annotate(a=Sum("allocated"), s=Sum("spent"))
        .order_by()
    }
    rows = []
    for o in picked:
        r = sums.get(o.pk) or {}
        rows.append(Row(r.get("a") or ZERO, r.get("s") or ZERO, label=o.name, organization=o))
    return rows, count


def export_rows(*, user: Any, organization: Organization, year: int, kind: str, sector: str = "") -> Iterator[list]:
    """All organizations of the level, in chunks of PAGE_ROWS (bounded memory, two queries per chunk)."""
    orgs = Organization.objects.visible_to(user).filter(path__startswith=organization.path, kind=kind, is_active=True)
    if sector:
        orgs = orgs.filter(sector=sector)
    ids = list(orgs.order_by("path").values_list("id", flat=True))
    for start in range(0, len(ids), PAGE_ROWS):
        chunk = ids[start : start + PAGE_ROWS]
        names = {o.pk: o for o in Organization.objects.filter(pk__in=chunk).only("id", "name", "code")}
        sums = {
            r["organization_id"]: r
            for r in FundingRollup.objects.visible_to(user)
            .filter(year=year, organization_id__in=chunk)
            .values("organization_id")
            .annotate(a=Sum("allocated"), s=Sum("spent"))
            .order_by()
        }
        for oid in chunk:
            r = sums.get(oid) or {}
            row = Row(r.get("a") or ZERO, r.get("s") or ZERO)
            yield [names[oid].name, names[oid].code, row.allocated, row.spent, row.remaining, row.rate]
