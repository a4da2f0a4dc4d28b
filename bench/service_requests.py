"""Benchmark of the service-request pipeline (PostgreSQL), pre-aggregated vs. naive side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_service_bench python bench/service_requests.py [--tiny]

Full size: 1,000,000 requests over a ~100,000-organization tree; --tiny: ~300 organizations and 3,000
requests (under a minute, for CI). A database whose name ends in "_bench" is dropped and recreated. Steps:
build the tree (apps.organizations.demo.bulk_build), insert the requests set-based (one INSERT … SELECT over
generate_series, mostly closed on time, some late, some reopened, some open and overdue), rebuild the
monthly stats table (the pages keep it current on every write; this is the bulk path), then measure with
one client through Django's test client (the whole request):
  - the rates page (服务统计) for the root, a city and a county, against the naive live GROUP BY over the
    requests computing the same figures;
  - the request list page with filters (status, overdue, category) for a county user;
  - the nightly overdue scan (due items for the letters, and the due-tomorrow reminder query), against a
    naive per-request Python check.
Exits non-zero if a step fails or a recount differs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.base")
os.environ.setdefault("DEBUG", "false")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dangjian_service_bench"


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.endswith("_bench"):
        return
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn, runs: int) -> dict:
    from bench._common import percentile

    fn()  # warm
    lat = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        lat.append((time.perf_counter() - t0) * 1000)
    return {"p50": percentile(lat, 50), "p95": percentile(lat, 95), "n": runs}


def line(label: str, fast: dict, naive: dict | None = None) -> None:
    text = f"  {label:<44} p50 {fast['p50']:8.1f} ms  p95 {fast['p95']:8.1f} ms"
    if naive is not None:
        ratio = naive["p95"] / fast["p95"] if fast["p95"] else float("inf")
        text += f"   | naive p95 {naive['p95']:9.1f} ms  ({ratio:6.1f}x)"
    print(text, flush=True)


INSERT_SQL = """
WITH leaves AS (
    SELECT id, path, row_number() OVER (ORDER BY id) AS rn FROM organizations_organization
    WHERE kind IN ('branch', 'joint_branch', 'temporary_branch') AND path LIKE %(root)s
), n AS (SELECT count(*) AS c FROM leaves),
gen AS (
    SELECT g, (g * 7919) %% (SELECT c FROM n) + 1 AS leaf,
           %(now)s::timestamptz - ((g * 104729) %% 365) * interval '1 day' - (g %% 480) * interval '1 minute' AS rec,
           (g * 31) %% 100 AS roll
    FROM generate_series(1::bigint, %(count)s::bigint) g
)
INSERT INTO service_requests_servicerequest (
    organization_id, org_path, origin_org_id, origin_path, channel, requester_name, requester_phone,
    requester_address, category_id, content, received_at, clock_start, response_due_on, due_on, status,
    accepted_at, answered_at, followed_up_at, closed_at, assignee_agent, result, satisfaction, follow_up_note,
    reopen_count, transfer_count, escalated, suspension_pending, suspend_reason, suspended_on, suspended_days,
    status_before_suspend, responded_on_time, closed_on_time, workdays_to_close, created_at, updated_at
)
SELECT l.id, l.path, l.id, l.path, 'window', '居民' || g, '138' || lpad((g %% 100000000)::text, 8, '0'), '',
    (%(cats)s::bigint[])[1 + g %% %(ncat)s], '诉求' || g, rec, rec::date, rec::date + 1, rec::date + 7,
    CASE WHEN rec > %(now)s::timestamptz - interval '10 days' OR roll < 3 THEN 'in_progress' ELSE 'closed' END,
    rec + interval '2 hours',
    CASE WHEN rec > %(now)s::timestamptz - interval '10 days' OR roll < 3 THEN NULL
         ELSE rec + (CASE WHEN roll < 9 THEN 9 ELSE 3 END) * interval '1 day' END,
    NULL, NULL, '', '', CASE WHEN rec > %(now)s::timestamptz - interval '10 days' OR roll < 3 THEN ''
                             WHEN roll < 90 THEN 'satisfied' ELSE 'basic' END, '',
    CASE WHEN roll BETWEEN 95 AND 99 THEN 1 ELSE 0 END, 0, false, false, '', NULL, 0, '', true,
    CASE WHEN rec > %(now)s::timestamptz - interval '10 days' OR roll < 3 THEN NULL ELSE roll >= 9 END,
    CASE WHEN rec > %(now)s::timestamptz - interval '10 days' OR roll < 3 THEN NULL
         WHEN roll < 9 THEN 7 ELSE 2 END,
    rec, rec
