"""The nightly refresh: member breakdowns and every registered metric, rolled up the tree, stored per
organization. Set-based: one GROUP BY per dimension or metric over the whole tree, then a dictionary walk up
the materialized path and one bulk insert per table. Reads lower apps' tables only here, only to build the
aggregates, and only through their source functions (apps/members/stats_metrics.py, the metrics registry).
"""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from apps.core.metrics import OwnFigures, metrics
from apps.core.periods import Period
from apps.members.breakdowns import member_breakdowns
from apps.organizations.models import Organization

from .models import MemberStatsSnapshot, MetricSnapshot, RefreshRun

logger = logging.getLogger(__name__)

#: Metrics kept month by month for the 12-month trends (prefixes; others are kept as "year to date" only).
TREND_PREFIXES = (
    "responsibility.ledger_compliance_rate",
    "responsibility.ledger_submission_rate",
    "responsibility.meeting_compliance_rate",
    "supervision.letters.",
    "supervision.accountability_opened",
    "members.admitted_count",
    "funding.execution_rate",
    "service_requests.on_time_closure_rate",
    "service_requests.satisfaction_rate",
)
TREND_MONTHS = 12
#: Trend months recomputed every night (this month and the last); older ones are built once when missing.
RECOMPUTE_MONTHS = 2
#: Daily snapshots older than this are dropped unless they fall on a month end (kept for the yearly tables).
KEEP_DAYS = 35
#: Columns of the snapshot tables the planner needs statistics on (besides the indexed ones).
ANALYZED_COLUMNS = {"organization", "as_of", "kind", "period", "org_path"}


class StepTimes:
    """Wall and CPU seconds per step of a refresh (``run.steps``; logged, printed by the bench).

    CPU is this process's; ``backend_cpu`` (the bench passes one reading /proc) adds its PostgreSQL
    backend's. Steps named "metric <name>" are one source call each (summed over the periods computed)."""

    def __init__(self, backend_cpu: Callable[[], float] | None = None) -> None:
        self.backend_cpu = backend_cpu or (lambda: 0.0)
        self.steps: dict[str, list[float]] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        w0, c0, b0 = time.perf_counter(), time.process_time(), self.backend_cpu()
        try:
            yield
        finally:
            acc = self.steps.setdefault(name, [0.0, 0.0, 0.0, 0])
            acc[0] += time.perf_counter() - w0
            acc[1] += time.process_time() - c0
            acc[2] += self.backend_cpu() - b0
            acc[3] += 1

    def summary(self) -> list[tuple[str, float, float, float, int]]:
        """(step, wall s, this process's CPU s, backend CPU s, calls) in the order first run."""
        return [(name, w, c, b, int(n)) for name, (w, c, b, n) in self.steps.items()]


def trend_metric_names() -> list[str]:
    return sorted(n for n in metrics() if n.startswith(TREND_PREFIXES))


def _orgs() -> dict[int, tuple[str, int | None]]:
    return {oid: (path, parent) for oid, path, parent in Organization.objects.values_list("id", "path", "parent_id")}


def _id_of(path: str) -> int:
    return int(path.rstrip("/").rsplit("/", 1)[-1])


