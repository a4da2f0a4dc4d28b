"""Benchmark of the service-request pipeline (PostgreSQL), pre-aggregated vs. naive side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_service_bench python bench/service_requests.py [--tiny]

Full size: 1,000,000 requests over a ~100,000-organization tree; --tiny: ~300 organizations and 3,000
requests (under a minute, for CI). A database whose name ends in "_bench" is dropped and recreated. Steps:
build the tree (apps.organizations.demo.bulk_build), insert the requests set-based (one INSERT … SELECT over
generate_series, mostly closed on time, some late, some reopened, some open and overdue), rebuild the
monthly stats table (the pages keep it current on every write; this is the bulk path), then measure with
one client through Django's test client (the whole request).

What is measured is CPU time per request, not wall time (the machine is shared): the bench process's
``time.process_time()`` plus the PostgreSQL backend's user+system CPU read from /proc/<backend pid>/stat
(same machine), summed over the runs and divided; also the queries per request. Each figure is printed
beside, from the same run:
  - the baseline: the naive way computing the same thing (live GROUP BY over the requests for the rates;
    the previous OFFSET page with its capped COUNT for the list; a per-request Python check for the scan);
  - the floor: the same page through the same stack with no data to read (the rates page of an empty
    one-day range; the list filtered to a code that does not exist) — what no query plan can go under.
Steps:
  - the rates page (服务统计) for the root, a city and a county over the last 12 whole months, and for the
    city over an arbitrary date range (edge days from the daily roll-up), recounted against the live GROUP BY;
  - the request list page with filters (status, overdue, category + received range, 20 pages deep by
    cursor) for a county and a city user;
  - the nightly overdue scan (due items for the letters, and the due-tomorrow reminder query).
Exits non-zero if a step fails or a recount differs.
"""

from __future__ import annotations