FROM gen JOIN leaves l ON l.rn = gen.leaf
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="~300 organizations, 3,000 requests (CI)")
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse-tree", action="store_true", help="keep the organizations of a previous run")
    parser.add_argument("--reuse-data", action="store_true", help="keep the tree, requests and stats of a previous run")
    args = parser.parse_args()
    if args.tiny:
        args.orgs, args.requests, args.runs = 300, 3000, 10
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    args.reuse_tree = args.reuse_tree or args.reuse_data
    if not args.reuse_tree:
        recreate_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    import random

    from apps.accounts.services import user_create
    from apps.core.periods import Period
    from apps.organizations.demo import bulk_build, scale_spec
    from apps.organizations.models import Organization
    from apps.service_requests.choices import OPEN_STATUSES
    from apps.service_requests.models import ServiceRequest, ServiceStatMonth
    from apps.service_requests.selectors import due_tomorrow_reminders, request_due_items
    from apps.service_requests.services import categories_seed_defaults
    from apps.service_requests.stats import COUNTERS, live_counters, live_subtree_rates, stats_rebuild, subtree_rates

    print(f"service_requests bench: {args.orgs:,} organizations, {args.requests:,} requests", flush=True)
    from apps.accounts.models import User

    t0 = time.perf_counter()
    root = Organization.objects.filter(parent__isnull=True).order_by("id").first() if args.reuse_tree else None
    User.objects.filter(username__startswith="bench_").delete()
    if root is None:
        root = bulk_build(scale_spec(args.orgs), rng=random.Random(7), today=timezone.localdate())
    n_orgs = Organization.objects.count()
    print(f"  tree: {n_orgs:,} organizations in {time.perf_counter() - t0:.1f} s", flush=True)
    cats = [c.pk for c in categories_seed_defaults(organization=root) if c.parent_id][:4]
    if args.reuse_data and ServiceRequest.objects.exists():
        print(f"  reusing {ServiceRequest.objects.count():,} requests and the stats table", flush=True)
    else:
        ServiceRequest.objects.all().delete()
        ServiceStatMonth.objects.all().delete()
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                INSERT_SQL,
                {
                    "root": root.path + "%",
                    "now": timezone.now(),
                    "count": args.requests,
                    "cats": cats,
                    "ncat": len(cats),
                },
            )
            cur.execute("ANALYZE service_requests_servicerequest")
        n_req = ServiceRequest.objects.count()
        print(f"  requests: {n_req:,} inserted in {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        rows = stats_rebuild(root_path=root.path)
        with connection.cursor() as cur:
            cur.execute("ANALYZE service_requests_servicestatmonth")
        print(f"  stats table rebuilt set-based: {rows:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)

    city = Organization.objects.filter(parent=root).order_by("id").first()
    county = Organization.objects.filter(parent=city).order_by("id").first()
    admin = user_create(acting_user=None, username="bench_admin", password="x-Bench-1234", role="system_admin",
                        organization=root, display_name="bench", is_superuser=True)  # fmt: skip
    county_user = user_create(acting_user=None, username="bench_county", password="x-Bench-1234", role="org_staff",
                              organization=county, display_name="county", is_superuser=False)  # fmt: skip
    today = timezone.localdate()
    start, end = Period.of(today).shift(-11).first_day, Period.of(today).last_day
    failed = False

    print("\nrates (服务统计) — pre-aggregated page vs live GROUP BY over the requests", flush=True)
    client = Client()
    client.force_login(admin)
    for label, org in (("root", root), ("city", city), ("county", county)):
        data = subtree_rates(root=org, start=start, end=end)
        live = live_counters(root_path=org.path, start=start, end=end)
        if {k: getattr(data["total"], k) for k in COUNTERS} != live:
            print(f"  RECOUNT MISMATCH for {label}: {live}", flush=True)
            failed = True
        url = reverse("service_requests:stats") + f"?org={org.code}&start={start:%Y-%m}&end={end:%Y-%m}"

        def page(url=url) -> None:
            resp = client.get(url)
            assert resp.status_code == 200, resp.status_code

        naive = timed(lambda org=org: live_subtree_rates(root=org, start=start, end=end), max(3, args.runs // 10))
        sel = timed(lambda org=org: subtree_rates(root=org, start=start, end=end), args.runs)
        line(f"rates figures {label} ({data['total'].volume:,} requests)", sel, naive)
        line(f"rates page {label} (whole request)", timed(page, args.runs), naive)

    print("\nrequest list with filters (county user, 25 rows a page)", flush=True)
    cclient = Client()
    cclient.force_login(county_user)
    base = reverse("service_requests:request_list")
    for label, query in (
        ("no filter", ""),
        ("status=in_progress", "?status=in_progress"),
        ("timing=overdue", "?timing=overdue"),
        ("category + received range", f"?category={cats[0]}&received_from={start:%Y-%m-%d}"),
        ("page 20", "?page=20"),
    ):

        def lst(q=query) -> None:
            resp = cclient.get(base + q)
            assert resp.status_code == 200, resp.status_code

        line(f"list {label}", timed(lst, args.runs))

    print("\nnightly overdue scan (whole tree)", flush=True)
    period = Period.of(today)
    items: list = []

    def scan() -> None:
        items[:] = request_due_items(period=period, stage="warning", root_path=root.path)

    def naive_scan() -> None:
        found = 0
        for _pk, status, due in ServiceRequest.objects.values_list("id", "status", "due_on").iterator(chunk_size=20000):
            if status in OPEN_STATUSES and due < period.last_day:
                found += 1
        items.append(found)

    fast = timed(scan, 3)
    overdue = len(items)
    line(f"due items (overdue, {overdue:,} found)", fast, timed(naive_scan, 1))
    line("due-tomorrow reminder query", timed(lambda: due_tomorrow_reminders(today), 3))
    if fast["p95"] > 5000 and not args.tiny:
        print("  overdue scan over 5 s", flush=True)
    print(f"\nstats rows: {ServiceStatMonth.objects.count():,}; result: {'FAILED' if failed else 'ok'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
