"""Members' yearly cycle at county size (issue 12), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_members_bench python bench/members_dues.py
    python bench/members_dues.py --tiny          # 300 members, for CI (< 60 s)
    python bench/members_dues.py --members 100000
    python bench/members_dues.py --members 300000 --steps cards   # only the six-colour recompute, bigger
    python -u bench/members_dues.py --orgs 100000 --members 3000000   # province (bench/_members_dues_build.py):
        # 3M members over a 100k-organization tree; the month's import is 30,000 rows of one county

Figures are CPU seconds of this process and its children (the spreadsheet parser runs in a child) and, for
the steps whose work is inside PostgreSQL, wall seconds beside a floor measured in the same run: the same
rows written into an indexed copy of the target table with none of the rules (no matching, criteria or
foreign-key checks). On the shared 2-core machine wall times move with the load; the ratios are the figure.

Builds once (reused on the next run with the same size): a county with ~30 members per branch, each member
with an ID number (blind index only), a dues base for the year, one point entry. Then measures, each next to a
naive baseline (the same work one member at a time through the per-member service/ORM path, on a slice,
extrapolated linearly), and prints the ratio:

1. a month of dues for the whole county imported from one .xlsx (read, match by ID number, validate against
   the base, upsert, refresh the pre-aggregated roll-up) — target ≤ 5 s for 30k;
2. the collection-rate roll-up at the root: build (set-based refresh) and read p95 with 1 client (the page's
   selector, 2 queries) — target p95 ≤ 50 ms; baseline: the live aggregate over the subtree;
2b. the metrics provider members.dues_collection_rate: a refreshed month read pre-aggregated vs counted again;
3. the monthly six-colour recompute (one pass into a temporary table, then only the changed cards upserted and
   one count row per organization) after 3% of the members earned points — target 3M ≤ 60 s; beside it the
   first month ever (every card new) and a rerun (no card written);
4. the lost-contact scan (anti-joins) — target ≤ 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentile, setup_django

PER_BRANCH = 30


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the spreadsheet is parsed in a child)."""
    import resource

    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (user + system, from /proc)."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall and CPU (this process + children) of a block, and the CPU of its PostgreSQL backend (``db``)."""

    def __enter__(self) -> Clock:
        self.t, self.c, self.b = time.perf_counter(), cpu(), backend_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.t, cpu() - self.c
        self.db = backend_cpu() - self.b


def floor_import(upload, root, period) -> Clock:
    """The physical floor of a month's import: the same file through the upload gate and parser, and one COPY
    of the finished payment rows (member ids looked up before the clock starts) into a temporary copy of the
    payments table with the same indexes — no matching, no validation, no foreign-key checks, no roll-up."""
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.core.spreadsheets import read_rows
    from apps.members.dues_models import DuesPayment
    from apps.members.models import Member

    ids = dict(Member.objects.filter(org_path__startswith=root.path).values_list("id_hash", "id"))
    meta = dict(Member.objects.filter(org_path__startswith=root.path).values_list("id", "organization_id"))
    paths = dict(Member.objects.filter(org_path__startswith=root.path).values_list("id", "org_path"))
    from apps.members.crypto import blind_index

    upload.seek(0)
    now = timezone.now()
    table = DuesPayment._meta.db_table
    with Clock() as clock, transaction.atomic(), connection.cursor() as cursor:
        rows = read_rows(upload, max_rows=250_000)
        cursor.execute(
            f"CREATE TEMPORARY TABLE floor_pay (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING INDEXES) ON COMMIT DROP"
        )
        cols = "member_id, organization_id, org_path, month, amount, method, paid_on, receipt_no, recorded_at"
        with cursor.cursor.copy(f"COPY floor_pay ({cols}) FROM STDIN") as copy:
            for row in rows[1:]:
                m = ids[blind_index(row[1])]
                copy.write_row((m, meta[m], paths[m], period.first_day, row[3], "online", row[5], "", now))
    return clock