def _num(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _bottom_up(orgs: dict[int, tuple[str, int | None]]) -> list[int]:
    return sorted(orgs, key=lambda oid: -orgs[oid][0].count("/"))


def rollup_counts(
    own: dict[str, dict[str, int]], orgs: dict[int, tuple[str, int | None]] | None = None
) -> dict[int, dict[str, int]]:
    """Own counts by path -> subtree totals by organization id, merged level by level (each organization's
    totals are added to its parent's once, so the cost is organizations × keys, not × depth)."""
    orgs = orgs if orgs is not None else _orgs()
    totals: dict[int, dict[str, int]] = {_id_of(p): dict(c) for p, c in own.items()}
    for oid in _bottom_up(orgs):
        mine, parent = totals.get(oid), orgs[oid][1]
        if mine is None or parent is None:
            continue
        acc = totals.get(parent)
        if acc is None:
            totals[parent] = dict(mine)
        else:
            for k, n in mine.items():
                acc[k] = acc.get(k, 0) + n
    return totals


#: Registered member counts that are columns of the member breakdowns' one pass (same rows: in good
#: standing as of the refresh date; same own figures: (n, 1) per organization with members). The current
#: snapshot takes them from there instead of scanning the member table again (a test compares every stored
#: figure with the registry's live value).
FROM_BREAKDOWNS = {
    "members.member_count": "total",
    "members.full_count": "category:full",
    "members.probationary_count": "category:probationary",
}
#: Metrics defined on exactly the same rows as another one (admitted in the period): one query for both.
SAME_AS = {"members.recruited_count": "members.admitted_count"}


def breakdown_figures(own_counts: dict[str, dict[str, int]]) -> dict[str, OwnFigures]:
    """The FROM_BREAKDOWNS metrics' own figures, from member_breakdowns' output (as of the same date)."""
    out: dict[str, dict[str, tuple[int, int]]] = {name: {} for name in FROM_BREAKDOWNS}
    for path, counts in own_counts.items():
        for name, key in FROM_BREAKDOWNS.items():
            n = counts.get(key, 0)
            if n:
                out[name][path] = (n, 1)
    return out


def rollup_metrics(
    names: Iterable[str],
    *,
    start: datetime.date,
    end: datetime.date,
    orgs: dict[int, tuple[str, int | None]],
    times: StepTimes | None = None,
    known: dict[str, OwnFigures] | None = None,
) -> dict[int, dict[str, list]]:
    """{org_id: {metric: [numerator, denominator]}} over the whole tree, one source call per metric
    (none for those in ``known``, already computed own figures, or in SAME_AS with their twin)."""
    registry = metrics()
    times = times or StepTimes()
    computed: dict[str, OwnFigures] = dict(known or {})
    totals: dict[int, dict[str, list]] = {}
    for name in names:
        twin = SAME_AS.get(name)
        if name not in computed and twin in registry and twin in computed:
            computed[name] = computed[twin]
        if name not in computed:
            if twin in registry:
                with times.step(f"metric {twin}"):
                    computed[twin] = registry[twin].source(root_path="/", start=start, end=end)
                computed[name] = computed[twin]
            else:
                with times.step(f"metric {name}"):
                    computed[name] = registry[name].source(root_path="/", start=start, end=end)
        for path, (num, den) in computed[name].items():
            if num or den:
                totals.setdefault(_id_of(path), {})[name] = [num, den]
    with times.step("metric roll-up"):
        return _rollup_pairs(totals, orgs)


def _rollup_pairs(
    totals: dict[int, dict[str, list]], orgs: dict[int, tuple[str, int | None]]
) -> dict[int, dict[str, list]]:
    for oid in _bottom_up(orgs):
        mine, parent = totals.get(oid), orgs[oid][1]
        if mine is None or parent is None:
            continue
        acc = totals.setdefault(parent, {})
        for name, (num, den) in mine.items():
            pair = acc.get(name)
            if pair is None:
                acc[name] = [num, den]
            else:
                pair[0] += num
                pair[1] += den
    return {oid: {n: [_num(a), _num(b)] for n, (a, b) in vals.items()} for oid, vals in totals.items()}


def _insert(model: type[models.Model], rows: list[dict[str, Any]], batch_size: int) -> None:
    """COPY on PostgreSQL (the nightly job writes ~300k rows at province size), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**r) for r in rows], batch_size=batch_size)
        return
    fields = [model._meta.get_field(name) for name in rows[0]]
    columns = ", ".join(f.column for f in fields)
    json_fields = {f.name for f in fields if isinstance(f, models.JSONField)}
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([json.dumps(v, cls=DjangoJSONEncoder) if k in json_fields else v for k, v in r.items()])


def _analyze(*models_: type[models.Model]) -> None:
    """Fresh planner statistics for the tables just rewritten. Without them PostgreSQL believes the new
    date holds almost no rows and reads a scope's few rows through the date index, filtering every
    organization's row of that date (measured: 1,700 buffers and ~14 ms per request at 10k organizations,
    against 4 buffers through the (organization, date) key once analysed)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in models_:
            # the columns reads filter and join on; not the JSON figures (costly to sample, never filtered on)
            columns = ", ".join(
                connection.ops.quote_name(f.column) for f in model._meta.concrete_fields if f.name in ANALYZED_COLUMNS
            )
            cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)} ({columns})")


