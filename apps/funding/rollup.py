"""The per-organization, per-month roll-up (FundingRollup), kept current by the services on every write.

A write hands its deltas here; each delta is added to the organization's own columns and to the subtree
columns of the organization and every ancestor (read from the materialized path, no query), then applied
with one multi-row ``INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x`` per chunk, in key order so
concurrent writers lock rows in the same order.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from .choices import ExpenseStatus
from .models import FundingRollup

ZERO = Decimal("0.00")
COPY_THRESHOLD = 200  # a single expense touches a handful of rows: one INSERT … VALUES is cheaper there
_COLUMNS = (
    "organization_id", "org_path", "parent_id_copy", "year", "month", "source", "category",
    "allocated", "spent", "own_allocated", "own_spent",
)  # fmt: skip


@dataclass(frozen=True)
class Delta:
    org_path: str
    year: int
    month: int
    source: str
    category: str = ""
    allocated: Decimal = ZERO
    spent: Decimal = ZERO


def rollup_month(year: int, date: datetime.date) -> int:
    """The month a money movement counts in for a funding year (a late entry counts in December)."""
    if date.year == year:
        return date.month
    return 12 if date.year > year else 1


def _ancestors(path: str) -> list[tuple[int, str, int | None]]:
    """(id, path, parent id) of every organization on the path "/1/7/42/", root first."""
    out: list[tuple[int, str, int | None]] = []
    parent, start = None, 1
    while (end := path.find("/", start)) > 0:
        oid = int(path[start:end])
        out.append((oid, path[: end + 1], parent))
        parent, start = oid, end + 1
    return out


@transaction.atomic  # the temporary table empties on commit: COPY and INSERT must share one transaction
def rollup_apply(deltas: Iterable[Delta], *, chunk: int = 1000) -> int:
    """Add the deltas to the roll-up. Call inside the writing service's transaction. Returns rows touched."""
    acc: dict[tuple, list] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    meta: dict[int, tuple[str, int | None]] = {}
    for d in deltas:
        chain = _ancestors(d.org_path)
        for n, (oid, path, parent) in enumerate(chain):
            meta[oid] = (path, parent)
            row = acc[(oid, d.year, d.month, d.source, d.category)]
            row[0] += d.allocated
            row[1] += d.spent
            if n == len(chain) - 1:
                row[2] += d.allocated
                row[3] += d.spent
    if not acc:
        return 0
    table = connection.ops.quote_name(FundingRollup._meta.db_table)
    cols = ", ".join(_COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in _COLUMNS[-4:])
    conflict = f"ON CONFLICT (organization_id, year, month, source, category) DO UPDATE SET {updates}"
    keys = sorted(acc)
    if connection.vendor == "postgresql" and len(keys) > COPY_THRESHOLD:
        # COPY into a temporary table, then one INSERT … ON CONFLICT: no per-row SQL to build or parse.
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS funding_rollup_delta (organization_id int, org_path text, "
                "parent_id_copy int, year int, month int, source text, category text, allocated numeric, "
                "spent numeric, own_allocated numeric, own_spent numeric) ON COMMIT DELETE ROWS"
            )
            cur.execute("TRUNCATE funding_rollup_delta")
            with cur.copy(f"COPY funding_rollup_delta ({cols}) FROM STDIN") as copy:
                for key in keys:
                    oid, year, month, source, category = key
                    path, parent = meta[oid]
                    copy.write_row((oid, path, parent, year, month, source, category, *acc[key]))
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM funding_rollup_delta "
                f"ORDER BY organization_id, year, month, source, category {conflict}"
            )
        return len(keys)
    with connection.cursor() as cur:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            params: list = []
            for key in part:
                oid, year, month, source, category = key
                path, parent = meta[oid]
                params.extend([oid, path, parent, year, month, source, category, *acc[key]])
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(part))} {conflict}", params)
    return len(keys)


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute the whole table from the ledger (repair tool; normal writes keep it current)."""
    from .models import Allocation, Expense

    FundingRollup.objects.all().delete()
    deltas: list[Delta] = []
    for a in Allocation.objects.values("org_path", "year", "allocated_on", "source", "amount").iterator():
        deltas.append(
            Delta(a["org_path"], a["year"], rollup_month(a["year"], a["allocated_on"]), a["source"], "", a["amount"])
        )
    # Only entries the services posted: an expense enters the roll-up when approved (posted; a reversed one
    # stays posted and its reversal entry nets it out), never while awaiting review or after being returned.
    posted = (ExpenseStatus.POSTED, ExpenseStatus.REVERSED, ExpenseStatus.REVERSAL)
    for e in (
        Expense.objects.filter(status__in=posted)
        .values("org_path", "allocation__year", "spent_on", "source", "category", "amount")
        .iterator()
    ):
        y = e["allocation__year"]
        deltas.append(
            Delta(e["org_path"], y, rollup_month(y, e["spent_on"]), e["source"], e["category"], ZERO, e["amount"])
        )
    return rollup_apply(deltas)
