"""Assessment bench (PostgreSQL): compute a plan's system indicators for every assessed organization, set-based
(each metric read once through apps.core.metrics and COPYed to a temp table, roll-up and rules in SQL, one
INSERT … SELECT; totals/ranks/grades in a few UPDATEs) vs the previous per-indicator Python version, a
per-organization loop and the physical floor (writing the same number of rows with no scoring) in the same
run; then the ranking page: CPU per request in-process and latency with one client against gunicorn.

Figures are CPU seconds (this process's time.process_time + its PostgreSQL backend's utime+stime from /proc),
because wall time on a shared machine is noise; wall time is printed beside them.

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


class Cpu:
    """CPU seconds spent by this process (time.process_time) and by its PostgreSQL backend (/proc/<pid>/stat
    utime+stime of pg_backend_pid(): the server runs on this machine). Wall time under shared load is noise."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.pid = cur.fetchone()[0]
        self.tick = os.sysconf("SC_CLK_TCK")

    def backend(self) -> float:
        with open(f"/proc/{self.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick

    def __call__(self, fn):
        """(python cpu s, db cpu s, wall s, result) of fn()."""
        p0, d0, w0 = time.process_time(), self.backend(), time.perf_counter()
        out = fn()
        return time.process_time() - p0, self.backend() - d0, time.perf_counter() - w0, out


class StepClock:
    """``step(label)`` callback for plan_compute: wall and CPU (python + backend) of each step since the last."""

    def __init__(self, cpu: Cpu) -> None:
        self.cpu = cpu
        self.steps: list[tuple[str, float, float, float]] = []
        self.reset()

    def reset(self) -> None:
        self.steps = []
        self.last = (time.process_time(), self.cpu.backend(), time.perf_counter())

    def __call__(self, label: str) -> None:
        now = (time.process_time(), self.cpu.backend(), time.perf_counter())
        self.steps.append((label, now[0] - self.last[0], now[1] - self.last[1], now[2] - self.last[2]))
        self.last = now

    def print(self) -> None:
        merged: dict[str, list[float]] = {}
        for label, py, db, wall in self.steps:
            key = "metrics: read (own_figures), 20 sources" if label.endswith("(read)") else (
                "metrics: roll-up and COPY to the temp table" if label.endswith("copy)") else label)  # fmt: skip
            acc = merged.setdefault(key, [0.0, 0.0, 0.0])
            acc[0] += py
            acc[1] += db
            acc[2] += wall
        for label, (py, db, wall) in merged.items():
            line(f"  · {label}", py, db, wall)


def providers(root) -> None:
    """Each registered metric (the real ones, in the other apps) read once at the root: its own CPU and wall.
    The bench tree has organizations only, so sources over other apps' tables read empty tables here."""
    from apps.assessment.scoring import plan_period
    from apps.core.metrics import metrics, own_figures

    cpu = Cpu()
    start, end = plan_period(type("P", (), {"year": 2025})())
    for name in sorted(metrics()):
        if name.startswith("bench."):
            continue
        py, db, wall, own = cpu(lambda name=name: own_figures(name, root_path=root.path, start=start, end=end))
        line(f"  provider {name}", py, db, wall, f"{len(own)} organizations with a figure")


def line(label: str, py: float, db: float, wall: float, note: str = "") -> None:
    print(f"{label:<46} cpu {py + db:8.2f} s (python {py:7.2f} + db {db:7.2f})   wall {wall:7.1f} s   {note}")


def naive_per_org(plan, results, sample: int) -> None:
    """The loop a first version would write: per organization and indicator, read, score, upsert."""
    from types import SimpleNamespace

    from apps.assessment.models import ItemScore
    from apps.assessment.rules import figure_for, rule_points
    from apps.assessment.scoring import plan_period
    from apps.core.metrics import get_metric, metric_values

    start, end = plan_period(plan)
    inds = list(plan.indicators.filter(method="system"))
    for pk, org_id, path in results[:sample]:
        for ind in inds:
            metric = get_metric(ind.metric_name)
            mv = metric_values(ind.metric_name, organizations=[SimpleNamespace(id=org_id, path=path)], start=start,
                               end=end)[org_id]  # fmt: skip
            fig = figure_for(metric.kind, mv.value)
            pts = rule_points(rule=ind.rule, points=ind.points, figure=fig, category=ind.category)
            ItemScore.objects.update_or_create(result_id=pk, indicator=ind, defaults={
                "org_path": path, "category": ind.category, "points": pts, "figure": fig})  # fmt: skip


def per_indicator_python(plan, results) -> int:
    """The previous version: per indicator, metric_values (roll-up in Python), the rule per organization in
    Python, one COPY per indicator (kept as the non-PostgreSQL path)."""
    from django.db import transaction

    from apps.assessment.scoring import replace_item_scores
    from apps.assessment.system_scores import python_rows

    n = 0
    for ind in plan.indicators.filter(method="system"):
        rows = python_rows(plan, ind, results)
        with transaction.atomic():
            replace_item_scores(ind, rows)
        n += len(rows)
    return n


def physical_floor(n: int) -> dict:
    """Writing n item-score rows with no scoring at all: a server-side INSERT … SELECT generate_series into a
    temporary copy of the table, bare and with the table's indexes; and a COPY of n lines built in Python."""
    from django.db import connection, transaction

    from apps.assessment.models import ItemScore

    table = ItemScore._meta.db_table
    gen = f"""SELECT g, 1 + g % 30, '/1/2/' || g || '/', 'standard', (g % 300) / 100.0, g % 100, '', false
              FROM generate_series(1, {n}) g"""
    cols = "result_id, indicator_id, org_path, category, points, figure, evidence, adjusted_by_appeal"
    out = {}
    cpu = Cpu()
    for label, like in (("bare", "INCLUDING DEFAULTS INCLUDING IDENTITY"), ("indexed", "INCLUDING ALL")):

        def run(like=like):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"CREATE TEMP TABLE _floor (LIKE {table} {like}) ON COMMIT DROP")
                cur.execute(f"INSERT INTO _floor ({cols}) {gen}")

        out[label] = cpu(run)

    def copy():
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE _floor (LIKE {table} INCLUDING ALL) ON COMMIT DROP")
            with cur.cursor.copy(f"COPY _floor ({cols}) FROM STDIN") as cp:
                buf = []
                for g in range(1, n + 1):
                    buf.append(f"{g}\t{1 + g % 30}\t/1/2/{g}/\tstandard\t{g % 300 / 100}\t{g % 100}\t\tf\n")
                    if len(buf) >= 50000:
                        cp.write("".join(buf))
                        buf = []
                cp.write("".join(buf))

    out["copy"] = cpu(copy)
    return out


