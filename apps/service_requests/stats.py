"""The monthly figures table, kept current on every write, and the rates read from it.

A request contributes to the row of its handling organization, the month it was registered and its
category; the contribution is a pure function of the request's fields (``contribution``), so every
service applies ``stats_apply(before, after)`` — subtract the old contribution, add the new — and a
transfer, a reopening or a late follow-up all land right. Rows come in two kinds: own (``is_rollup``
False, what the metrics registry reads) and subtree (``is_rollup`` True, one per ancestor, so the rates page
of any subtree reads a few rows instead of aggregating a million requests).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, When
from django.utils import timezone

from .choices import Satisfaction
from .models import ServiceRequest, ServiceStatDay, ServiceStatMonth

COUNTERS = ServiceStatMonth.COUNTERS
Contribution = tuple[int, str, datetime.date, int, tuple[int, ...]]


def path_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def path_prefixes(path: str) -> list[tuple[int, str]]:
    ids = path_ids(path)
    return [(oid, "/" + "/".join(str(i) for i in ids[: n + 1]) + "/") for n, oid in enumerate(ids)]


def day_of(value: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def month_of(value: datetime.datetime | datetime.date) -> datetime.date:
    return day_of(value).replace(day=1)


def counters_of(req: ServiceRequest) -> tuple[int, ...]:
    closed = req.answered_at is not None
    return (
        1,
        int(req.accepted_at is not None),
        int(bool(req.responded_on_time)),
        int(closed),
        int(closed and bool(req.closed_on_time)),
        int(bool(req.satisfaction)),
        int(req.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASIC)),
        int(req.reopen_count > 0),
        (req.workdays_to_close or 0) if closed else 0,
    )


def contribution(req: ServiceRequest | None) -> Contribution | None:
    if req is None:
        return None
    return (req.organization_id, req.org_path, day_of(req.received_at), req.category_id, counters_of(req))


def _bump(org_id: int, path: str, is_rollup: bool, month: datetime.date, cat_id: int, deltas: dict[str, int]) -> None:
    key = {"organization_id": org_id, "is_rollup": is_rollup, "month": month, "category_id": cat_id}
    updates = {k: F(k) + v for k, v in deltas.items()}
    if ServiceStatMonth.objects.filter(**key).update(**updates):
        return
    try:
        with transaction.atomic():
            ServiceStatMonth.objects.create(org_path=path, **key, **deltas)
    except IntegrityError:  # created meanwhile by a concurrent write
        ServiceStatMonth.objects.filter(**key).update(**updates)


def _bump_day(org_id: int, path: str, day: datetime.date, cat_id: int, deltas: dict[str, int]) -> None:
    key = {"organization_id": org_id, "day": day, "category_id": cat_id}
    updates = {k: F(k) + v for k, v in deltas.items()}
    if ServiceStatDay.objects.filter(**key).update(**updates):
        return
    try:
        with transaction.atomic():
            ServiceStatDay.objects.create(org_path=path, **key, **deltas)
    except IntegrityError:  # created meanwhile by a concurrent write
        ServiceStatDay.objects.filter(**key).update(**updates)


def _apply_one(contrib: Contribution, sign: int) -> None:
    org_id, path, day, cat_id, counters = contrib
    deltas = {name: sign * v for name, v in zip(COUNTERS, counters, strict=True) if v}
    if not deltas:
        return
    month = day.replace(day=1)
    _bump(org_id, path, False, month, cat_id, deltas)
    for anc_id, anc_path in path_prefixes(path):
        _bump(anc_id, anc_path, True, month, cat_id, deltas)
        _bump_day(anc_id, anc_path, day, cat_id, deltas)


def stats_apply(before: Contribution | None, after: Contribution | None) -> None:
    """Move a request's contribution from ``before`` to ``after`` (inside the service's transaction)."""
    if before == after:
        return
    if before is not None and after is not None and before[:4] == after[:4]:
        diff = tuple(a - b for a, b in zip(after[4], before[4], strict=True))
        _apply_one((*after[:4], diff), 1)
        return
    if before is not None:
        _apply_one(before, -1)
    if after is not None:
        _apply_one(after, 1)


def _sum_expr() -> dict[str, Any]:
    """Live aggregation of the counters straight from the requests (the recount; the bench's baseline)."""
    closed = Q(answered_at__isnull=False)
    one = lambda q: Sum(Case(When(q, then=1), default=0, output_field=IntegerField()))  # noqa: E731
    return {
        "volume": Count("id"),
        "responded": one(Q(accepted_at__isnull=False)),
        "responded_on_time": one(Q(responded_on_time=True)),
        "closed": one(closed),
        "closed_on_time": one(closed & Q(closed_on_time=True)),
        "followed_up": one(~Q(satisfaction="")),
        "satisfied": one(Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
        "reopened": one(Q(reopen_count__gt=0)),
        "workdays_to_close": Sum(
            Case(When(closed, then=F("workdays_to_close")), default=0, output_field=IntegerField())
        ),
    }


def live_counters(*, root_path: str, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """The same totals as the stats tables for registrations on [start, end], by a live GROUP BY over the
    requests (tests and the bench)."""
    start_dt, end_dt = day_bounds(start, end)
    row = (
        ServiceRequest.objects.filter(org_path__startswith=root_path, received_at__gte=start_dt, received_at__lt=end_dt)
        .order_by()
        .aggregate(**_sum_expr())
    )
    return {k: int(row[k] or 0) for k in COUNTERS}


def day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in the local time zone."""
    first, last = start, end + datetime.timedelta(days=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), tz),
        timezone.make_aware(datetime.datetime.combine(last, datetime.time.min), tz),
    )


@transaction.atomic
def stats_rebuild(*, root_path: str = "/") -> int:
    """Recompute both tables for a subtree from the requests, set-based. For bulk loads (demo, bench) and
    repair. PostgreSQL: one GROUP BY of the requests into a temporary table of own figures per day, then
    INSERT … SELECT … GROUP BY for the own month rows and one per tree level for the subtree rows.
    Elsewhere: one GROUP BY, the subtree rows summed up the paths in memory, bulk inserts."""
    if connection.vendor == "postgresql":
        return _stats_rebuild_pg(root_path)
    from django.db.models.functions import TruncDate

    rows = (
        ServiceRequest.objects.filter(org_path__startswith=root_path)
        .annotate(d=TruncDate("received_at"))
        .values("organization_id", "org_path", "d", "category_id")
        .annotate(**_sum_expr())
        .order_by()
    )
    n = len(COUNTERS)
    own: dict[tuple[int, str, datetime.date, int], list[int]] = defaultdict(lambda: [0] * n)
    rollup: dict[tuple[int, str, datetime.date, int], list[int]] = defaultdict(lambda: [0] * n)
    days: dict[tuple[int, str, datetime.date, int], list[int]] = defaultdict(lambda: [0] * n)
    for r in rows:
        day = r["d"] if isinstance(r["d"], datetime.date) else datetime.date.fromisoformat(str(r["d"]))
        values = [int(r[k] or 0) for k in COUNTERS]
        targets = [own[(r["organization_id"], r["org_path"], day.replace(day=1), r["category_id"])]]
        for anc_id, anc_path in path_prefixes(r["org_path"]):
            if anc_path.startswith(root_path):
                targets.append(rollup[(anc_id, anc_path, day.replace(day=1), r["category_id"])])
                targets.append(days[(anc_id, anc_path, day, r["category_id"])])
        for acc in targets:
            for i, v in enumerate(values):
                acc[i] += v
    ServiceStatMonth.objects.filter(org_path__startswith=root_path).delete()
    ServiceStatDay.objects.filter(org_path__startswith=root_path).delete()
    objs = [
        ServiceStatMonth(
            organization_id=k[0],
            org_path=k[1],
            month=k[2],
            category_id=k[3],
            is_rollup=flag,
            **dict(zip(COUNTERS, v, strict=True)),
        )
        for flag, table in ((False, own), (True, rollup))
        for k, v in table.items()
    ]
    ServiceStatMonth.objects.bulk_create(objs, batch_size=5000)
    day_objs = [
        ServiceStatDay(
            organization_id=k[0], org_path=k[1], day=k[2], category_id=k[3], **dict(zip(COUNTERS, v, strict=True))
        )
        for k, v in days.items()
    ]
    ServiceStatDay.objects.bulk_create(day_objs, batch_size=5000)
    return len(objs) + len(day_objs)


def _stats_rebuild_pg(root_path: str) -> int:
    from django.conf import settings

    table, day_table = ServiceStatMonth._meta.db_table, ServiceStatDay._meta.db_table
    src = ServiceRequest._meta.db_table
    cols = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    closed = "answered_at IS NOT NULL"
    live = ", ".join(
        f"{expr} AS {name}"
        for expr, name in zip(
            [
                "COUNT(*)",
                "COUNT(*) FILTER (WHERE accepted_at IS NOT NULL)",
                "COUNT(*) FILTER (WHERE responded_on_time)",
                f"COUNT(*) FILTER (WHERE {closed})",
                f"COUNT(*) FILTER (WHERE {closed} AND closed_on_time)",
                "COUNT(*) FILTER (WHERE satisfaction <> '')",
                "COUNT(*) FILTER (WHERE satisfaction IN ('satisfied', 'basic'))",
                "COUNT(*) FILTER (WHERE reopen_count > 0)",
                f"COALESCE(SUM(workdays_to_close) FILTER (WHERE {closed}), 0)",
            ],
            COUNTERS,
            strict=True,
        )
    )
    like = root_path + "%"  # paths are digits and slashes only
    parts = "string_to_array(trim(both '/' from org_path), '/')"
    total = 0
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE org_path LIKE %s", [like])
        cur.execute(f"DELETE FROM {day_table} WHERE org_path LIKE %s", [like])
        cur.execute("DROP TABLE IF EXISTS sr_own_day")
        cur.execute(
            f"CREATE TEMP TABLE sr_own_day ON COMMIT DROP AS SELECT organization_id, org_path,"
            f" (received_at AT TIME ZONE %s)::date AS day, category_id, {live} FROM {src} WHERE org_path LIKE %s"
            " GROUP BY 1, 2, 3, 4",
            [settings.TIME_ZONE, like],
        )
        cur.execute(
            f"INSERT INTO {table} (organization_id, org_path, month, category_id, is_rollup, {cols}) "
            f"SELECT organization_id, org_path, date_trunc('month', day)::date, category_id, false, {sums}"
            " FROM sr_own_day GROUP BY 1, 2, 3, 4"
        )
        total += cur.rowcount
        cur.execute(f"SELECT COALESCE(MAX(cardinality({parts})), 0) FROM sr_own_day")
        depth = cur.fetchone()[0]
        root_depth = len(path_ids(root_path))
        for level in range(max(1, root_depth), depth + 1):
            # the ancestor at this level of every own row: its id and path are a prefix of the row's path
            ancestor = f"({parts})[%s]::bigint, '/' || array_to_string(({parts})[1:%s], '/') || '/'"
            cur.execute(
                f"INSERT INTO {table} (organization_id, org_path, month, category_id, is_rollup, {cols}) "
                f"SELECT {ancestor}, month, category_id, true, {sums} FROM {table}"
                f" WHERE NOT is_rollup AND org_path LIKE %s AND cardinality({parts}) >= %s GROUP BY 1, 2, 3, 4",
                [level, level, like, level],
            )
            total += cur.rowcount
            cur.execute(
                f"INSERT INTO {day_table} (organization_id, org_path, day, category_id, {cols}) "
                f"SELECT {ancestor}, day, category_id, {sums} FROM sr_own_day"
                f" WHERE cardinality({parts}) >= %s GROUP BY 1, 2, 3, 4",
                [level, level, level],
            )
            total += cur.rowcount
        cur.execute("DROP TABLE IF EXISTS sr_own_day")
    return total


# ---------------------------------------------------------------- reading


@dataclass
class Figures:
    volume: int = 0
    responded: int = 0
    responded_on_time: int = 0
    closed: int = 0
    closed_on_time: int = 0
    followed_up: int = 0
    satisfied: int = 0
    reopened: int = 0
    workdays_to_close: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, values: dict[str, int]) -> None:
        for k in COUNTERS:
            setattr(self, k, getattr(self, k) + int(values.get(k) or 0))

    @staticmethod
    def _pct(num: int, den: int) -> Decimal | None:
        return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1")) if den else None

    @property
    def response_rate(self) -> Decimal | None:
        return self._pct(self.responded_on_time, self.volume)

    @property
    def closure_rate(self) -> Decimal | None:
        return self._pct(self.closed, self.volume)

    @property
    def on_time_closure_rate(self) -> Decimal | None:
        return self._pct(self.closed_on_time, self.closed)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return self._pct(self.satisfied, self.followed_up)

    @property
    def reopen_rate(self) -> Decimal | None:
        return self._pct(self.reopened, self.volume)

    @property
    def avg_workdays_to_close(self) -> Decimal | None:
        if not self.closed:
            return None
        return (Decimal(self.workdays_to_close) / Decimal(self.closed)).quantize(Decimal("0.1"))

    @property
    def cells(self) -> tuple[Any, ...]:
        """The rates table's cells in order (volume, response rate, closed, on-time closure rate, satisfaction
        rate, reopen rate, average working days; "—" without a denominator): one loop in the template
        instead of seven filtered lookups per row."""
        return tuple(
            "—" if v is None else v
            for v in (self.volume, self.response_rate, self.closed, self.on_time_closure_rate,
                      self.satisfaction_rate, self.reopen_rate, self.avg_workdays_to_close)
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in COUNTERS}
        for k in ("response_rate", "closure_rate", "on_time_closure_rate", "satisfaction_rate", "reopen_rate",
                  "avg_workdays_to_close"):  # fmt: skip
            v = getattr(self, k)
            out[k] = None if v is None else float(v)
        return out


def month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def split_range(
    start: datetime.date, end: datetime.date
) -> tuple[tuple[datetime.date, datetime.date] | None, list[tuple[datetime.date, datetime.date]]]:
    """[start, end] as (first and last whole month, or None) and the partial months at its edges as day
    ranges: 2026-03-05..2026-06-10 -> ((04-01, 05-01), [(03-05, 03-31), (06-01, 06-10)])."""
    first_whole = start if start.day == 1 else month_end(start) + datetime.timedelta(days=1)
    last_whole = end.replace(day=1) if end == month_end(end) else end.replace(day=1) - datetime.timedelta(days=1)
    last_whole = last_whole.replace(day=1)
    if first_whole > end or last_whole < first_whole:  # no whole month inside: days only
        if start.replace(day=1) == end.replace(day=1):
            return None, [(start, end)]
        return None, [(start, month_end(start)), (end.replace(day=1), end)]
    edges = []
    if start < first_whole:
        edges.append((start, first_whole - datetime.timedelta(days=1)))
    if end > month_end(last_whole):
        edges.append((month_end(last_whole) + datetime.timedelta(days=1), end))
    return (first_whole, last_whole), edges


def range_rows(
    *, org_ids: list[int], start: datetime.date, end: datetime.date, detail_id: int | None = None
) -> list[tuple]:
    """Subtree figures of ``org_ids`` for registrations on [start, end] as tuples (organization_id, month,
    category_id, *COUNTERS): whole months from the monthly table, the partial edge months from the daily one
    (two queries at most). With ``detail_id`` only that organization's rows are per month and category; every
    other organization's figures come summed in SQL into one row (month and category None), so a page reads
    a few dozen rows rather than one per child, month and category."""
    from django.db.models import BigIntegerField, DateField
    from django.db.models.functions import TruncMonth

    months, edges = split_range(start, end)
    sums = {k: Sum(k) for k in COUNTERS}

    def keys(month: Any) -> dict[str, Any]:
        if detail_id is None:
            return {"m": month, "c": F("category_id")}
        mine = Q(organization_id=detail_id)
        return {
            "m": Case(When(mine, then=month), output_field=DateField()),
            "c": Case(When(mine, then=F("category_id")), output_field=BigIntegerField()),
        }

    fields = ("organization_id", "m", "c", *COUNTERS)
    rows: list[tuple] = []
    if months is not None:
        rows += list(
            ServiceStatMonth.objects.filter(
                is_rollup=True, organization_id__in=org_ids, month__gte=months[0], month__lte=months[1]
            )
            .values("organization_id", **keys(F("month")))
            .annotate(**sums)
            .values_list(*fields)
            .order_by()
        )
    if edges:
        within = Q()
        for a, b in edges:
            within |= Q(day__gte=a, day__lte=b)
        for r in (
            ServiceStatDay.objects.filter(within, organization_id__in=org_ids)
            .values("organization_id", **keys(TruncMonth("day")))
            .annotate(**sums)
            .values_list(*fields)
            .order_by()
        ):
            rows.append((r[0], month_of(r[1]) if r[1] is not None else None, *r[2:]))
    return rows


def _figures(acc: list[int]) -> Figures:
    return Figures(**dict(zip(COUNTERS, acc, strict=True)))


def subtree_rates(*, root: Any, start: datetime.date, end: datetime.date, top: int = 8) -> dict[str, Any]:
    """Totals, per-child figures, per-month series and top categories of ``root``'s subtree for the
    registrations on [start, end] (any dates; whole months read the monthly rows, edge days the daily
    rows): at most two queries over the subtree rows of the root and its children, whatever the tree; the
    children's rows summed in SQL (one row each), the root's per month and category."""
    from apps.organizations.models import Organization

    from .models import ServiceCategory

    children = list(
        Organization.objects.filter(parent_id=root.pk, is_active=True).order_by("code").only("id", "name", "code")
    )
    rows = range_rows(org_ids=[root.pk, *(c.pk for c in children)], start=start, end=end, detail_id=root.pk)
    n = len(COUNTERS)
    total = [0] * n
    by_child: dict[int, list[int]] = {c.pk: [0] * n for c in children}
    by_month: dict[datetime.date, list[int]] = {}
    by_cat: dict[int, int] = defaultdict(int)
    for oid, month, cat, *values in rows:
        if oid == root.pk:
            acc_m = by_month.setdefault(month, [0] * n)
            for i, v in enumerate(values):
                v = int(v or 0)
                total[i] += v
                acc_m[i] += v
            by_cat[cat] += int(values[0] or 0)
        else:
            acc = by_child[oid]
            for i, v in enumerate(values):
                acc[i] += int(v or 0)
    totals = _figures(total)
    top_ids = sorted(by_cat, key=lambda c: (-by_cat[c], c))[:top]
    names = {c.pk: str(c) for c in ServiceCategory.objects.filter(pk__in=top_ids).select_related("parent")}
    return {
        "total": totals,
        "children": [(c, _figures(by_child[c.pk])) for c in children],
        "months": sorted((m, _figures(v)) for m, v in by_month.items()),
        "top_categories": [(names.get(c, ""), by_cat[c], _share(by_cat[c], totals.volume)) for c in top_ids],
    }


def _share(n: int, total: int) -> Decimal | None:
    return (Decimal(n) * 100 / Decimal(total)).quantize(Decimal("0.1")) if total else None


def live_subtree_rates(*, root: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The naive way (the bench's baseline): GROUP BY over the requests of the subtree and its children."""
    from apps.organizations.models import Organization

    total = Figures()
    total.add(live_counters(root_path=root.path, start=start, end=end))
    children = []
    for c in Organization.objects.filter(parent_id=root.pk, is_active=True).order_by("code").only("id", "path"):
        f = Figures()
        f.add(live_counters(root_path=c.path, start=start, end=end))
        children.append((c, f))
    return {"total": total, "children": children}


def own_figures(*, root_path: str, start: datetime.date, end: datetime.date, num: str, den: str | None) -> dict:
    """Each organization's own (num, den) in the months touching [start, end], keyed by path (metrics)."""
    qs = (
        ServiceStatMonth.objects.filter(
            is_rollup=False, org_path__startswith=root_path, month__gte=start.replace(day=1), month__lte=end
        )
        .values("org_path")
        .annotate(n=Sum(num), d=Sum(den) if den else Count("id"))
        .order_by()
    )
    return {r["org_path"]: (int(r["n"] or 0), int(r["d"] or 0) if den else 1) for r in qs}
