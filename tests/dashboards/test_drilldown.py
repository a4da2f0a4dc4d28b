"""Every member bar of the dashboard links to the roster list it counts: following the link lists exactly
that many members, in the scope's subtree only (a sibling's members are never listed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.dashboards.refresh import stats_refresh
from apps.organizations.models import Organization

pytestmark = pytest.mark.django_db

MEMBER_PANELS = ["members-category", "members-gender", "members-age", "members-education", "members-ethnicity",
                 "members-sector", "members-standing"]  # fmt: skip


def _listed(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, url
    return {m.pk for m in resp.context["object_list"]}, resp.context["paginator"].count


@pytest.mark.parametrize("scope", ["city", "street_a", "branch_b", "district_b"])
def test_every_member_bar_lists_exactly_what_it_counts(tree, users, world, client_for, scope):
    Organization.objects.filter(pk=tree.branch_a.pk).update(sector="school")
    Organization.objects.filter(pk=tree.branch_c.pk).update(sector="rural")
    stats_refresh()
    org = getattr(tree, scope)
    client = client_for(users.leader)
    resp = client.get(reverse("dashboards:dashboard") + f"?org={org.code}")
    panels = {p["id"]: p for p in resp.context["chart_data"]["panels"]}
    checked = 0
    for pid in MEMBER_PANELS:
        for item in panels[pid]["items"]:
            assert item["url"], (pid, item["key"])  # every bar drills down
            assert f"within={org.pk}" in item["url"]
            _pks, count = _listed(client, item["url"])
            assert count == item["value"], (pid, item["key"], item["url"])
            checked += bool(count)
    assert checked >= (4 if scope in ("city", "street_a") else 2)
    for head in resp.context["headline"]:
        if head["key"].startswith(("total", "category:", "joined_this_year")):
            assert _listed(client, head["url"])[1] == head["value"], head["key"]


def test_sector_and_minority_bars_do_not_list_a_siblings_members(tree, users, world, client_for):
    Organization.objects.filter(pk__in=[tree.branch_a.pk, tree.branch_c.pk]).update(sector="school")
    stats_refresh()
    client = client_for(users.district_staff)  # district_a: branch_c (district_b) is a sibling subtree
    resp = client.get(reverse("dashboards:dashboard") + f"?org={tree.district_a.code}")
    panels = {p["id"]: p for p in resp.context["chart_data"]["panels"]}
    school = next(i for i in panels["members-sector"]["items"] if i["key"] == "sector:school")
    pks, count = _listed(client, school["url"])
    assert count == school["value"] == 6
    assert not pks & {m.pk for m in world.c}
    # the same list asked for the sibling subtree is empty for this user
    sibling_url = school["url"].replace(f"within={tree.district_a.pk}", f"within={tree.district_b.pk}")
    assert _listed(client, sibling_url)[1] == 0


def test_letter_bars_list_the_subtrees_letters_of_that_month(tree, users, world, client_for, api_for):
    from tests.factories.supervision import make_letter

    month = world.today.replace(day=1)
    period = f"{month:%Y-%m}"
    make_letter(tree.district_a, tree.branch_a, kind="warning", period=period, issued_on=month)
    make_letter(tree.district_a, tree.branch_b, kind="warning", period=period, issued_on=month)
    make_letter(tree.city, tree.branch_c, kind="warning", period=period, issued_on=month)  # the sibling district
    stats_refresh()
    client = client_for(users.district_staff)
    resp = client.get(reverse("dashboards:dashboard") + f"?org={tree.district_a.code}")
    panel = next(p for p in resp.context["chart_data"]["panels"] if p["id"] == "trend-letters")
    series = next(s for s in panel["series"] if s["key"] == "supervision.letters.warning")
    assert series["data"][-1] == 2
    url = series["urls"][-1]
    assert f"within={tree.district_a.code}" in url and f"issued={period}" in url
    listed = client.get(url)
    assert listed.status_code == 200
    assert listed.context["paginator"].count == 2
    # the same filter for the sibling district lists nothing, on the page and in the API
    sibling = url.replace(tree.district_a.code, tree.district_b.code)
    assert client.get(sibling).context["paginator"].count == 0
    api = api_for(users.district_staff)
    refused = api.get("/api/v1/letters/", {"within": tree.district_b.code})  # out of scope: named, not listed
    assert refused.status_code == 400 and "within" in refused.json()
    assert len(api.get("/api/v1/letters/", {"within": tree.district_a.code, "issued": period}).json()["results"]) == 2


def test_star_and_unfilled_sector_bars_list_what_they_count(tree, users, world, client_for):
    Organization.objects.filter(pk__in=[tree.branch_a.pk, tree.branch_b.pk, tree.branch_c.pk]).update(star_rating=3)
    Organization.objects.filter(pk__in=[tree.branch_b.pk, tree.branch_c.pk]).update(sector="")
    stats_refresh()
    client = client_for(users.district_staff)
    resp = client.get(reverse("dashboards:dashboard") + f"?org={tree.district_a.code}")
    panels = {p["id"]: p for p in resp.context["chart_data"]["panels"]}
    star = next(i for i in panels["orgs-star"]["items"] if i["key"] == "organizations.star.3")
    none = next(i for i in panels["orgs-sector"]["items"] if i["key"] == "organizations.sector.none")
    for item, expected in ((star, 2), (none, 1)):  # branch_c is in the sibling district
        assert item["value"] == expected
        assert len(client.get(item["url"]).context["object_list"]) == expected, item["url"]


def _transfers(tree, world):
    """Received into branch_a from branch_c (the other district), received into branch_b from branch_a, sent
    out of the system from branch_b, and two that no figure counts: closed last year, and still requested."""
    import datetime

    from django.utils import timezone

    from apps.members.models import Transfer

    now = timezone.now()
    last_year = now.replace(year=now.year - 1)
    rows = [
        (world.c[0], tree.branch_c, tree.branch_a, "internal", "received", now),
        (world.a[0], tree.branch_a, tree.branch_b, "internal", "received", now),
        (world.b[0], tree.branch_b, None, "outside", "issued", now),
        (world.a[1], tree.branch_a, tree.branch_c, "internal", "received", last_year),
        (world.a[2], tree.branch_b, tree.branch_a, "internal", "requested", None),
    ]
    for member, src, dst, kind, status, closed in rows:
        Transfer.objects.create(
            member=member, from_org=src, to_org=dst, kind=kind, status=status, closed_at=closed,
            outside_destination="" if dst else "外省某单位", valid_until=datetime.date.today(),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("user", "scope", "expected_in", "expected_out"),
    [("leader", "city", 2, 3), ("district_staff", "district_a", 2, 2), ("street_staff", "street_a", 2, 2),
     ("district_b_staff", "district_b", 0, 1)],
)  # fmt: skip
def test_transfer_bars_list_the_transfers_they_count(
    tree, users, world, client_for, api_for, user, scope, expected_in, expected_out
):
    _transfers(tree, world)
    stats_refresh()
    org = getattr(tree, scope)
    client = client_for(getattr(users, user))
    resp = client.get(reverse("dashboards:dashboard") + f"?org={org.code}")
    panel = next(p for p in resp.context["chart_data"]["panels"] if p["id"] == "members-changes")
    items = {i["key"]: i for i in panel["items"]}
    for key, expected in (
        ("members.transferred_in_count", expected_in),
        ("members.transferred_out_count", expected_out),
    ):
        item = items[key]
        assert item["value"] == expected, key
        assert f"within_code={org.code}" in item["url"] and "closed_from=" in item["url"], item["url"]
        _pks, count = _listed(client, item["url"])
        assert count == item["value"], (key, item["url"])
        api = api_for(getattr(users, user)).get("/api/v1/transfers/?" + item["url"].split("?", 1)[1])
        assert api.status_code == 200 and api.json()["count"] == expected, key  # the same filter in the API


def test_transfer_bar_link_for_a_sibling_subtree_lists_nothing(tree, users, world, client_for, api_for):
    _transfers(tree, world)
    stats_refresh()
    client = client_for(users.district_staff)  # district_a; district_b is the sibling subtree
    resp = client.get(reverse("dashboards:dashboard") + f"?org={tree.district_a.code}")
    panel = next(p for p in resp.context["chart_data"]["panels"] if p["id"] == "members-changes")
    url = next(i["url"] for i in panel["items"] if i["key"] == "members.transferred_out_count")
    sibling = client.get(url.replace(tree.district_a.code, tree.district_b.code))
    assert sibling.status_code == 200
    assert sibling.context["paginator"].count == 0
    assert "不在您的管理范围内" in sibling.content.decode()
    api = api_for(users.district_staff).get("/api/v1/transfers/?" + url.split("?", 1)[1].replace(
        tree.district_a.code, tree.district_b.code))  # fmt: skip
    assert api.status_code == 400 and "within_code" in api.json()
