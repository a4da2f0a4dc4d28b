"""Organization tree at province scale (issue 2).

    python bench/organizations.py            # ~100,000 organizations over 5 levels (PostgreSQL)
    python bench/organizations.py --orgs 10000 --per-client 10   # quick

Builds the tree once in the database `dangjian_bench` (override with DATABASE_URL), then measures, for a
user at the root and a user at a county, with 8 concurrent clients: the scoped organization list (first
page, a deep page, a name search), the tree's children partial, the API list, and the home page (subtree
counts). Baseline in the same run: the same list computed the naive way (collect the subtree by walking
children level by level in Python, then an exact COUNT and OFFSET over an id IN (...) list).
"""

from __future__ import annotations

import argparse
import datetime
import random
import time

from _common import Server, add_tiny_flag, count_queries, fmt, http_load, session_cookie, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=25)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    add_tiny_flag(parser)
    args = parser.parse_args()
    if args.tiny:
        args.orgs, args.clients, args.per_client, args.workers = 300, 2, 3, 1
    setup_django()

    from django.db import connection

    from apps.accounts.models import User
    from apps.accounts.services import user_create
    from apps.organizations.demo import bulk_build, scale_spec
    from apps.organizations.models import Organization

    n = Organization.objects.count()
    if args.rebuild or abs(n - args.orgs) > args.orgs * 0.2:
        print(f"building a tree of ~{args.orgs} organizations …")
        User.objects.all().delete()
        with connection.cursor() as cur:
            cur.execute("TRUNCATE organizations_organization RESTART IDENTITY CASCADE")
        t0 = time.perf_counter()
        bulk_build(scale_spec(args.orgs), rng=random.Random(1), today=datetime.date(2026, 11, 23))
        with connection.cursor() as cur:
            cur.execute("ANALYZE organizations_organization")
        print(f"  built {Organization.objects.count()} organizations in {time.perf_counter() - t0:.1f}s")
    root = Organization.objects.get(parent__isnull=True)
    county = Organization.objects.filter(depth=2).order_by("id").first()
    users = {}
    for key, org in (("root", root), ("county", county)):
        users[key] = User.objects.filter(username=f"bench_{key}").first() or user_create(
            acting_user=None, username=f"bench_{key}", password="x-Bench-2026", role="org_staff", organization=org
        )
    print(
        f"tree: {Organization.objects.count()} organizations, "
        f"depth {Organization.objects.order_by('-depth').first().depth + 1}; "
        f"root subtree {root.descendant_count + 1}, county subtree {county.descendant_count + 1}"
    )
    print(
        f"gunicorn workers: {args.workers}, concurrent clients: {args.clients}, "
        f"requests per client: {args.per_client}\n"
    )

    def naive_list(user):
        # Walk the tree level by level, then exact count + offset over the id list.
        ids, frontier = [user.organization_id], [user.organization_id]
        while frontier:
            frontier = list(Organization.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
            ids.extend(frontier)
        qs = Organization.objects.filter(id__in=ids).order_by("path")
        qs.count()
        return list(qs[0:50])

    results = {}
    server = Server(workers=args.workers)
    server.__enter__()
    try:
        for key in ("root", "county"):
            user = users[key]
            org = user.organization
            cookie = session_cookie(user)
            deep = max(1, min(150, org.descendant_count // 50 - 1))
            api_page = max(1, min(100, org.descendant_count // 50 - 1))
            cases = {
                "list, first page": lambda i: "/organizations/list/",
                f"list, deep page ({deep})": lambda i, d=deep: f"/organizations/list/?page={d}",
                "list, name search": lambda i: f"/organizations/list/?q=第{i % 9 + 1}党支部",
                "tree search (name)": lambda i: f"/organizations/?q=第{i % 7 + 2}县第{i % 5 + 1}街道",
                "tree children (expand)": lambda i, o=org: f"/organizations/{o.pk}/children/",
                "API list, first page": lambda i: "/api/v1/organizations/",
                f"API list, page {api_page}": lambda i, p=api_page: f"/api/v1/organizations/?page={p}",
                "home (subtree counts)": lambda i: "/",
            }
            print(f"--- user at the {key} ({org.name}) ---")
            for name, path_for in cases.items():
                r = http_load(path_for, cookie=cookie, clients=args.clients, per_client=args.per_client)
                r["queries"] = count_queries(user, path_for(0))
                results[(key, name)] = r
                print(fmt(name, r))
            t0 = time.perf_counter()
            naive_list(user)
            base_ms = (time.perf_counter() - t0) * 1000
            ours = results[(key, "list, first page")]["p50"]
            print(
                f"{'baseline: naive walk + exact count, no render':<44} {base_ms:7.1f} ms  (ours, whole page: "
                f"{ours:.1f} ms p50 → {base_ms / ours:.1f}×)\n"
            )
    finally:
        server.__exit__()

    worst = max(r["p95"] for r in results.values())
    worst_q = max(r["queries"] for (_k, name), r in results.items() if not name.startswith("home"))
    home_q = max(r["queries"] for (_k, name), r in results.items() if name.startswith("home"))
    print(
        f"worst p95 {worst:.1f} ms (target ≤ 50), max queries per organization page {worst_q} (target ≤ 8 with "
        f"auth); home {home_q} (a panel from every app, ceiling 20 per role: tests/core/test_home_queries.py)"
    )


if __name__ == "__main__":
    main()
