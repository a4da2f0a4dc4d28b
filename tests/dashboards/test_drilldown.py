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
    assert api.get("/api/v1/letters/", {"within": tree.district_b.code}).json()["results"] == []
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
