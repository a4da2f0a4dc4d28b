"""Dashboards and statistics at province scale (issue 14), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_dashboards_bench python bench/dashboards.py
    python bench/dashboards.py --tiny        # ~300 organizations / ~6,000 members, well under a minute (CI)
    python bench/dashboards.py --small       # 10k organizations / 200k members
    python bench/dashboards.py --orgs 100000 --members 3000000 --rebuild

Builds once (tree by apps.organizations.demo.bulk_build, members by apps.members.demo.member_rows COPYed
in; reused on the next run unless --rebuild or the size differs), then:

- the nightly refresh (apps.dashboards.refresh.stats_refresh: member breakdowns + every registered metric
  for the whole tree, 12 trend months) — seconds and rows;
- for a user at the root, a city and a county: the dashboard page and the three stats endpoints through
  gunicorn with 1 client (p50/p95, SQL queries per request), and beside each scope the live aggregate the
  snapshots replace: the members' GROUP BYs over the subtree (member_breakdowns), timed the same way.

Exits non-zero when a step fails (a non-200 response, a figure that differs from the live recount).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Server, count_queries, http_load, percentile, session_cookie, setup_django

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dangjian_dashboards_bench"
TODAY = datetime.date.today()
MEMBER_COLUMNS = [
    "name", "gender", "ethnicity", "birth_date", "native_place", "education", "phone", "work_unit", "position",
    "occupation_category", "category", "joined_on", "confirmed_on", "probation_ends_on", "organization_id",
    "party_group_id", "org_path", "party_post", "status", "status_changed_on", "mobile_state", "mobile_place",
    "mobile_since", "mobile_contact", "lost_contact", "lost_contact_since", "lost_contact_reason", "points",
    "id_number_enc", "id_key_id", "id_hash", "id_masked", "discipline",
]  # fmt: skip


def build(orgs: int, members: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.members.demo import member_rows
    from apps.organizations.choices import OrgKind
    from apps.organizations.demo import bulk_build, scale_spec
    from apps.organizations.models import Organization

    print(f"building ~{orgs:,} organizations and ~{members:,} members …", flush=True)
    User.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE organizations_organization RESTART IDENTITY CASCADE")
    t0 = time.perf_counter()
    bulk_build(scale_spec(orgs), rng=random.Random(1), today=TODAY)
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH).order_by("id").values_list("id", "path"))
    avg = max(2, members // max(1, len(branches)))
    now = timezone.now()
    cols = ", ".join([*MEMBER_COLUMNS, "created_at", "updated_at"])
    connection.ensure_connection()
    written = 0
    with connection.connection.cursor() as cur, cur.copy(f"COPY members_member ({cols}) FROM STDIN") as copy:
        rows = member_rows(
            branches, rng=random.Random(2), today=TODAY, per_branch=(avg // 2, avg + avg // 2), encrypt=False
        )
        for row in rows:
            copy.write_row([row.get(c, "") for c in MEMBER_COLUMNS] + [now, now])
            written += 1
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE members_member")
        cur.execute("ANALYZE organizations_organization")
    print(f"  {Organization.objects.count():,} organizations, {written:,} members in {time.perf_counter() - t0:.1f}s")


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (user + system, from /proc)."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms(fn, repeat: int) -> float:
    """CPU per call in ms, load-independent: this process (time.process_time) plus the PostgreSQL backend
    serving it (the same connection), averaged over ``repeat`` calls after one warm-up call."""
    fn()
    c0, b0 = time.process_time(), _backend_cpu()
    for _ in range(repeat):
        fn()
    return ((time.process_time() - c0) + (_backend_cpu() - b0)) * 1000 / repeat


def request_cpu(client, path: str, repeat: int) -> float:
    def get() -> None:
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.status_code)

    return cpu_ms(get, repeat)


def floor_cpu(client, path: str, repeat: int) -> float:
    """The same request through the same stack (middleware, session, auth, permission, JSON rendering) with
    the view's body replaced by an empty answer: what no implementation of the endpoint can go below."""
    from rest_framework.response import Response

    from apps.dashboards.api import views

    original = views.MemberStatsView.get
    views.MemberStatsView.get = lambda self, request: Response({})
    try:
        return request_cpu(client, path, repeat)
    finally:
        views.MemberStatsView.get = original


