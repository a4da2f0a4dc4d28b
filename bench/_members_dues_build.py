"""Province-size data for bench/members_dues.py (``--orgs N --members M``): the organizations tree of
``apps.organizations.demo.bulk_build(scale_spec(N))`` and M members COPYed in (``apps.members.demo.member_rows``,
blind index only), then, set-based in SQL: a dues base for the year, one paid month two months back for every
member not lost (so the lost-contact scan finds the realistic few), one points entry, and last year's decided
appraisal for every branch with one entry per member. The ID numbers and names of the members of one county
(the first) are kept in ``bench_county`` so the month file can be written for it.
"""

from __future__ import annotations

import datetime
import random
import time

COLUMNS = [
    "name", "gender", "ethnicity", "birth_date", "native_place", "education", "phone", "work_unit", "position",
    "occupation_category", "category", "joined_on", "confirmed_on", "probation_ends_on", "organization_id",
    "party_group_id", "org_path", "party_post", "status", "status_changed_on", "mobile_state", "mobile_place",
    "mobile_since", "mobile_contact", "lost_contact", "lost_contact_since", "lost_contact_reason", "points",
    "id_hash", "id_masked", "discipline",
]  # fmt: skip


def province_root():
    from django.db import connection

    from apps.organizations.models import Organization

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_county')")
        if cur.fetchone()[0] is None:
            return None, None
        cur.execute("SELECT county_id FROM bench_county LIMIT 1")
        row = cur.fetchone()
    if row is None:
        return None, None
    return Organization.objects.filter(depth=0).order_by("id").first(), Organization.objects.get(pk=row[0])


def build_province(orgs: int, members: int, *, today: datetime.date) -> dict:
    from django.db import connection
    from django.utils import timezone

    from apps.core.periods import Period
    from apps.members.crypto import blind_index
    from apps.members.demo import member_rows
    from apps.members.models import Member
    from apps.organizations.choices import OrgKind
    from apps.organizations.demo import bulk_build, scale_spec
    from apps.organizations.models import Organization

    root, county = province_root()
    if root is not None and Member.objects.count() >= members * 0.9:
        return {"root": root, "county": county, "built": False}
    print(f"building ~{orgs:,} organizations and ~{members:,} members …", flush=True)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_county")
        cur.execute("TRUNCATE organizations_organization RESTART IDENTITY CASCADE")
        cur.execute("TRUNCATE members_member RESTART IDENTITY CASCADE")
    t0 = time.perf_counter()
    root = bulk_build(scale_spec(orgs), rng=random.Random(1), today=today)
    county = Organization.objects.filter(depth=2).order_by("id").first()
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH).order_by("id").values_list("id", "path"))
    print(f"  {len(branches):,} branches in {time.perf_counter() - t0:.0f} s", flush=True)
    avg = max(2, members // len(branches))
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'members_member' "
            "AND indexname <> 'members_member_pkey'"
        )
        index_defs = list(cur.fetchall())
        for name, _ in index_defs:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        cur.execute("CREATE TABLE bench_county (county_id int, number text, name text)")
    connection.ensure_connection()
    cols = ", ".join([*COLUMNS, "id_number_enc", "id_key_id", "created_at", "updated_at"])
    county_rows = []
    written = 0
    with connection.connection.cursor() as cur, cur.copy(f"COPY members_member ({cols}) FROM STDIN") as copy:
        rows = member_rows(
            branches, rng=random.Random(2), today=today, per_branch=(avg // 2, avg + avg // 2), encrypt=False
        )
        for row in rows:
            number = row["id_number"]
            row["id_hash"] = blind_index(number)
            row["id_masked"] = number[:6] + "********" + number[-4:]
            row["discipline"] = ""
            copy.write_row([row.get(c, "") for c in COLUMNS] + ["", "", now, now])
            if row["org_path"].startswith(county.path):
                county_rows.append((county.pk, number, row["name"]))
            written += 1
            if written % 500_000 == 0:
                print(f"  … {written:,} members ({time.perf_counter() - t0:.0f} s)", flush=True)
    with connection.connection.cursor() as cur, cur.copy("COPY bench_county FROM STDIN") as copy:
        for r in county_rows:
            copy.write_row(r)
    with connection.cursor() as cur:
        for _, sql in index_defs:
            cur.execute(sql)
        print(f"  members and indexes in {time.perf_counter() - t0:.0f} s", flush=True)
        year = today.year
        paid_month = Period.of(today).shift(-2)
        cur.execute(
            "INSERT INTO members_duesbase (member_id, organization_id, org_path, year, category, base, "
            "monthly_amount, reduction, reduction_reason, approved_by_org, updated_at) "
            "SELECT id, organization_id, org_path, %s, 'employed', 4000, 40.00, '', '', '', now() "
            "FROM members_member",
            [year],
        )
        cur.execute(
            "INSERT INTO members_duespayment (member_id, organization_id, org_path, month, amount, method, paid_on, "
            "receipt_no, recorded_at) SELECT id, organization_id, org_path, %s, 40.00, 'online', %s, '', now() "
            "FROM members_member WHERE NOT lost_contact",
            [paid_month.first_day, paid_month.first_day + datetime.timedelta(days=9)],
        )
        cur.execute(
            "INSERT INTO members_pointentry (member_id, organization_id, org_path, source_ref, points, year, "
            "occurred_on, reason, created_at) SELECT id, organization_id, org_path, '', (id %% 50) - 5, %s, %s, "
            "'基准', now() FROM members_member",
            [year, datetime.date(year, 1, 15)],
        )
        cur.execute(
            "INSERT INTO members_appraisal (organization_id, org_path, year, status, meeting_on, note, created_at) "
            "SELECT id, path, %s, 'decided', %s, '', now() FROM organizations_organization WHERE kind = 'branch'",
            [year - 1, datetime.date(year - 1, 12, 20)],
        )
        cur.execute(
            "INSERT INTO members_appraisalentry (appraisal_id, member_id, org_path, self_assessment, "
            "votes_excellent, votes_qualified, votes_basic, votes_unqualified, proposed_level, final_level) "
            "SELECT a.id, m.id, m.org_path, '', 0, 0, 0, 0, lvl, lvl FROM members_member m "
            "JOIN members_appraisal a ON a.organization_id = m.organization_id AND a.year = %s, "
            "LATERAL (SELECT CASE WHEN m.id %% 10 = 0 THEN 'excellent' WHEN m.id %% 97 = 0 THEN 'basic' "
            "WHEN m.id %% 499 = 0 THEN 'unqualified' ELSE 'qualified' END AS lvl) l",
            [year - 1],
        )
        for t in (
            "members_member",
            "members_duesbase",
            "members_duespayment",
            "members_pointentry",
            "members_appraisal",
            "members_appraisalentry",
            "organizations_organization",
        ):
            cur.execute(f"VACUUM ANALYZE {t}")
    print(f"  built {written:,} members in {time.perf_counter() - t0:.0f} s", flush=True)
    return {"root": root, "county": county, "built": True}