def ranking_cpu(user, paths: list[str], repeat: int) -> tuple[float, float, int]:
    """CPU per request in-process (Django test client: middleware, auth, scoping, template) + backend CPU."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for path in paths[:3]:
        assert client.get(path).status_code == 200, path  # warm
    cpu = Cpu()
    with CaptureQueriesContext(connection) as ctx:
        client.get(paths[-1])
    queries = len(ctx.captured_queries)

    def run():
        for i in range(repeat):
            resp = client.get(paths[i % len(paths)])
            assert resp.status_code == 200

    py, db, _wall, _ = cpu(run)
    return py / repeat * 1000, db / repeat * 1000, queries


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="a few hundred organizations (CI)")
    parser.add_argument("--orgs", type=int, default=0)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-python-path", action="store_true", help="skip the previous per-indicator version")
    parser.add_argument("--build-only", action="store_true", help="build the tree and exit (before a locked run)")
    parser.add_argument("--providers", action="store_true", help="time each registered metric source at the root")
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
    if args.build_only:
        return 0
    user = User.objects.filter(username="bench_assessment").first()
    if user is None:
        from apps.accounts.services import user_create

        user = user_create(acting_user=None, username="bench_assessment", password="pw-Bench-1234",
                           role="org_staff", organization=root, display_name="基准", is_superuser=False)  # fmt: skip
    specs = register_bench_metrics(20)
    plan = build_plan(user, root, specs)
    print(f"plan: {plan.indicators.exclude(category='group').count()} indicators "
          f"({plan.indicators.filter(method='system').count()} from the system)")  # fmt: skip
    cpu = Cpu()

    py, db, wall, _ = cpu(lambda: services.plan_start_scoring(acting_user=user, plan=plan))
    n = AssessmentResult.objects.filter(plan=plan).count()
    line("start scoring (result rows)", py, db, wall, f"{n} organizations")

    clock = StepClock(cpu)

    def compute():
        clock.reset()
        return services.plan_compute(acting_user=user, plan=plan, step=clock)

    py, db, wall, res = cpu(compute)
    set_cpu, compute_wall = py + db, wall
    line("compute all (set-based, SQL)", py, db, wall, f"{res['scores']} item scores")
    clock.print()
    py, db, wall, _ = cpu(compute)
    line("recompute (replaces, idempotent)", py, db, wall)
    clock.print()
    if args.providers:
        providers(root)
    from apps.assessment.models import ItemScore

    assert ItemScore.objects.filter(result__plan=plan).count() == res["scores"], "recompute duplicated rows"

    from apps.assessment.scoring import _results

    results = _results(plan)
    if not args.no_python_path:
        py, db, wall, written = cpu(lambda: per_indicator_python(plan, results))
        line("system scores, previous per-indicator Python", py, db, wall,
             f"{written} rows → {(py + db) / set_cpu:5.1f} x set-based")  # fmt: skip
    sample = min(len(results), 20 if args.tiny else 100)
    py, db, wall, _ = cpu(lambda: naive_per_org(plan, results, sample))
    scale = len(results) / sample
    loop_cpu = (py + db) * scale
    note = f"→ {loop_cpu:8.1f} s cpu for {len(results)} (extrapolated) = {loop_cpu / set_cpu:6.1f} x set-based"
    line(f"per-organization loop (sample {sample})", py, db, wall, note)
    for label, (py, db, wall, _) in physical_floor(res["scores"]).items():
        line(f"floor: {res['scores']} rows, {label}", py, db, wall, f"set-based = {set_cpu / (py + db):5.1f} x this")

    path = f"/assessment/plans/{plan.pk}/ranking/"
    pages = max(1, n // 50)
    deep = [f"{path}?page={1 + (i * 7919) % pages}" for i in range(50)]
    py, db, queries = ranking_cpu(user, [path], max(20, args.requests // 4))
    print(f"{'ranking page 1, cpu per request':<46} {py + db:6.1f} ms (python {py:5.1f} + db {db:5.1f})   "
          f"queries {queries}")  # fmt: skip
    py, db, queries = ranking_cpu(user, deep, max(20, args.requests // 4))
    print(f"{'ranking pages 1-' + str(pages) + ', cpu per request':<46} {py + db:6.1f} ms (python {py:5.1f} + db "
          f"{db:5.1f})   queries {queries}")  # fmt: skip
    queries = count_queries(user, path)
    port = int(os.environ.get("BENCH_PORT", "8765"))
    cookie = session_cookie(user)
    with Server(workers=2, port=port):
        first = http_load(lambda i: path, cookie=cookie, port=port, clients=1, per_client=args.requests)
        deep_http = http_load(lambda i: deep[i % len(deep)], cookie=cookie, port=port, clients=1,
                              per_client=max(20, args.requests // 4))  # fmt: skip
    print(f"{'ranking page 1, 1 client (wall, shared load)':<46} p50 {first['p50']:6.1f} ms   "
          f"p95 {first['p95']:6.1f} ms   queries {queries}")  # fmt: skip
    print(f"{'ranking deep pages, 1 client (wall)':<46} p50 {deep_http['p50']:6.1f} ms   "
          f"p95 {deep_http['p95']:6.1f} ms")  # fmt: skip
    print(f"targets (wall): compute ≤ 30 s → {'met' if compute_wall <= 30 else 'not met'} (see cpu above); "
          f"ranking p95 ≤ 50 ms → {'met' if first['p95'] <= 50 else 'not met'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
