"""Benchmark of the responsibility app on the province-sized tree (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_resp_bench python bench/responsibility.py [--small]

A database whose name ends in "_bench" is dropped and recreated; any other must be empty. Steps: build the
tree (apps.organizations.demo.bulk_build), issue one task to every branch (service), file a month of ledgers
for every branch (bulk, plus a sample through the real services), refresh the pre-aggregated stats, compute the
roll-up for the root and a county (pre-aggregated vs. live GROUP BY baseline), collect the due items for the
monthly letters, and measure the roll-up page with 8 concurrent clients.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import BENCH_PORT, add_tiny_flag, stop_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.base")
os.environ.setdefault("DEBUG", "false")


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


@contextmanager
def measured(label: str, results: list):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # the log keeps at most 9,000 queries; count from an empty log
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        yield
        elapsed = time.perf_counter() - t0
    results.append((label, elapsed, len(ctx)))
    print(f"  {label:<58} {elapsed:9.3f} s  {len(ctx):6d} queries", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="a ~3,000-organization tree (under a minute)")
    parser.add_argument("--orgs", type=int, default=0)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a database filled by an earlier run: re-time issuing and the roll-ups",
    )
    parser.add_argument("--requests", type=int, default=400, help="roll-up page requests in the concurrent test")
    add_tiny_flag(parser)
    args = parser.parse_args()
    if args.tiny:
        args.orgs, args.requests = 200, 16
    target = args.orgs or (3000 if args.small else 100000)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... (PostgreSQL).")
    if not args.reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.services import user_create
    from apps.core.periods import Period
    from apps.organizations.choices import OrgKind
    from apps.organizations.demo import bulk_build, scale_spec
    from apps.organizations.models import Organization
    from apps.responsibility import services
    from apps.responsibility.models import Meeting, MonthlyLedger, TaskItem
    from apps.responsibility.stats import stats_refresh

    call_command("migrate", verbosity=0)
    if Organization.objects.exists() and not args.reuse:
        sys.exit("The database is not empty; use a database named *_bench (recreated) or an empty one.")
    results: list = []
    today = datetime.date.today()
    period = Period.of(today).previous()
    rng = random.Random(2026)
    print(f"responsibility bench: ~{target} organizations, PostgreSQL, period {period}")

    from apps.accounts.models import User

    if args.reuse:
        root = Organization.objects.get(parent__isnull=True)
    else:
        with measured("build tree (bulk_build)", results):
            root = bulk_build(scale_spec(target), rng=rng, today=today)
    n_orgs = Organization.objects.count()
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH).values_list("id", "path").order_by("path"))
    county = Organization.objects.filter(depth=root.depth + 2).order_by("path").first()
    print(f"  organizations: {n_orgs}, branches: {len(branches)}, county: {county.name}")
    if args.reuse:
        admin, county_staff = User.objects.get(username="bench_admin"), User.objects.get(username="bench_county")
    else:
        admin = user_create(
            acting_user=None, username="bench_admin", password="x-Bench-2026", role="org_staff", organization=root
        )
        county_staff = user_create(
            acting_user=None, username="bench_county", password="x-Bench-2026", role="org_staff", organization=county
        )
    secretary_org = Organization.objects.get(pk=branches[0][0])

    with measured("issue one task to all branches (items_issue)", results):
        issuance = services.items_issue(
            acting_user=admin,
            issuer=root,
            item_type="task",
            year=today.year,
            title="开展党员冬训，全体党员参训",
            payload={"target": "参训率不低于95%"},
            due_date=period.last_day,
            kinds=[OrgKind.BRANCH],
            issued_on=period.first_day,
        )
    assert TaskItem.objects.filter(issuance=issuance).count() == len(branches)
    # a realistic spread: 80% done (most on time), the rest open
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE responsibility_taskitem SET status='done', evidence='ok', "
            "completed_on = due_date - (id %% 20)::int WHERE issuance_id = %s AND id %% 5 <> 0",
            [issuance.pk],
        )

    if args.reuse:
        return rollups_and_pages(
            args, results, period, today, root, county, admin, county_staff, secretary_org, issuance
        )
    sample = branches[1 : 1 + (20 if args.tiny else 50 if args.small else 200)]
    with measured(f"file {len(sample)} ledgers through the services (open+3 meetings+submit)", results):
        for bid, _path in sample:
            org = Organization.objects.get(pk=bid)
            ledger = services.ledger_open(acting_user=admin, branch=org, period=period)
            for kind, day in (("committee_meeting", 3), ("theme_day", 8), ("group_meeting", 12)):
                services.meeting_create(
                    acting_user=admin, ledger=ledger, kind=kind, held_on=period.first_day.replace(day=day), topic="学习"
                )
            services.ledger_submit(acting_user=admin, ledger=ledger)
    per_ledger = results[-1][1] / len(sample)

    rest = branches[1 + len(sample) :]
    with measured(f"file a month of ledgers for the other {len(rest)} branches (bulk)", results):
        due = services.ledger_due_date(period)
        tz = datetime.timezone(datetime.timedelta(hours=8))
        ledgers = []
        for i, (bid, path) in enumerate(rest):
            submitted = i % 10 != 0  # 10% missing
            late = i % 7 == 0
            day = due + datetime.timedelta(days=3) if late else due - datetime.timedelta(days=2)
            at = datetime.datetime.combine(day, datetime.time(10), tzinfo=tz)
            ledgers.append(
                MonthlyLedger(
                    organization_id=bid,
                    org_path=path,
                    month=period.first_day,
                    due_date=due,
                    status="submitted" if submitted else "draft",
                    submitted_at=at if submitted else None,
                    submitted_on_time=(not late) if submitted else None,
                )
            )
        MonthlyLedger.objects.bulk_create(ledgers, batch_size=5000)
        meetings = []
        for i, ledger in enumerate(ledgers):
            kinds = ["committee_meeting", "theme_day"] + (["general_meeting"] if i % 3 == 0 else [])
            if i % 11 == 0:
                kinds.pop()
            meetings.extend(
                Meeting(
                    ledger_id=ledger.pk,
                    organization_id=ledger.organization_id,
                    org_path=ledger.org_path,
                    kind=k,
                    held_on=period.first_day.replace(day=5 + n),
                    topic="学习贯彻会议精神",
                )
                for n, k in enumerate(kinds)
            )
        Meeting.objects.bulk_create(meetings, batch_size=5000)
    print(f"  ({len(ledgers)} ledgers, {len(meetings)} meetings; one ledger via services ≈ {per_ledger * 1000:.0f} ms)")

    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    with measured("stats_refresh (whole tree, one month)", results):
        rows = stats_refresh(period=period, today=today)
    print(f"  ({rows} OrgMonthStats rows)")

    rollups_and_pages(args, results, period, today, root, county, admin, county_staff, secretary_org, issuance)


def rollups_and_pages(args, results, period, today, root, county, admin, county_staff, secretary_org, issuance) -> None:
    from django.test import Client

    from apps.core.due_items import collect_due_items
    from apps.core.periods import Period
    from apps.responsibility import selectors
    from apps.responsibility.stats import own_counters

    for label, scope, user in (("root", root, admin), ("county", county, county_staff)):
        with measured(f"roll-up {label}: pre-aggregated (stats_rollup)", results):
            r = selectors.stats_rollup(user=user, root=scope, period=period)
        pre = results[-1][1]
        total = r["total"]
        print(
            f"    tasks on time {total.task_on_time_rate}%  ledgers on time {total.ledger_on_time_rate}%  "
            f"meetings {total.meeting_compliance_rate}%  children {len(r['children'])}"
        )
        with measured(f"roll-up {label}: live GROUP BY baseline (own_counters)", results):
            own_counters(period=period, today=today, root_path=scope.path)
        print(f"    pre-aggregation is {results[-1][1] / max(pre, 1e-6):.0f}x faster than live")

    with measured("issuance roll-up (issuer = root, by child org)", results):
        selectors.issuance_rollup(issuance=issuance, today=today)

    for stage in ("reminder", "warning"):
        with measured(f"due items for the letters, whole province ({stage})", results):
            items = collect_due_items(period=Period.of(today), stage=stage, root_path=root.path)
        print(f"    {len(items)} items")

    from apps.responsibility.stats import stats_refresh_org

    with measured("incremental stats refresh after a write (one branch)", results):
        stats_refresh_org(organization_id=secretary_org.pk, period=period)
    with measured("incremental stats refresh (a whole county)", results):
        stats_refresh_org(organization_id=county.pk, period=period)

    with measured("ledger_missing_meetings (one branch)", results):
        selectors.ledger_missing_meetings(branch=secretary_org, period=period)

    # The page under a real server: gunicorn with several worker processes (threads in one process would
    # measure the GIL, not the page), 8 client threads in a closed loop.
    import http.client
    import subprocess

    port = BENCH_PORT
    workers = 1 if args.tiny else max(2, (os.cpu_count() or 2) * 2)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dangjian.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=str(Path(__file__).resolve().parent.parent),
        env={**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost"},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/accounts/login/")
                break
            except OSError:
                time.sleep(0.2)

        def page_latencies(user, scope, n: int, clients: int = 8) -> list[float]:
            if user is None:  # baseline: the login page (a template, no database work)
                cookie, path = "", "/accounts/login/"
            else:
                client = Client()
                client.force_login(user)
                cookie = f"sessionid={client.cookies['sessionid'].value}"
                path = f"/responsibility/rollup/?org={scope.code}&month={period}"

            def worker(k: int) -> list[float]:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                out = []
                for i in range(k + 3):
                    t0 = time.perf_counter()
                    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                    resp = conn.getresponse()
                    resp.read()
                    assert resp.status == 200, resp.status
                    if i >= 3:  # warm-up requests are not counted
                        out.append(time.perf_counter() - t0)
                return out

            with ThreadPoolExecutor(clients) as pool:
                chunks = list(pool.map(worker, [n // clients] * clients))
            return sorted(x for c in chunks for x in c)

        for label, user, scope in (
            ("baseline: login page", None, None),
            ("root", admin, root),
            ("county", county_staff, county),
        ):
            for clients in (1, 8):
                single = 8 if args.tiny else 100
                lat = page_latencies(user, scope, args.requests if clients == 8 else single, clients)
                p50 = statistics.median(lat) * 1000
                p95 = lat[int(len(lat) * 0.95) - 1] * 1000
                print(
                    f"  roll-up page ({label}), gunicorn {workers} workers, {clients} concurrent client(s), "
                    f"{len(lat)} requests: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
                )
                results.append((f"roll-up page p95 {label}, {clients} client(s) (ms)", p95, 0))
        load = os.getloadavg()[0]
        print(f"  (machine load average during the page test: {load:.1f} on {os.cpu_count()} CPUs)")
    finally:
        stop_server(server)

    print("\nsummary (seconds, queries):")
    for label, secs, queries in results:
        print(f"  {label:<58} {secs:9.3f}  {queries}")


if __name__ == "__main__":
    main()
