"""Benchmark of the funding app on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_funding_bench \
        python bench/funding.py [--tiny|--medium] [--allocation-only]

A database whose name ends in "_bench" is dropped and recreated. Steps:

1. Build a province-shaped tree (apps.organizations.demo.bulk_build) with N branches (full 100,000; medium
   10,000; tiny 300).
2. Allocate one standard (5000 yuan per branch) to every branch: preview + commit through the services (one
   notice, one bulk insert, one roll-up upsert) against the per-object baseline (one INSERT and one roll-up
   upsert per organization, a loop over the same rows), run on a second standard in the same database. With
   more than 5,000 organizations the baseline runs on the first 5,000 and its time is extrapolated linearly
   (marked "extrapolated").
3. Insert E expenses (full 1,000,000; medium 100,000; tiny 2,000) in bulk with their roll-up.
4. The execution page (HTTP through Django's test client: middleware, auth, scoping, template) for the root,
   a city and a county: p50/p95 over R requests with 1 client and the query count, against the live GROUP BY
   over the allocation and expense tables for the same per-child figures.

Times are CPU seconds of this process plus its PostgreSQL backend (read from /proc: the server's work in a
set-based statement counts), with wall time alongside for reference only; the floor of the allocation is a
bare INSERT … SELECT of the same rows (no preview, no roll-up), measured in the same run.

Prints figures and ratios; exits non-zero if a step fails or the two ways disagree.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentile

SIZES = {"tiny": (300, 2_000, 20), "medium": (10_000, 100_000, 30), "full": (100_000, 1_000_000, 40)}
BASELINE_CAP = 5_000


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.endswith("_bench"):
        return
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


_TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend process (same
    machine: read from /proc), so a set-based step's work inside the server is counted too."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def cpu_now() -> float:
    """CPU seconds of this process plus its database backend."""
    return time.process_time() + backend_cpu()


def step(label: str, fn, results: dict):
    """Run fn once: wall time (meaningless on a loaded machine, printed for reference), CPU time of this
    process + its PostgreSQL backend, and the query count. results[label] = (cpu seconds, queries)."""
    from django.db import connection, reset_queries

    reset_queries()
    connection.force_debug_cursor = True
    c0, t0 = cpu_now(), time.perf_counter()
    value = fn()
    elapsed, cpu = time.perf_counter() - t0, cpu_now() - c0
    n = len(connection.queries)
    connection.force_debug_cursor = False
    results[label] = (cpu, n)
    print(f"  {label:<62} cpu {cpu:8.3f} s  (wall {elapsed:8.3f} s)  {n:7d} queries", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--tiny", action="store_true")
    group.add_argument("--medium", action="store_true")
    parser.add_argument("--allocation-only", action="store_true", help="steps 1-2 only (the tree and the allocation)")
    args = parser.parse_args()
    size = "tiny" if args.tiny else "medium" if args.medium else "full"
    n_orgs, n_expenses, repeats = SIZES[size]

    url = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangjian_funding_bench")
    if not url.startswith("postgres"):
        sys.exit("bench/funding.py needs PostgreSQL (DATABASE_URL=postgres://...)")
    recreate_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.base")
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("AXES_ENABLED", "False")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    from django.db import connection, transaction
    from django.test import Client

    from apps.accounts.models import Role
    from apps.accounts.services import user_create
    from apps.funding import services
    from apps.funding.models import Allocation, FundingRollup, FundingStandard
    from apps.funding.rollup import Delta, rollup_apply
    from apps.funding.selectors import execution_summary
    from apps.organizations.demo import bulk_build, scale_spec
    from apps.organizations.models import Organization

    rng = random.Random(7)
    today = datetime.date.today()
    year = today.year
    results: dict = {}
    print(f"funding bench ({size}): {n_orgs:,} branches, {n_expenses:,} expenses, PostgreSQL {connection.pg_version}")

    root = step(
        "build tree (bulk_build)", lambda: bulk_build(scale_spec(int(n_orgs * 1.04)), rng=rng, today=today), results
    )
    branches = Organization.objects.filter(kind="branch").count()
    print(f"  tree: {Organization.objects.count():,} organizations, {branches:,} branches")
    admin = user_create(acting_user=None, username="bench_admin", password="x-Bench-123", role=Role.SYSTEM_ADMIN,
                        organization=root, display_name="bench", is_superuser=True)  # fmt: skip
    staff = user_create(acting_user=None, username="bench_staff", password="x-Bench-123", role=Role.ORG_STAFF,
                        organization=root, display_name="bench staff")  # fmt: skip

    def make_std(name: str) -> FundingStandard:
        return services.standard_create(acting_user=admin, region=root, year=year, name=name, basis="per_org",
                                        target_kind="branch", amount="5000", source="fiscal")  # fmt: skip

    std = make_std("支部党建工作经费")
    preview = step(
        "preview (set-based)", lambda: services.allocation_preview(acting_user=admin, standards=[std]), results
    )
    notice = step(
        "commit (set-based: notice + bulk insert + roll-up)",
        lambda: services.allocation_commit(acting_user=admin, standards=[std], allocated_on=datetime.date(year, 1, 15)),
        results,
    )
    ok_total = notice.total == Decimal(5000) * branches and preview.count == branches
    set_based = results["preview (set-based)"][0] + results["commit (set-based: notice + bulk insert + roll-up)"][0]

    # Per-object baseline: the same rows, one INSERT and one roll-up upsert per organization.
    base_std = make_std("对照：逐个下拨")
    targets = list(Organization.objects.filter(kind="branch").order_by("path").values_list("id", "path")[:BASELINE_CAP])

    @transaction.atomic
    def per_object() -> None:
        for oid, path in targets:
            Allocation.objects.create(issuer=root, organization_id=oid, org_path=path, year=year, source="fiscal",
                                      amount=Decimal(5000), standard=base_std, basis="1个 × 5000元", notice=notice,
                                      allocated_on=datetime.date(year, 1, 15))  # fmt: skip
            rollup_apply([Delta(path, year, 1, "other", "", Decimal(5000))])

    step(f"per-object baseline ({len(targets):,} organizations)", per_object, results)
    base_time = results[f"per-object baseline ({len(targets):,} organizations)"][0] * branches / max(1, len(targets))
    tag = " (extrapolated)" if len(targets) < branches else ""
    Allocation.objects.filter(standard=base_std).delete()
    FundingRollup.objects.filter(source="other").delete()

    # The floor: a bare INSERT … SELECT of the same rows (constant amount and basis, no preview, no notice
    # figures, no roll-up), rolled back.
    floor_std = make_std("对照：裸插入")

    def bare_insert() -> int:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO funding_allocation (issuer_id, organization_id, org_path, year, source, amount, spent, "
                "standard_id, basis, notice_id, allocated_on, created_at) SELECT %s, o.id, o.path, %s, 'fiscal', "
                "5000, 0, %s, '1个 × 5000元', %s, %s, now() FROM organizations_organization o WHERE o.kind = 'branch'",
                [root.pk, year, floor_std.pk, notice.pk, datetime.date(year, 1, 15)],
            )
            n = cur.rowcount
            transaction.set_rollback(True)
        return n

    step("floor: bare INSERT … SELECT of the same rows", bare_insert, results)
    floor = results["floor: bare INSERT … SELECT of the same rows"][0]

    def summary(agree: bool) -> None:
        print("\nsummary")
        print(f"  allocate {branches:,} organizations (CPU, this process + its PostgreSQL backend): set-based "
              f"{set_based:8.3f} s   per-object {base_time:8.3f} s{tag}   floor {floor:8.3f} s   per-object/set-based "
              f"{base_time / set_based:6.1f}x   set-based/floor {set_based / max(floor, 0.001):6.1f}x")  # fmt: skip
        print(f"  totals agree with the ledger: {'yes' if agree and ok_total else 'NO'}")
        if not (agree and ok_total):
            sys.exit(1)

    if args.allocation_only:
        summary(True)
        return

    # Expenses in bulk, with their roll-up (the services' per-row path is exercised by the tests).
    allocs = list(Allocation.objects.filter(year=year).values_list("id", "organization_id", "org_path"))

    @transaction.atomic
    def load_expenses() -> None:
        """COPY the expenses, then one roll-up upsert of the aggregated figures and one UPDATE of ``spent``."""
        cats = ["activity", "venue", "training", "relief", "service", "office", "other"]
        span = max(1, (min(today, datetime.date(year, 12, 31)) - datetime.date(year, 1, 1)).days)
        agg: dict[tuple, Decimal] = {}
        now = datetime.datetime.now(datetime.UTC)
        cols = ("organization_id, org_path, allocation_id, source, spent_on, category, amount, payee, purpose, "
                "approved_by, status, voucher_count, created_at")  # fmt: skip
        with connection.cursor() as cur, cur.copy(f"COPY funding_expense ({cols}) FROM STDIN") as copy:
            for i in range(n_expenses):
                aid, oid, path = allocs[i % len(allocs)]
                amount = Decimal(rng.randint(1, 40))
                spent_on = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, span))
                cat = cats[i % 7]
                copy.write_row((oid, path, aid, "fiscal", spent_on, cat, amount, "p", "bench", "a", "posted", 1, now))
                key = (path, spent_on.month, cat)
                agg[key] = agg.get(key, Decimal(0)) + amount
        rollup_apply(Delta(p, year, m, "fiscal", c, Decimal(0), v) for (p, m, c), v in agg.items())
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE funding_allocation a SET spent = s.total FROM (SELECT allocation_id, SUM(amount) total "
                "FROM funding_expense GROUP BY allocation_id) s WHERE a.id = s.allocation_id"
            )
            cur.execute("ANALYZE funding_expense; ANALYZE funding_allocation; ANALYZE funding_fundingrollup")

    step(f"load {n_expenses:,} expenses (COPY) + roll-up", load_expenses, results)
    with connection.cursor() as cur:  # the baseline's deleted rows are garbage, not the page's cost
        cur.execute("VACUUM ANALYZE funding_fundingrollup")
        cur.execute("VACUUM ANALYZE funding_allocation")

    city = Organization.objects.filter(parent=root).order_by("path").first()
    county = Organization.objects.filter(parent=city).order_by("path").first()
    client = Client()
    client.force_login(staff)

    def live_group_by(org: Organization) -> dict[int, tuple[Decimal, Decimal]]:
        """The naive way: per-child sums straight from the ledger tables (one GROUP BY each)."""
        depth = org.path.count("/") + 1  # "/1/7/" -> the child's id is split_part(path, '/', 4)
        out: dict[int, list[Decimal]] = {}
        with connection.cursor() as cur:
            for i, table in ((0, "funding_allocation"), (1, "funding_expense")):
                year_join = "" if i == 0 else " JOIN funding_allocation al ON al.id = t.allocation_id"
                year_col = "t.year" if i == 0 else "al.year"
                cur.execute(
                    f"SELECT split_part(t.org_path, '/', %s)::int, SUM(t.amount) FROM {table} t{year_join} "
                    f"WHERE t.org_path LIKE %s AND t.org_path <> %s AND {year_col} = %s GROUP BY 1",
                    [depth, org.path + "%", org.path, year],
                )
                for cid, total in cur.fetchall():
                    out.setdefault(cid, [Decimal(0), Decimal(0)])[i] = total
        return {k: (v[0], v[1]) for k, v in out.items()}

    print(f"\n  execution page, 1 client, {repeats} requests each (CPU per request) vs live GROUP BY:")
    agree = True
    for label, org in (("root", root), ("city", city), ("county", county)):
        path = f"/funding/?org={org.pk}&year={year}"
        client.get(path)
        lat, cpu = [], []
        connection.force_debug_cursor = True
        b0 = backend_cpu()
        for _ in range(repeats):
            connection.queries_log.clear()
            c0, t0 = time.process_time(), time.perf_counter()
            resp = client.get(path)
            lat.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert resp.status_code == 200, resp.status_code
        server = (backend_cpu() - b0) * 1000 / repeats  # /proc ticks are 10 ms: a mean over the requests
        queries = len(connection.queries)
        connection.force_debug_cursor = False
        live = []
        live_rows = {}
        k = max(3, repeats // 4)
        t0 = cpu_now()
        for _ in range(k):
            live_rows = live_group_by(org)
        live = (cpu_now() - t0) * 1000 / k
        t0 = cpu_now()
        for _ in range(k):
            scope_summary = execution_summary(user=staff, organization=org, year=year)
        sel = max(0.1, (cpu_now() - t0) * 1000 / k)
        mine = {r.organization.pk: (r.allocated, r.spent) for r in scope_summary["rows"] if r.allocated or r.spent}
        if mine != live_rows:
            agree = False
        p95, cp95 = percentile(lat, 95), percentile(cpu, 95)
        print(
            f"  {label:<7} page CPU: app p50 {statistics.median(cpu):5.1f} ms p95 {cp95:5.1f} ms + database "
            f"{server:5.1f} ms/request (wall p95 {p95:6.1f} ms), {queries:2d} queries | CPU per call: roll-up "
            f"reads {sel:6.1f} ms, live GROUP BY {live:8.1f} ms, live/roll-up {live / sel:6.1f}x"
        )

    summary(agree)


if __name__ == "__main__":
    main()