def _prune(today: datetime.date) -> None:
    cutoff = today - datetime.timedelta(days=KEEP_DAYS)
    for model, field in ((MemberStatsSnapshot, "as_of"), (MetricSnapshot, "period")):
        qs = model.objects.filter(**{f"{field}__lt": cutoff})
        if model is MetricSnapshot:
            qs = qs.filter(kind=MetricSnapshot.CURRENT)
        stale = [d for d in qs.values_list(field, flat=True).distinct() if (d + datetime.timedelta(days=1)).day != 1]
        if stale:
            qs.filter(**{f"{field}__in": stale}).delete()


@transaction.atomic
def stats_refresh(
    *,
    as_of: datetime.date | None = None,
    months: int = RECOMPUTE_MONTHS,
    batch_size: int = 5000,
    times: StepTimes | None = None,
) -> RefreshRun:
    """Recompute the snapshots for ``as_of`` (default today); idempotent.

    Trend months: the last ``months`` are recomputed (late ledgers change them), older ones of the
    12-month window only when missing (the first run builds them all). ``run.steps`` holds each step's
    wall and CPU seconds (``StepTimes``).
    """
    today = timezone.localdate()
    as_of = as_of or today
    times = times or StepTimes()
    started = time.perf_counter()
    run = RefreshRun.objects.create(as_of=as_of, started_at=timezone.now())
    now = timezone.now()
    with times.step("organizations"):
        orgs = _orgs()

    def row(oid: int, **fields: Any) -> dict[str, Any]:
        path, parent = orgs[oid]
        return {"organization_id": oid, "org_path": path, "parent_id_copy": parent, **fields, "refreshed_at": now}

    with times.step("member breakdowns (members app, one pass)"):
        own_counts = member_breakdowns(root_path="/", as_of=as_of)
    with times.step("member roll-up"):
        member_totals = rollup_counts(own_counts, orgs)
        member_rows = [row(oid, as_of=as_of, counts=counts) for oid, counts in member_totals.items() if oid in orgs]
    with times.step("member snapshot delete (a re-run of the same date)"):
        MemberStatsSnapshot.objects.filter(as_of=as_of).delete()
    with times.step("member snapshot write"):
        _insert(MemberStatsSnapshot, member_rows, batch_size)

    registry = metrics()
    known = {n: f for n, f in breakdown_figures(own_counts).items() if n in registry}
    current = rollup_metrics(
        sorted(registry), start=datetime.date(as_of.year, 1, 1), end=as_of, orgs=orgs, times=times, known=known
    )
    metric_rows = [
        row(oid, kind=MetricSnapshot.CURRENT, period=as_of, values=vals) for oid, vals in current.items() if oid in orgs
    ]
    trend_names = trend_metric_names()
    roots = [oid for oid, (_p, parent) in orgs.items() if parent is None]
    period = Period.of(as_of)
    stale_months = []
    for i in range(TREND_MONTHS):
        p = period.shift(-i)
        if i >= months and MetricSnapshot.objects.filter(kind=MetricSnapshot.MONTH, period=p.first_day).exists():
            continue
        vals_by_org = rollup_metrics(trend_names, start=p.first_day, end=min(p.last_day, as_of), orgs=orgs, times=times)
        for root_id in roots:  # a row per root marks the month as built, even with nothing to count
            vals_by_org.setdefault(root_id, {})
        stale_months.append(p.first_day)
        metric_rows += [
            row(oid, kind=MetricSnapshot.MONTH, period=p.first_day, values=vals)
            for oid, vals in vals_by_org.items()
            if oid in orgs
        ]
    with times.step("metric snapshot delete (same date, recomputed months)"):
        MetricSnapshot.objects.filter(kind=MetricSnapshot.CURRENT, period=as_of).delete()
        MetricSnapshot.objects.filter(kind=MetricSnapshot.MONTH, period__in=stale_months).delete()
    with times.step("metric snapshot write"):
        _insert(MetricSnapshot, metric_rows, batch_size)
    with times.step("prune"):
        if as_of == today:
            _prune(today)
    with times.step("analyze"):
        _analyze(MemberStatsSnapshot, MetricSnapshot)
    run.finished_at = timezone.now()
    run.seconds = time.perf_counter() - started
    run.member_rows, run.metric_rows = len(member_rows), len(metric_rows)
    run.save(update_fields=["finished_at", "seconds", "member_rows", "metric_rows"])
    run.steps = times.summary()
    logger.info(
        "stats refresh %s: %.1f s; %s",
        as_of,
        run.seconds,
        "; ".join(f"{n} {w:.2f}s" for n, w, _c, _b, _k in run.steps if w >= 0.5),
    )
    return run
