"""/api/v1/stats/...: the same figures as the charts, scoped, in the schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.dashboards.refresh import stats_refresh

from .conftest import SCOPES, more_branches, recount

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/stats/members/", "/api/v1/stats/organizations/", "/api/v1/stats/trends/"]


@pytest.mark.parametrize("scope", SCOPES)
def test_member_stats_total_and_breakdowns_equal_recount(tree, users, refreshed, api_for, scope):
    org = getattr(tree, scope)
    resp = api_for(users.leader).get(f"/api/v1/stats/members/?org={org.code}&as_of={refreshed.today}")
    assert resp.status_code == 200
    body = resp.json()
    expected = recount(org.path, refreshed.today)
    assert body["total"] == expected["total"]
    assert body["as_of"] == str(refreshed.today)
    for dim, items in body["breakdowns"].items():
        for item in items:
            assert item["count"] == expected[f"{dim}:{item['key']}"], (dim, item)


def test_member_stats_lists_children_in_scope_only(tree, users, refreshed, api_for):
    body = api_for(users.district_staff).get(f"/api/v1/stats/members/?org={tree.street_a.code}").json()
    assert {c["code"]: c["total"] for c in body["children"]} == {tree.branch_a.code: 6, tree.branch_b.code: 2}


def test_organization_stats_figures_match_the_dashboard(tree, users, refreshed, api_for):
    body = api_for(users.leader).get(f"/api/v1/stats/organizations/?org={tree.street_a.code}").json()
    figures = {f["name"]: f["value"] for f in body["figures"]}
    assert float(figures["organizations.kind.branch"]) == 2
    assert float(figures["organizations.kind.party_group"]) == 1
    assert float(figures["members.recruitment.activist"]) == 1


def test_trends_returns_twelve_months(tree, users, refreshed, api_for):
    body = api_for(users.leader).get(f"/api/v1/stats/trends/?org={tree.city.code}").json()
    assert len(body["months"]) == 12
    names = {s["name"] for s in body["series"]}
    assert "responsibility.ledger_compliance_rate" in names and "supervision.letters.warning" in names


@pytest.mark.parametrize("url", ENDPOINTS)
def test_sibling_gets_404_from_stats_api(tree, users, refreshed, api_for, url):
    assert api_for(users.district_b_staff).get(f"{url}?org={tree.district_a.code}").status_code == 404


@pytest.mark.parametrize("url", ENDPOINTS)
def test_secretary_without_permission_gets_403_from_stats_api(tree, users, refreshed, api_for, url):
    assert api_for(users.secretary_a).get(url).status_code == 403


def test_bad_as_of_is_a_400_naming_the_field(tree, users, refreshed, api_for):
    resp = api_for(users.leader).get("/api/v1/stats/members/?as_of=yesterday")
    assert resp.status_code == 400
    assert "as_of" in resp.json()


def test_stats_endpoints_are_in_the_schema(tree, users, api_for):
    resp = api_for(users.admin).get("/api/schema/", HTTP_ACCEPT="application/json")
    text = resp.content.decode()
    for url in ENDPOINTS:
        assert url in text


@pytest.mark.parametrize("url", ENDPOINTS)
def test_stats_api_query_count_does_not_grow(tree, users, world, api_for, url):
    api = api_for(users.city_staff)
    stats_refresh()

    def count():
        api.get(f"{url}?org={tree.street_a.code}")
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"{url}?org={tree.street_a.code}").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    more_branches(tree, 28)
    stats_refresh()
    assert count() == few


def test_member_stats_schema_documents_org_as_of_and_total(tree, users, api_for):
    schema = api_for(users.admin).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    op = schema["paths"]["/api/v1/stats/members/"]["get"]
    assert {"org", "as_of"} <= {p["name"] for p in op["parameters"]}
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    props = schema["components"]["schemas"][ref]["properties"]
    assert {"total", "as_of", "refreshed_at", "breakdowns", "children"} <= set(props)
    assert props["total"]["type"] == "integer"


def test_trends_take_as_of_and_use_the_latest_snapshot_on_or_before_it(tree, users, world, api_for):
    import datetime

    from tests.factories.supervision import make_letter

    make_letter(tree.district_a, tree.branch_a, kind="warning", period="2025-05", issued_on=datetime.date(2025, 5, 9))
    make_letter(tree.city, tree.branch_c, kind="warning", period="2025-05", issued_on=datetime.date(2025, 5, 9))
    stats_refresh(as_of=datetime.date(2025, 6, 30), months=1)
    stats_refresh(as_of=datetime.date(2025, 12, 31), months=1)
    api = api_for(users.district_staff)
    body = api.get(f"/api/v1/stats/trends/?org={tree.district_a.code}&as_of=2025-10-01").json()
    assert body["as_of"] == "2025-06-30"  # the latest snapshot on or before the date, as /members/ takes
    assert body["months"][-1] == "2025-06" and len(body["months"]) == 12
    warning = next(s for s in body["series"] if s["name"] == "supervision.letters.warning")
    assert warning["values"][body["months"].index("2025-05")] == 1  # branch_c's letter is the sibling's
    members = api.get(f"/api/v1/stats/members/?org={tree.district_a.code}&as_of=2025-10-01").json()
    organizations = api.get(f"/api/v1/stats/organizations/?org={tree.district_a.code}&as_of=2025-10-01").json()
    assert members["as_of"] == organizations["as_of"] == body["as_of"]
    latest = api.get(f"/api/v1/stats/trends/?org={tree.district_a.code}").json()
    assert latest["as_of"] == "2025-12-31" and latest["months"][-1] == "2025-12"
    sibling = api_for(users.district_b_staff).get(f"/api/v1/stats/trends/?org={tree.district_b.code}&as_of=2025-10-01")
    values = next(s for s in sibling.json()["series"] if s["name"] == "supervision.letters.warning")["values"]
    assert values[sibling.json()["months"].index("2025-05")] == 1


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("bad", ["yesterday", "2026-02-30", "2026-13-01"])
def test_every_stats_endpoint_refuses_a_bad_as_of_naming_the_field_in_chinese(tree, users, api_for, url, bad):
    resp = api_for(users.leader).get(f"{url}?as_of={bad}")
    assert resp.status_code == 400
    assert "统计日期" in resp.json()["as_of"][0]


def test_trends_schema_documents_as_of(tree, users, api_for):
    schema = api_for(users.admin).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    op = schema["paths"]["/api/v1/stats/trends/"]["get"]
    assert {"org", "as_of", "months"} <= {p["name"] for p in op["parameters"]}
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"as_of", "refreshed_at", "months", "series"} <= set(schema["components"]["schemas"][ref]["properties"])
