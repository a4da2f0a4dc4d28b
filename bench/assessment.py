"""Assessment bench (PostgreSQL): compute a plan's system indicators for every assessed organization, set-based
(one metric read and one COPY per indicator, totals/ranks/grades in a few UPDATEs) vs a per-organization loop
in the same run; then the ranking page's latency with one client against gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_assessment_bench BENCH_PORT=8106 \\
        python bench/assessment.py            # 100,000 organizations, 30 indicators (20 from the system)
    python bench/assessment.py --tiny         # a few hundred organizations (CI)

The 20 system metrics are bench metrics registered here (the real ones live in the other apps): each source
is one SELECT over the organizations under the root, the shape every registered source has (one GROUP BY).
The per-organization baseline runs the same computation one organization at a time (metric_values for one
organization, the rule, an upsert) for a sample and is extrapolated to all organizations.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal

from _common import Server, count_queries, http_load, session_cookie, setup_django


def register_bench_metrics(n: int) -> list[tuple[str, str, dict]]:
    from apps.core.metrics import Metric, register_metric
    from apps.organizations.models import Organization

    specs = []
    for i in range(n):
        kind = ("rate", "count", "rate", "amount")[i % 4]

        def source(*, root_path, start, end, i=i, kind=kind):
            rows = Organization.objects.filter(path__startswith=root_path, is_active=True).values_list("path", "id")
            if kind == "rate":
                return {p: ((pk * (i + 3)) % 11, 10) for p, pk in rows}
            if kind == "count":
                return {p: ((pk + i) % 4, 1) for p, pk in rows if (pk + i) % 4}
            return {p: (Decimal((pk * 7 + i) % 5000), 1) for p, pk in rows}

        name = f"bench.m{i:02d}"
        register_metric(Metric(name=name, label=f"基准指标{i + 1}", unit="%" if kind == "rate" else "件",
                               kind=kind, source=source))  # fmt: skip
        rule = {
            "rate": {"kind": "linear", "low": 60, "high": 100},
            "count": {"kind": "per_occurrence", "each": 1},
            "amount": {"kind": "thresholds", "steps": [[4000, 1], [2000, 0.6], [500, 0.3]]},
        }[kind]
        specs.append((name, kind, rule))
    return specs


def build_plan(user, root, specs):
    from apps.assessment import services
    from apps.organizations.choices import BRANCH_KINDS

    plan = services.plan_create(acting_user=user, organization=root, year=2025, title=f"基准考核{time.time():.0f}",
                                scope_kinds=sorted(BRANCH_KINDS))  # fmt: skip

    def add(name, category, points, **kw):
        return services.indicator_save(acting_user=user, plan=plan, name=name, category=category,
                                       points=Decimal(points), **kw)  # fmt: skip

    g1 = add("系统取数", "group", 60)
    for i, (name, _kind, rule) in enumerate(specs):
        add(f"系统指标{i + 1}", "standard", 3, parent=g1, method="system", metric_name=name, rule=rule)
    g2 = add("评委打分", "group", 30)
    for i in range(5):
        add(f"评委项{i + 1}", "standard", 6, parent=g2, method="raters")
    g3 = add("人工评定", "group", 10)
    for i in range(2):
        add(f"人工项{i + 1}", "standard", 5, parent=g3, method="manual")
    add("加分", "bonus", 3, method="manual")
    add("扣分", "deduction", 5, method="manual")
    add("一票否决", "veto", 0, method="manual")
    return plan


def naive_per_org(plan, results, sample: int) -> float:
    """The loop a first version would write: per organization and indicator, read, score, upsert."""
    from types import SimpleNamespace

    from apps.assessment.models import ItemScore
    from apps.assessment.rules import figure_for, rule_points
    from apps.assessment.scoring import plan_period
    from apps.core.metrics import get_metric, metric_values

    start, end = plan_period(plan)
    inds = list(plan.indicators.filter(method="system"))
    t0 = time.perf_counter()
    for pk, org_id, path in results[:sample]:
        for ind in inds:
            metric = get_metric(ind.metric_name)
            mv = metric_values(ind.metric_name, organizations=[SimpleNamespace(id=org_id, path=path)], start=start,
                               end=end)[org_id]  # fmt: skip
            fig = figure_for(metric.kind, mv.value)
            pts = rule_points(rule=ind.rule, points=ind.points, figure=fig, category=ind.category)
            ItemScore.objects.update_or_create(result_id=pk, indicator=ind, defaults={
                "org_path": path, "category": ind.category, "points": pts, "figure": fig})  # fmt: skip
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="a few hundred organizations (CI)")
    parser.add_argument("--orgs", type=int, default=0)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    target = args.orgs or (400 if args.tiny else 100_000)
    setup_django("postgres://postgres@127.0.0.1:5432/dangjian_assessment_bench")
    from django.db import connection

    from apps.accounts.models import User
    from apps.assessment import services
    from apps.assessment.models import AssessmentResult
    from apps.organizations.demo import bulk_build, scale_spec
    from apps.organizations.models import Organization

    if connection.vendor != "postgresql":
        print("PostgreSQL only (set DATABASE_URL)")
        return 1
    root = Organization.objects.filter(parent__isnull=True, name="中共示范省委员会").first()
    existing = Organization.objects.filter(path__startswith=root.path).count() if root else 0
    if root is None or abs(existing - target) > target * 0.2:
        if root is not None:
            print(f"a tree of {existing} organizations exists; use a fresh database for --orgs {target}")
            return 1
        t0 = time.perf_counter()
        import datetime

        root = bulk_build(scale_spec(target), rng=random.Random(7), today=datetime.date(2026, 11, 15))
        print(f"tree built: {Organization.objects.count()} organizations in {time.perf_counter() - t0:.1f} s")
    user = User.objects.filter(username="bench_assessment").first()
    if user is None:
        from apps.accounts.services import user_create

        user = user_create(acting_user=None, username="bench_assessment", password="pw-Bench-1234",
                           role="org_staff", organization=root, display_name="基准", is_superuser=False)  # fmt: skip
    specs = register_bench_metrics(20)
    plan = build_plan(user, root, specs)
    print(f"plan: {plan.indicators.exclude(category='group').count()} indicators "
          f"({plan.indicators.filter(method='system').count()} from the system)")  # fmt: skip

    t0 = time.perf_counter()
    services.plan_start_scoring(acting_user=user, plan=plan)
    n = AssessmentResult.objects.filter(plan=plan).count()
    print(f"{'start scoring (result rows)':<44} {time.perf_counter() - t0:8.2f} s   {n} organizations")

    t0 = time.perf_counter()
    res = services.plan_compute(acting_user=user, plan=plan)
    compute_s = time.perf_counter() - t0
    print(f"{'compute all (set-based)':<44} {compute_s:8.2f} s   {res['scores']} item scores")
    t0 = time.perf_counter()
    services.plan_compute(acting_user=user, plan=plan)
    recompute_s = time.perf_counter() - t0
    print(f"{'recompute (replaces, idempotent)':<44} {recompute_s:8.2f} s")

    from apps.assessment.scoring import _results

    results = _results(plan)
    sample = min(len(results), 20 if args.tiny else 100)
    naive = naive_per_org(plan, results, sample)
    naive_full = naive / sample * len(results)
    print(f"{'per-organization loop (sample ' + str(sample) + ')':<44} {naive:8.2f} s   "
          f"→ {naive_full:8.1f} s for {len(results)} organizations (extrapolated)")  # fmt: skip
    print(f"{'ratio (loop / set-based)':<44} {naive_full / compute_s:8.1f} x")

    path = f"/assessment/plans/{plan.pk}/ranking/"
    queries = count_queries(user, path)
    port = int(os.environ.get("BENCH_PORT", "8765"))
    cookie = session_cookie(user)
    pages = max(1, n // 50)
    with Server(workers=2, port=port):
        first = http_load(lambda i: path, cookie=cookie, port=port, clients=1, per_client=args.requests)
        deep = http_load(lambda i: f"{path}?page={1 + (i * 7919) % min(pages, 200)}", cookie=cookie, port=port,
                         clients=1, per_client=max(20, args.requests // 4))  # fmt: skip
    print(f"{'ranking page 1, 1 client':<44} p50 {first['p50']:6.1f} ms   p95 {first['p95']:6.1f} ms   "
          f"queries {queries}")  # fmt: skip
    print(f"{'ranking pages 1-200, 1 client':<44} p50 {deep['p50']:6.1f} ms   p95 {deep['p95']:6.1f} ms")
    ok = compute_s <= 30 or args.tiny
    print(f"target: compute ≤ 30 s → {'met' if compute_s <= 30 else 'NOT met'}; ranking p95 ≤ 50 ms → "
          f"{'met' if first['p95'] <= 50 else 'NOT met'}")  # fmt: skip

    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