def build(n_members: int) -> dict:
    from apps.accounts.models import User
    from apps.core.periods import Period
    from apps.members.appraisal_models import PointEntry
    from apps.members.crypto import blind_index
    from apps.members.demo import id_number_for_index
    from apps.members.dues_models import DuesBase
    from apps.members.models import Member
    from apps.organizations.models import Organization
    from apps.organizations.services import organization_create

    code = f"BDUES{n_members}"
    root = Organization.objects.filter(code=code).first()
    if root is not None and Member.objects.filter(org_path__startswith=root.path).count() >= n_members:
        return {"root": root, "built": False}
    actor = User(username="bench", is_superuser=True, is_active=True)
    root = root or organization_create(
        acting_user=actor, parent=None, kind="committee", name=f"基准县委{n_members}", code=code, sector="government"
    )
    n_branches = max(1, n_members // PER_BRANCH)
    n_streets = max(1, n_branches // 50)
    streets = [
        organization_create(
            acting_user=actor,
            parent=root,
            kind="working_committee",
            name=f"街道{i}",
            code=f"{code}S{i}",
            sector="community",
        )
        for i in range(n_streets)
    ]
    branches = [
        organization_create(
            acting_user=actor,
            parent=streets[i % n_streets],
            kind="branch",
            name=f"支部{i}",
            code=f"{code}B{i}",
            sector="community",
        )
        for i in range(n_branches)
    ]
    year = Period.current().year
    members = []
    for i in range(n_members):
        b = branches[i % n_branches]
        number, birth, gender = id_number_for_index(500_000 + n_members * 3 + i)
        members.append(
            Member(
                name=f"党员{i:06d}",
                gender=gender,
                birth_date=birth,
                organization=b,
                org_path=b.path,
                joined_on=datetime.date(2005, 7, 1),
                confirmed_on=datetime.date(2006, 7, 1),
                id_hash=blind_index(number),
                id_masked=number[:6] + "********" + number[-4:],
            )
        )
    Member.objects.bulk_create(members, batch_size=5000)
    rows = Member.objects.filter(org_path__startswith=root.path).values_list("id", "organization_id", "org_path")
    DuesBase.objects.bulk_create(
        [
            DuesBase(
                member_id=m,
                organization_id=o,
                org_path=p,
                year=year,
                category="employed",
                base=Decimal(4000),
                monthly_amount=Decimal("40.00"),
            )
            for m, o, p in rows
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    PointEntry.objects.bulk_create(
        [
            PointEntry(
                member_id=m,
                organization_id=o,
                org_path=p,
                points=(m % 50) - 5,
                year=year,
                occurred_on=datetime.date(year, 1, 15),
                reason="基准",
            )
            for m, o, p in rows
        ],
        batch_size=5000,
    )
    from django.db import connection

    with connection.cursor() as c:
        for t in ("members_member", "members_duesbase", "members_pointentry", "organizations_organization"):
            c.execute(f"ANALYZE {t}")
    return {"root": root, "built": True}


def month_file(root, period, limit=None, province: bool = False) -> io.BytesIO:
    from apps.core.spreadsheets import write_xlsx
    from apps.members.demo import id_number_for_index
    from apps.members.models import Member

    if province:  # the county's members as the build kept them
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT name, number FROM bench_county LIMIT %s", [limit])
            rows = [[name, number, str(period), "40.00", "线上", period.first_day] for name, number in cur.fetchall()]
        data = write_xlsx(headers=["姓名", "身份证号", "月份", "金额", "交纳方式", "交纳日期"], rows=rows)
        f = io.BytesIO(data)
        f.name = "month.xlsx"
        f.size = len(data)
        return f
    n = Member.objects.filter(org_path__startswith=root.path).count()
    rows = []
    names = dict(Member.objects.filter(org_path__startswith=root.path).values_list("id_hash", "name"))
    from apps.members.crypto import blind_index

    start = 500_000 + n * 3
    for i in range(n if limit is None else min(limit, n)):
        number = id_number_for_index(start + i)[0]
        rows.append([names.get(blind_index(number), ""), number, str(period), "40.00", "线上", period.first_day])
    data = write_xlsx(headers=["姓名", "身份证号", "月份", "金额", "交纳方式", "交纳日期"], rows=rows)
    f = io.BytesIO(data)
    f.name = "month.xlsx"
    f.size = len(data)
    return f


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument(
        "--orgs", type=int, default=0, help="build a province (bulk tree of ~N organizations); import one county"
    )
    parser.add_argument("--county-rows", type=int, default=30_000, help="rows of the county's month file (--orgs)")
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument(
        "--steps", default="import,rollup,cards,scan", help="comma-separated subset of: import,rollup,cards,scan"
    )
    parser.add_argument("--baseline", type=int, default=300, help="members in the naive baselines' slices")
    args = parser.parse_args()
    n = 300 if args.tiny else args.members
    steps = set(args.steps.split(","))
    base_n = min(args.baseline, 60 if args.tiny else args.baseline, n)
    setup_django("postgres://postgres@127.0.0.1:5432/dangjian_members_bench")

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User
    from apps.core.periods import Period
    from apps.members import dues_collection, dues_import, dues_stats
    from apps.members.dues_models import DuesPayment
    from apps.members.models import Member

    t = time.perf_counter()
    if args.orgs and not args.tiny:
        from _members_dues_build import build_province

        built = build_province(args.orgs, n, today=datetime.date.today())
        root, county = built["root"], built["county"]
        n = Member.objects.filter(status="active").count()
    else:
        built = build(n)
        root = county = built["root"]
    print(
        f"data: {n:,} members under {root.name} ({'built' if built['built'] else 'reused'} in "
        f"{time.perf_counter() - t:.1f} s); import scope {county.name}"
    )
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench_admin", "", "x")
    period = Period.current().previous()
    failed = False

    # 1. month import
    if "import" in steps:
        DuesPayment.objects.filter(org_path__startswith=county.path, month=period.first_day).delete()
        if county is root:
            f, n_rows = month_file(root, period), n
        else:
            f = month_file(county, period, limit=args.county_rows, province=True)
            n_rows = min(args.county_rows, Member.objects.filter(org_path__startswith=county.path).count())
        importer = admin
        if county is not root:  # the county's organization department imports its month (scope: the county)
            from apps.accounts.services import user_create

            importer = User.objects.filter(username="bench_county_staff").first() or user_create(
                acting_user=None,
                username="bench_county_staff",
                password="pw-Bench-1234",
                role="org_staff",
                organization=county,
                display_name="县委组织部",
            )
        with CaptureQueriesContext(connection) as q, Clock() as ours:
            result = dues_import.dues_import_file(acting_user=importer, kind="payments", upload=f)
        if result.errors or result.saved != n_rows:
            print(f"FAILED import: {len(result.errors)} errors, e.g. {result.errors[:3]}")
            failed = True
        floor = floor_import(f, county, period)
        members = list(Member.objects.filter(org_path__startswith=county.path).select_related("organization")[:base_n])
        prev = period.previous()
        DuesPayment.objects.filter(member__in=members, month=prev.first_day).delete()
        with Clock() as naive:
            for m in members:  # naive: the page's service, one member per call
                dues_collection.dues_record_month(
                    acting_user=admin,
                    organization=m.organization,
                    period=prev,
                    payments=[
                        dues_collection.PaymentInput(
                            member_id=m.pk, amount="40", method="online", paid_on=prev.first_day
                        )
                    ],
                )
        naive_cpu = naive.cpu / len(members) * n_rows
        print(
            f"1. month of dues, {n_rows:,} rows in one import: CPU (this process + parser child) "
            f"ours {ours.cpu:6.2f} s, "
            f"floor (gate+parse+hash+COPY into an indexed copy) {floor.cpu:6.2f} s "
            f"(ours/floor ×{ours.cpu / floor.cpu:4.2f}), "
            f"naive per member (extrapolated) {naive_cpu:8.1f} s (naive/ours ×{naive_cpu / ours.cpu:5.1f}); "
            f"{len(q.captured_queries)} SQL statements; PostgreSQL backend CPU ours {ours.db:6.2f} s, "
            f"floor {floor.db:6.2f} s; wall ours {ours.wall:6.2f} s, floor {floor.wall:6.2f} s "
            f"(shared machine, load {os.getloadavg()[0]:.1f})   target ≤ 5 s: "
            f"{'ok' if ours.wall <= 5 else 'wall MISSED'}"
        )
    else:
        members = list(Member.objects.filter(org_path__startswith=root.path)[:base_n])

    # 2. roll-up at the root
    if "rollup" not in steps:
        return cards_and_scan(steps, n, root, members, failed)
    t = time.perf_counter()
    dues_stats.dues_stats_refresh(period=period, root_path=root.path)
    refresh = time.perf_counter() - t
    lat = []
    for _ in range(5 if args.tiny else 200):
        reset_queries()
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            r = dues_stats.dues_rollup(user=admin, organization=root, period=period)
            _ = [s.rate for _c, s in r["children"] if s]
        lat.append((time.perf_counter() - t) * 1000)
    live = []
    for _ in range(3):
        t = time.perf_counter()
        own = dues_stats.own_figures(period=period, root_path=root.path)
        sum(f["own_paid"] for f in own.values())
        live.append((time.perf_counter() - t) * 1000)
    p95 = percentile(lat, 95)
    total = r["total"]
    print(
        f"2. collection-rate roll-up at root: refresh {refresh:6.2f} s; read p95 {p95:6.1f} ms "
        f"({len(q.captured_queries)} queries)   live aggregate {min(live):8.1f} ms   ×{min(live) / p95:6.1f}   "
        f"rate {total.rate if total else None}%   target p95 ≤ 50 ms: {'ok' if p95 <= 50 else 'MISSED'}"
    )
    # the metrics-registry provider (dashboards' nightly refresh): the refreshed month read pre-aggregated vs
    # counted from the members (the run record hidden in a rolled-back transaction), same figures
    from django.db import transaction

    from apps.members.dues_models import DuesStatsRun

    with Clock() as pre:
        pre_values = dues_stats.collection_rate_source(root_path=root.path, start=period.first_day, end=period.last_day)
    with transaction.atomic():
        DuesStatsRun.objects.all().delete()
        with Clock() as recount:
            recount_values = dues_stats.collection_rate_source(
                root_path=root.path, start=period.first_day, end=period.last_day
            )
        transaction.set_rollback(True)
    same = pre_values == recount_values
    print(
        f"2b. provider members.dues_collection_rate, whole tree, one refreshed month: pre-aggregated wall "
        f"{pre.wall:6.2f} s (CPU {pre.cpu:5.2f} s + db {pre.db:5.2f} s), recount wall {recount.wall:6.2f} s "
        f"(CPU {recount.cpu:5.2f} s + db {recount.db:5.2f} s), "
        f"{len(pre_values):,} organizations, figures identical: {same}"
    )
    if not same:
        print("FAILED provider: pre-aggregated figures differ from the recount")
        failed = True
    if total is None or ("import" in steps and total.paid < (n if county is root else 1)):
        print("FAILED roll-up: root figures missing")
        failed = True
    return cards_and_scan(steps, n, root, members, failed)


def cards_and_scan(steps: set[str], n: int, root, members: list, failed: bool) -> int:
    from django.db import connection

    from apps.core.periods import Period
    from apps.members import cards

    # 3. six-colour recompute
    if "cards" not in steps:
        return scan(steps, n, root, members, failed)
    this = Period.current()
    last = this.previous()
    from django.db import transaction

    from apps.members.appraisal_models import PointEntry
    from apps.members.models import Member

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {cards.MemberCard._meta.db_table}")
    with Clock() as first:  # the first month ever: every member gets a card
        r_first = cards.cards_recompute_detail(period=last, root_path=root.path)
    # a month passes: 3% of the members earn points (the monthly collection), then this month's recompute
    PointEntry.objects.filter(org_path__startswith=root.path, reason="基准月").delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PointEntry._meta.db_table} (member_id, organization_id, org_path, source_ref, points, "
            "year, occurred_on, reason, created_at) SELECT id, organization_id, org_path, '', 30, %s, %s, '基准月', "
            f"now() FROM {Member._meta.db_table} WHERE org_path LIKE %s AND id %% 33 = 0",
            [this.year, this.first_day, root.path + "%"],
        )
        cursor.execute(f"ANALYZE {PointEntry._meta.db_table}")
    with Clock() as ours:
        r = cards.cards_recompute_detail(period=this, root_path=root.path)
    with Clock() as again:  # idempotent: the same month again writes no card
        r_again = cards.cards_recompute_detail(period=this, root_path=root.path)
    with Clock() as floor, transaction.atomic(), connection.cursor() as cursor:
        # the floor: the one scan of the members every way needs, into a temporary table (no points, no
        # appraisal, no CASE, no card written)
        cursor.execute(
            "CREATE TEMPORARY TABLE floor_cards ON COMMIT DROP AS SELECT id, organization_id, org_path, 1 AS card "
            f"FROM {Member._meta.db_table} WHERE status = 'active' AND org_path LIKE %s",
            [root.path + "%"],
        )
    cats = list(cards.CardCategory.objects.filter(is_active=True).order_by("order"))
    from django.db.models import Sum

    with Clock() as naive:
        for m in members:  # naive: per member, sum the points and pick the category in Python
            s = PointEntry.objects.filter(member=m, year=this.year).aggregate(s=Sum("points"))["s"] or 0
            next((c for c in cats if c.min_points is None or s >= c.min_points), cats[-1])
    naive_wall = naive.wall / len(members) * n
    written = r["members"]
    print(
        f"3. six-colour recompute, {written:,} members (one pass computes each card beside the one held; only "
        f"changed members updated; the work is in PostgreSQL, client CPU {ours.cpu:5.2f} s, "
        f"backend CPU {ours.db:5.2f} s): "
        f"monthly wall {ours.wall:7.2f} s "
        f"({r['changed']:,} changed, {r['counts']:,} count rows); "
        f"first month (every card new) {first.wall:7.2f} s ({r_first['changed']:,} written); rerun {again.wall:7.2f} s "
        f"({r_again['changed']} written); floor (the members scan alone into a temp table) {floor.wall:6.2f} s "
        f"(monthly/floor ×{ours.wall / floor.wall:4.1f}); naive per member (extrapolated) {naive_wall:8.1f} s "
        f"(×{naive_wall / ours.wall:5.1f}); target 3M ≤ 60 s: {'ok' if ours.wall <= 60 or n < 3_000_000 else 'MISSED'}"
        f" (load {os.getloadavg()[0]:.1f})"
    )
    if written != n or r_again["members"] != n or r_again["changed"] != 0 or r_first["changed"] != n:
        print("FAILED recompute: wrong number of cards")
        failed = True
    return scan(steps, n, root, members, failed)


def scan(steps: set[str], n: int, root, members: list, failed: bool) -> int:
    from apps.members import contact
    from apps.members.dues_models import DuesPayment

    if "scan" not in steps:
        return 1 if failed else 0
    # 4. lost-contact scan
    from apps.members.contact_models import ContactReview

    ContactReview.objects.filter(org_path__startswith=root.path).delete()
    with Clock() as scan_clock:
        found = contact.contact_scan(root_path=root.path)
    ours = scan_clock.wall
    t = time.perf_counter()
    from apps.members.contact_models import MemberContact

    since = datetime.date.today() - datetime.timedelta(days=183)
    for m in members:  # naive: three lookups per member
        DuesPayment.objects.filter(member=m, paid_on__gte=since).exists()
        MemberContact.objects.filter(member=m, contacted_on__gte=since).exists()
        ContactReview.objects.filter(member=m, decision="").exists()
    naive = (time.perf_counter() - t) / len(members) * n
    print(
        f"4. lost-contact scan over {n:,} members         ours {ours:7.2f} s   naive (extrapolated) {naive:8.1f} s   "
        f"×{naive / ours:5.1f}   opened {found['lost_contact']:,} "
        f"(CPU {scan_clock.cpu:.2f} s + db {scan_clock.db:.2f} s)   target ≤ 10 s: {'ok' if ours <= 10 else 'MISSED'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