def live_measure(fn, *, small: bool) -> tuple[dict, float]:
    """Wall p50/p95 and CPU per call of the live aggregate: 3 calls after a warm-up when small, one call
    otherwise (a pass over a province's members takes minutes on a loaded machine)."""
    if small:
        fn()
    lat, cpu = [], 0.0
    for _ in range(3 if small else 1):
        t0, c0, b0 = time.perf_counter(), time.process_time(), _backend_cpu()
        fn()
        cpu += time.process_time() - c0 + _backend_cpu() - b0
        lat.append((time.perf_counter() - t0) * 1000)
    return {"p50": statistics.median(lat), "p95": percentile(lat, 95)}, cpu * 1000 / len(lat)


def refresh_run(label: str, stats_refresh, *, steps: bool):
    """One refresh, timed as a whole (wall, CPU of this process + its PostgreSQL backend) and per step."""
    from apps.core.metrics import metrics
    from apps.dashboards.refresh import StepTimes

    times = StepTimes(backend_cpu=_backend_cpu)
    t0, c0, b0 = time.perf_counter(), time.process_time(), _backend_cpu()
    run = stats_refresh(as_of=TODAY, times=times)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0 + _backend_cpu() - b0
    print(f"  {label}: {wall:8.2f} s wall   CPU {cpu:7.2f} s   member rows {run.member_rows:,}   "
          f"metric rows {run.metric_rows:,}   (load average {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
    if steps:
        sources = [r for r in run.steps if r[0].startswith("metric ") and r[0][7:] in metrics()]
        others = [r for r in run.steps if r not in sources]
        print(f"    {'step':<56} {'wall s':>7} {'CPU s':>7} {'python':>7} {'pg':>7} {'calls':>5}")
        for name, w, c, b, n in others:
            print(f"    {name:<56} {w:7.2f} {c + b:7.2f} {c:7.2f} {b:7.2f} {n:5d}")
        tw, tc, tb = (sum(r[i] for r in sources) for i in (1, 2, 3))
        label = f"metric sources ({len(sources)} metrics, all periods)"
        print(f"    {label:<56} {tw:7.2f} {tc + tb:7.2f} {tc:7.2f} {tb:7.2f}")
        for name, w, c, b, n in sorted(sources, key=lambda r: -r[1])[:8]:
            print(f"      {name[7:]:<54} {w:7.2f} {c + b:7.2f} {c:7.2f} {b:7.2f} {n:5d}")
    return run


def history_dues_months() -> None:
    """The year's months of dues figures as the members app's daily job leaves them in production (it
    refreshes this month and the last every day, and each payment keeps its branch's row current), so the
    nightly refresh reads ``members.dues_collection_rate`` from them as it does there. Timed apart."""
    from apps.core.periods import Period
    from apps.members.dues_models import DuesStatsRun
    from apps.members.dues_stats import dues_stats_refresh

    p, months = Period.of(TODAY), []
    while p.year == TODAY.year:
        months.append(p)
        p = p.previous()
    done = set(DuesStatsRun.objects.filter(root_path="/").values_list("month", flat=True))
    missing = [p for p in months if p.first_day not in done]
    if not missing:
        return
    t0, c0, b0 = time.perf_counter(), time.process_time(), _backend_cpu()
    for p in missing:
        dues_stats_refresh(period=p, root_path="/")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0 + _backend_cpu() - b0
    print(f"  dues month figures, {len(missing)} months (the daily job's history; not part of the refresh): "
          f"{wall:.2f} s wall, CPU {cpu:.2f} s", flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="~300 organizations (CI)")
    parser.add_argument("--small", action="store_true", help="~10,000 organizations / 200,000 members")
    parser.add_argument("--orgs", type=int, default=0)
    parser.add_argument("--members", type=int, default=0)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--requests", type=int, default=0, help="requests per measurement (default by size)")
    parser.add_argument("--refresh-only", action="store_true", help="the refresh runs only (no HTTP measurements)")
    parser.add_argument("--steps", action="store_true", help="per-step figures for the first refresh too")
    args = parser.parse_args()
    orgs = args.orgs or (300 if args.tiny else 10_000 if args.small else 100_000)
    members = args.members or (6_000 if args.tiny else 200_000 if args.small else 3_000_000)
    requests = args.requests or (10 if args.tiny else 40)
    cpu_repeat = 20 if args.tiny else 100
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_DB))

    from apps.accounts.services import user_create
    from apps.dashboards.refresh import rollup_counts, stats_refresh
    from apps.members.breakdowns import member_breakdowns
    from apps.members.models import Member
    from apps.organizations.models import Organization

    have = Organization.objects.count()
    if args.rebuild or not have or not Member.objects.exists() or abs(have - orgs) > orgs * 0.5:
        build(orgs, members)
    n_orgs, n_members = Organization.objects.count(), Member.objects.count()
    print(f"dashboards bench: {n_orgs:,} organizations, {n_members:,} members, PostgreSQL, as of {TODAY}")

    history_dues_months()
    from apps.dashboards.models import MetricSnapshot

    if not MetricSnapshot.objects.filter(kind=MetricSnapshot.MONTH).exists():
        refresh_run("first refresh (all 12 trend months built)", stats_refresh, steps=args.steps)
    run = refresh_run("nightly refresh (2 trend months recomputed)", stats_refresh, steps=True)
    if args.refresh_only:
        return 0 if run.member_rows else 1
    t0, c0, b0 = time.perf_counter(), time.process_time(), _backend_cpu()
    member_totals = rollup_counts(member_breakdowns(root_path="/", as_of=TODAY))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0 + _backend_cpu() - b0
    print(f"  member breakdowns for the whole tree again (GROUP BYs + roll-up)   {wall:8.2f} s   CPU {cpu:7.2f} s")
    print("  (CPU: this process + its PostgreSQL backend; parallel query workers, if any, are not counted)")
    root = Organization.objects.get(parent__isnull=True)
    city = Organization.objects.filter(depth=root.depth + 1).order_by("-descendant_count", "id").first()
    county = Organization.objects.filter(path__startswith=city.path, depth=root.depth + 2).order_by("id").first()
    scopes = [("root", root), ("city", city), ("county", county)]
    failed = False
    from apps.accounts.models import User

    User.objects.filter(username__startswith="bench_dash_").delete()
    port = int(os.environ.get("BENCH_PORT", "8765"))
    with Server(workers=2, port=port):
        for label, org in scopes:
            user = user_create(
                acting_user=None, username=f"bench_dash_{label}", password="x-Bench-2026", role="leader",
                organization=org,
            )  # fmt: skip
            cookie = session_cookie(user)
            from django.test import Client

            client = Client()
            client.force_login(user)

            def live_fn(org=org):
                return member_breakdowns(root_path=org.path, as_of=TODAY)

            live, live_cpu = live_measure(live_fn, small=orgs <= 1000)
            floor = floor_cpu(client, f"/api/v1/stats/members/?org={org.code}", cpu_repeat)
            expected = member_totals.get(org.pk, {}).get("total", 0)
            print(f"\n  {label}: {org.name} ({org.descendant_count:,} organizations below, {expected:,} members)")
            print(f"    live member GROUP BYs (what the snapshots replace)  p95 {live['p95']:8.1f} ms   "
                  f"CPU {live_cpu:8.1f} ms (this process + its PostgreSQL backend)")  # fmt: skip
            print(f"    floor: same stack, empty view body                 CPU {floor:8.2f} ms per request")
            for name, path in [
                ("dashboard page", f"/dashboards/?org={org.code}"),
                ("api stats/members", f"/api/v1/stats/members/?org={org.code}"),
                ("api stats/organizations", f"/api/v1/stats/organizations/?org={org.code}"),
                ("api stats/trends", f"/api/v1/stats/trends/?org={org.code}"),
            ]:
                try:
                    r = http_load(lambda i, p=path: p, cookie=cookie, port=port, clients=1, per_client=requests)
                    q = count_queries(user, path)
                    cpu = request_cpu(client, path, cpu_repeat)
                except Exception as exc:  # reported, and the run fails
                    print(f"    {name:<26} FAILED: {exc}")
                    failed = True
                    continue
                print(f"    {name:<26} p50 {r['p50']:7.1f} ms   p95 {r['p95']:7.1f} ms   queries {q:2d}   "
                      f"CPU {cpu:6.2f} ms = {cpu / floor:4.1f}x floor   "
                      f"live GROUP BY CPU / this {live_cpu / cpu:7.1f}x")  # fmt: skip
            total = client.get(f"/api/v1/stats/members/?org={org.code}").json()["total"]
            recount = Member.objects.filter(org_path__startswith=org.path, status="active").count()
            ok = total == recount
            failed |= not ok
            print(f"    stats total {total:,} vs live recount {recount:,}: {'OK' if ok else 'MISMATCH'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