import argparse
import datetime
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


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far (0 if not readable)."""
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def timed(fn, runs: int) -> dict:
    """CPU ms per call (this process + the database backend), queries per call; wall p95 for reference."""
    from django.db import connection, reset_queries

    from bench._common import percentile

    fn()  # warm
    lat = []
    py0, pg0 = time.process_time(), _backend_cpu()
    queries = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        reset_queries()
        fn()
        queries += len(connection.queries)
        lat.append((time.perf_counter() - t0) * 1000)
    py, pg = time.process_time() - py0, _backend_cpu() - pg0
    return {
        "cpu": (py + pg) * 1000 / runs,
        "py": py * 1000 / runs,
        "pg": pg * 1000 / runs,
        "q": queries / runs,
        "p95": percentile(lat, 95),
        "n": runs,
    }


def line(label: str, fast: dict, naive: dict | None = None, floor: dict | None = None) -> None:
    text = (
        f"  {label:<46} cpu {fast['cpu']:8.1f} ms (py {fast['py']:6.1f} + db {fast['pg']:7.1f})"
        f"  q {fast['q']:4.1f}  wall p95 {fast['p95']:7.1f} ms"
    )
    if naive is not None:
        ratio = naive["cpu"] / fast["cpu"] if fast["cpu"] else float("inf")
        text += f"  | baseline cpu {naive['cpu']:9.1f} ms ({ratio:6.1f}x)"
    if floor is not None:
        times = fast["cpu"] / floor["cpu"] if floor["cpu"] else 0
        text += f"  | floor cpu {floor['cpu']:6.1f} ms ({times:4.2f}x floor)"
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
    from apps.service_requests.models import ServiceRequest, ServiceStatDay, ServiceStatMonth
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
        print(f"  reusing {ServiceRequest.objects.count():,} requests and the stats tables", flush=True)
        if not ServiceStatDay.objects.exists():
            t0 = time.perf_counter()
            rows = stats_rebuild(root_path=root.path)
            print(f"  stats tables rebuilt set-based: {rows:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    else:
        ServiceRequest.objects.all().delete()
        ServiceStatMonth.objects.all().delete()
        ServiceStatDay.objects.all().delete()
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
    city_user = user_create(acting_user=None, username="bench_city", password="x-Bench-1234", role="org_staff",
                            organization=city, display_name="city", is_superuser=False)  # fmt: skip
    today = timezone.localdate()
    start, end = Period.of(today).shift(-11).first_day, Period.of(today).last_day
    failed = False

    settings.DEBUG = True  # query counts per request (connection.queries); the figures are CPU, not wall
    print("\nrates (服务统计) — CPU per request: pre-aggregated vs live GROUP BY (baseline) vs empty page (floor)",
          flush=True)  # fmt: skip
    client = Client()
    client.force_login(admin)
    stats_url = reverse("service_requests:stats")

    def get(c, url) -> None:
        resp = c.get(url)
        assert resp.status_code == 200, (url, resp.status_code)

    far = today.replace(year=today.year - 5)  # a day without requests: the same page with nothing to read
    rate_floor = timed(lambda: get(client, f"{stats_url}?org={county.code}&from={far}&to={far}"), args.runs)
    line("rates page, empty range (floor)", rate_floor)
    odd_start, odd_end = start + datetime.timedelta(days=10), today - datetime.timedelta(days=5)
    cases = [
        ("root", root, start, end),
        ("city", city, start, end),
        ("county", county, start, end),
        ("city, any range", city, odd_start, odd_end),
    ]
    for label, org, a, b in cases:
        data = subtree_rates(root=org, start=a, end=b)
        live = live_counters(root_path=org.path, start=a, end=b)
        if {k: getattr(data["total"], k) for k in COUNTERS} != live:
            print(f"  RECOUNT MISMATCH for {label}: {live}", flush=True)
            failed = True
        url = f"{stats_url}?org={org.code}&from={a:%Y-%m-%d}&to={b:%Y-%m-%d}"
        naive = timed(lambda org=org, a=a, b=b: live_subtree_rates(root=org, start=a, end=b), max(3, args.runs // 10))
        sel = timed(lambda org=org, a=a, b=b: subtree_rates(root=org, start=a, end=b), args.runs)
        line(f"rates figures {label} ({data['total'].volume:,} req.)", sel, naive)
        line(f"rates page {label} (whole request)", timed(lambda url=url: get(client, url), args.runs), None,
             rate_floor)  # fmt: skip

    base = reverse("service_requests:request_list")
    from apps.service_requests.keyset import keyset_page
    from apps.service_requests.selectors import request_list

    for who, user in (("county", county_user), ("city", city_user)):
        print(f"\nrequest list with filters ({who} user, 25 rows a page) — keyset vs OFFSET + capped COUNT",
              flush=True)  # fmt: skip
        lclient = Client()
        lclient.force_login(user)
        list_floor = timed(lambda lclient=lclient: get(lclient, base + "?q=FW99999999"), args.runs)
        line("list, no row (floor)", list_floor)
        # the cursor of the 20th page, followed the way a person clicks "下一页"
        qs = request_list(user=user)
        cursor = ""
        for _ in range(19):
            cursor = keyset_page(qs, after=cursor).next_cursor or ""

        def offset_page(user=user, offset=0) -> None:  # the previous page's data cost (the baseline)
            qs = request_list(user=user)
            qs.order_by()[:10001].count()
            list(qs[offset : offset + 25])

        for label, query, after in (
            ("no filter", "", ""),
            ("status=in_progress", "?status=in_progress", None),
            ("timing=overdue", "?timing=overdue", None),
            ("category + received range", f"?category={cats[0]}&received_from={start:%Y-%m-%d}", None),
            ("page 20 (cursor)", f"?after={cursor}", cursor),
        ):
            if after is not None:  # the rows alone: keyset vs the previous OFFSET page with its capped COUNT
                offset = 475 if after else 0
                naive = timed(lambda user=user, offset=offset: offset_page(user, offset), max(3, args.runs // 3))
                rows = timed(lambda user=user, after=after: keyset_page(request_list(user=user), after=after).rows,
                             args.runs)  # fmt: skip
                line(f"list rows {label}", rows, naive)
            page = timed(lambda lclient=lclient, q=query: get(lclient, base + q), args.runs)
            line(f"list page {label}", page, None, list_floor)

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
    if fast["cpu"] > 5000 and not args.tiny:
        print("  overdue scan over 5 s of CPU", flush=True)
    months, days = ServiceStatMonth.objects.count(), ServiceStatDay.objects.count()
    result = "FAILED" if failed else "ok"
    print(f"\nstats rows: {months:,} monthly, {days:,} daily; result: {result}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
