"""Members' yearly cycle at county size (issue 12), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_members_bench python bench/members_dues.py
    python bench/members_dues.py --tiny          # 300 members, for CI (< 60 s)
    python bench/members_dues.py --members 100000

Builds once (reused on the next run with the same size): a county with ~30 members per branch, each member
with an ID number (blind index only), a dues base for the year, one point entry. Then measures, each next to a
naive baseline (the same work one member at a time through the per-member service/ORM path, on a slice,
extrapolated linearly), and prints the ratio:

1. a month of dues for the whole county imported from one .xlsx (read, match by ID number, validate against
   the base, upsert, refresh the pre-aggregated roll-up) — target ≤ 5 s for 30k;
2. the collection-rate roll-up at the root: build (set-based refresh) and read p95 with 1 client (the page's
   selector, 2 queries) — target p95 ≤ 50 ms; baseline: the live aggregate over the subtree;
3. the monthly six-colour recompute (one INSERT … SELECT) — target 3M ≤ 60 s, figure here per member count;
4. the lost-contact scan (anti-joins) — target ≤ 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import io
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentile, setup_django

PER_BRANCH = 30


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


def month_file(root, period, limit=None) -> io.BytesIO:
    from apps.core.spreadsheets import write_xlsx
    from apps.members.demo import id_number_for_index
    from apps.members.models import Member

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
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--baseline", type=int, default=300, help="members in the naive baselines' slices")
    args = parser.parse_args()
    n = 300 if args.tiny else args.members
    base_n = min(args.baseline, 60 if args.tiny else args.baseline, n)
    setup_django("postgres://postgres@127.0.0.1:5432/dangjian_members_bench")

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User
    from apps.core.periods import Period
    from apps.members import cards, contact, dues_collection, dues_import, dues_stats
    from apps.members.dues_models import DuesPayment
    from apps.members.models import Member

    t = time.perf_counter()
    built = build(n)
    root = built["root"]
    print(
        f"data: {n:,} members under {root.name} ({'built' if built['built'] else 'reused'} in "
        f"{time.perf_counter() - t:.1f} s)"
    )
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench_admin", "", "x")
    period = Period.current().previous()
    failed = False

    # 1. month import
    DuesPayment.objects.filter(org_path__startswith=root.path, month=period.first_day).delete()
    f = month_file(root, period)
    t = time.perf_counter()
    result = dues_import.dues_import_file(acting_user=admin, kind="payments", upload=f)
    ours = time.perf_counter() - t
    if result.errors or result.saved != n:
        print(f"FAILED import: {len(result.errors)} errors, e.g. {result.errors[:3]}")
        failed = True
    members = list(Member.objects.filter(org_path__startswith=root.path).select_related("organization")[:base_n])
    prev = period.previous()
    DuesPayment.objects.filter(member__in=members, month=prev.first_day).delete()
    t = time.perf_counter()
    for m in members:  # naive: the page's service, one member per call
        dues_collection.dues_record_month(
            acting_user=admin,
            organization=m.organization,
            period=prev,
            payments=[
                dues_collection.PaymentInput(member_id=m.pk, amount="40", method="online", paid_on=prev.first_day)
            ],
        )
    naive = (time.perf_counter() - t) / len(members) * n
    print(
        f"1. month of dues, {n:,} rows in one import    ours {ours:7.2f} s   naive (per member, extrapolated) "
        f"{naive:8.1f} s   ×{naive / ours:5.1f}   target ≤ 5 s: {'ok' if ours <= 5 else 'MISSED'}"
    )

    # 2. roll-up at the root
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
    if total is None or total.paid < n:
        print("FAILED roll-up: root figures missing")
        failed = True

    # 3. six-colour recompute
    this = Period.current()
    t = time.perf_counter()
    written = cards.cards_recompute(period=this, root_path=root.path)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    cats = list(cards.CardCategory.objects.filter(is_active=True).order_by("order"))
    from django.db.models import Sum

    from apps.members.appraisal_models import PointEntry

    for m in members:  # naive: per member, sum the points and pick the category in Python
        s = PointEntry.objects.filter(member=m, year=this.year).aggregate(s=Sum("points"))["s"] or 0
        next((c for c in cats if c.min_points is None or s >= c.min_points), cats[-1])
    naive = (time.perf_counter() - t) / len(members) * n
    rate = written / ours if ours else 0
    print(
        f"3. six-colour recompute, {written:,} members      ours {ours:7.2f} s   naive (extrapolated) {naive:8.1f} s   "
        f"×{naive / ours:5.1f}   {rate:,.0f} members/s → 3M in ~{3_000_000 / rate if rate else 0:.0f} s "
        f"(linear extrapolation, target ≤ 60 s)"
    )
    if written != n:
        print("FAILED recompute: wrong number of cards")
        failed = True

    # 4. lost-contact scan
    from apps.members.contact_models import ContactReview

    ContactReview.objects.filter(org_path__startswith=root.path).delete()
    t = time.perf_counter()
    found = contact.contact_scan(root_path=root.path)
    ours = time.perf_counter() - t
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
        f"×{naive / ours:5.1f}   opened {found['lost_contact']:,}   target ≤ 10 s: {'ok' if ours <= 10 else 'MISSED'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
