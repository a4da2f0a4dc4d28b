"""The dashboard, comparison, 党内统计 and hall screen pages: figures equal a recount, scope is enforced, the
tables add up and reconcile, queries are bounded."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core import metrics as registry
from apps.core.metrics import Metric
from apps.dashboards.refresh import stats_refresh
from apps.members.models import Member, Transfer

from .conftest import SCOPES, more_branches, recount

pytestmark = pytest.mark.django_db

PAGES = ["dashboards:dashboard", "dashboards:comparison", "dashboards:party_stats", "dashboards:screen"]


def _get(client, name, org, **params):
    query = "&".join(f"{k}={v}" for k, v in {"org": org.code, **params}.items())
    return client.get(reverse(name) + "?" + query)


@pytest.mark.parametrize("scope", SCOPES)
def test_dashboard_figures_equal_recount(tree, users, refreshed, client_for, scope):
    org = getattr(tree, scope)
    resp = _get(client_for(users.leader), "dashboards:dashboard", org)
    assert resp.status_code == 200
    expected = recount(org.path, refreshed.today)
    head = {h["key"]: h["value"] for h in resp.context["headline"]}
    assert head["total"] == expected["total"]
    assert head["category:full"] == expected["category:full"]
    assert head["category:probationary"] == expected["category:probationary"]
    assert head["joined_this_year:yes"] == expected["joined_this_year:yes"]
    panels = {p["id"]: p for p in resp.context["chart_data"]["panels"]}
    for pid in ("members-gender", "members-age", "members-education", "members-ethnicity", "members-standing",
                "members-sector", "members-category"):  # fmt: skip
        for item in panels[pid]["items"]:
            assert item["value"] == expected[item["key"]], (pid, item["key"])
    assert b'id="dashboard-data"' in resp.content
    assert "数据截至" in resp.content.decode()


def test_dashboard_bars_link_to_filtered_lists_in_scope(tree, users, refreshed, client_for):
    client = client_for(users.leader)
    resp = _get(client, "dashboards:dashboard", tree.street_a)
    panels = {p["id"]: p for p in resp.context["chart_data"]["panels"]}
    female = next(i for i in panels["members-gender"]["items"] if i["key"] == "gender:2")
    assert f"within={tree.street_a.pk}" in female["url"] and "gender=2" in female["url"]
    listed = client.get(female["url"])
    assert listed.status_code == 200
    assert len(listed.context["object_list"]) == female["value"]
    kind = next(i for i in panels["orgs-kind"]["items"] if i["key"] == "organizations.kind.branch")
    assert "kind=branch" in kind["url"] and tree.street_a.code in kind["url"]
    assert len(client.get(kind["url"]).context["object_list"]) == kind["value"]


@pytest.mark.parametrize("name", PAGES)
def test_sibling_district_staff_gets_404_on_other_subtree(tree, users, refreshed, client_for, name):
    resp = _get(client_for(users.district_b_staff), name, tree.district_a)
    assert resp.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_branch_secretary_without_permission_is_refused(tree, users, refreshed, client_for, name):
    assert _get(client_for(users.secretary_a), name, tree.branch_a).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_before_any_refresh(tree, users, client_for, name):
    assert _get(client_for(users.city_staff), name, tree.city).status_code == 200


def test_default_scope_is_the_users_own_organization(tree, users, refreshed, client_for):
    resp = client_for(users.district_staff).get(reverse("dashboards:dashboard"))
    assert resp.context["org"] == tree.district_a


@pytest.mark.parametrize("name", PAGES[:3])  # the big screen has no scope bar
def test_another_scope_is_picked_by_name_and_stays_in_scope(tree, users, refreshed, client_for, name):
    """docs/ui.md: organizations are chosen by name. The jump box asked for a 党组织代码."""
    client = client_for(users.district_staff)
    html = client.get(reverse(name)).content.decode()
    assert 'id="jump-org"' in html and "data-org-picker" in html and "党组织代码" not in html
    resp = client.get(reverse(name) + f"?org_search={tree.street_a.name}")
    assert resp.context["org"] == tree.street_a
    assert client.get(reverse(name) + f"?org_search={tree.district_b.name}").status_code == 404  # a sibling


def test_optional_panels_appear_only_when_their_metric_is_registered(tree, users, refreshed, client_for, monkeypatch):
    client = client_for(users.leader)
    for name in list(registry._METRICS):  # the apps that may or may not be installed
        if name.startswith(("funding.", "service_requests.", "assessment.")):
            monkeypatch.delitem(registry._METRICS, name)
    stats_refresh()
    ids = {p["id"] for p in _get(client, "dashboards:dashboard", tree.city).context["chart_data"]["panels"]}
    assert "rates-other" not in ids
    fake = Metric(
        name="funding.execution_rate", label="经费执行率", unit="%", kind="rate",
        source=lambda *, root_path, start, end: {tree.branch_a.path: (3, 4)},
    )  # fmt: skip
    monkeypatch.setitem(registry._METRICS, fake.name, fake)
    stats_refresh()
    panels = {p["id"]: p for p in _get(client, "dashboards:dashboard", tree.city).context["chart_data"]["panels"]}
    assert panels["rates-other"]["items"][0]["value"] == 75.0
    cols = [c["key"] for c in _get(client, "dashboards:comparison", tree.city).context["columns"]]
    assert "funding.execution_rate" in cols


def test_comparison_sorts_children_and_marks_the_worst(tree, users, refreshed, client_for):
    client = client_for(users.city_staff)
    resp = _get(client, "dashboards:comparison", tree.street_a, sort="total", dir="asc")
    rows = resp.context["rows"]
    assert [r["org"] for r in rows] == [tree.branch_b, tree.branch_a]
    assert [r["values"][0] for r in rows] == [2, 6]
    resp = _get(client, "dashboards:comparison", tree.street_a, sort="total", dir="desc")
    assert [r["org"] for r in resp.context["rows"]] == [tree.branch_a, tree.branch_b]


def test_comparison_highlights_the_child_with_most_warning_letters(tree, users, refreshed, client_for):
    from tests.factories.supervision import make_letter

    today = timezone.localdate()
    make_letter(tree.street_a, tree.branch_b, kind="warning", period=f"{today:%Y-%m}", issued_on=today)
    stats_refresh()
    resp = _get(client_for(users.city_staff), "dashboards:comparison", tree.street_a)
    keys = [c["key"] for c in resp.context["columns"]]
    i = keys.index("supervision.letters.warning")
    worst = [r["org"] for r in resp.context["rows"] if r["cells"][i]["worst"]]
    assert worst == [tree.branch_b]
    assert "table-danger" in resp.content.decode()


@pytest.mark.parametrize("scope", ["city", "district_a", "street_a", "branch_b"])
def test_party_stats_tables_equal_recount_and_rows_add_up(tree, users, refreshed, client_for, scope):
    org = getattr(tree, scope)
    resp = _get(client_for(users.city_staff), "dashboards:party_stats", org)
    assert resp.status_code == 200
    tables = resp.context["tables"]
    expected = recount(org.path, refreshed.today)
    member_tables = [t for t in tables if t.id.startswith("members-")]
    assert len(member_tables) == 7
    for t in tables:
        for row in t.rows:
            assert sum(row["cells"]) == row["total"], (t.id, row["label"])
    for t in member_tables:
        assert t.rows[0]["total"] == expected["total"]
        children = t.rows[1:]
        if children and org.kind != "branch":
            for col in range(len(t.columns)):
                own = 0  # committees hold no members of their own in this tree
                assert t.rows[0]["cells"][col] == sum(r["cells"][col] for r in children) + own
    gender = next(t for t in tables if t.id == "members-gender")
    assert gender.rows[0]["cells"][:2] == [expected["gender:1"], expected["gender:2"]]


def test_party_stats_child_rows_exclude_other_subtrees(tree, users, refreshed, client_for):
    resp = _get(client_for(users.district_staff), "dashboards:party_stats", tree.street_a)
    labels = [r["label"] for r in resp.context["tables"][0].rows]
    assert labels[0] == "合计"
    assert sorted(labels[1:]) == sorted([tree.branch_a.name, tree.branch_b.name])


def test_year_changes_reconcile_last_year_end_to_this_year(tree, users, world, client_for):
    today = world.today
    last_year_end = datetime.date(today.year - 1, 12, 31)
    stats_refresh(as_of=last_year_end, months=1)
    # this year's changes
    from tests.factories.members import make_member

    make_member(tree.branch_a, joined_on=datetime.date(today.year, 1, 2), category="probationary")
    Member.objects.filter(pk=world.a[1].pk).update(status="deceased", status_changed_on=today)
    Member.objects.filter(pk=world.a[3].pk).update(status="membership_stopped", status_changed_on=today)
    moved = world.b[0]
    Transfer.objects.create(
        member=moved, from_org=tree.branch_b, to_org=tree.branch_c, status="received", closed_at=timezone.now()
    )
    Member.objects.filter(pk=moved.pk).update(organization=tree.branch_c, org_path=tree.branch_c.path)
    stats_refresh()
    resp = _get(client_for(users.city_staff), "dashboards:party_stats", tree.street_a)
    changes = resp.context["changes"]
    for row in changes.rows:
        assert row["start_stored"] is not None, row["label"]
        assert row["difference"] == 0, (row["label"], row)
    scope = changes.rows[0]
    # 发展 (the member admitted on 2 January this year, and branch_a's earlier probationary member of 1 January),
    # transfers, deaths and stops as made above
    assert scope["cells"] == [3, 0, 1, 1, 1]
    city = _get(client_for(users.city_staff), "dashboards:party_stats", tree.city).context["changes"].rows[0]
    assert city["difference"] == 0
    assert city["cells"][1] == city["cells"][2] == 1  # the move stays inside the city: in and out


def test_party_stats_excel_has_every_table(tree, users, refreshed, client_for):
    from openpyxl import load_workbook

    resp = _get(client_for(users.city_staff), "dashboards:party_stats", tree.street_a, format="xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    assert len(wb.sheetnames) == 10
    ws = wb[wb.sheetnames[0]]
    rows = list(ws.iter_rows(values_only=True))
    assert "性别" in rows[0][0]
    header, total_row = rows[2], rows[3]
    assert header[1] == "党员总数"
    assert total_row[1] == sum(total_row[2:]) == 8
    from apps.core.models import AuditLog

    assert AuditLog.objects.filter(event="dashboards.party_stats_export").count() == 1


def test_party_stats_bad_date_shows_a_chinese_message(tree, users, refreshed, client_for):
    resp = _get(client_for(users.city_staff), "dashboards:party_stats", tree.city, as_of="2026-13-40")
    assert resp.status_code == 200
    assert "统计日期格式应为" in resp.content.decode()


def test_party_stats_uses_the_latest_snapshot_on_or_before_the_date(tree, users, world, client_for):
    stats_refresh(as_of=datetime.date(2025, 6, 30), months=1)
    stats_refresh(as_of=datetime.date(2025, 12, 31), months=1)
    resp = _get(client_for(users.city_staff), "dashboards:party_stats", tree.city, as_of="2025-10-01")
    assert resp.context["data"].member_as_of == datetime.date(2025, 6, 30)


def test_leader_home_page_is_the_dashboard(tree, users, refreshed, client_for):
    resp = client_for(users.leader).get(reverse("core:home"))
    body = resp.content.decode()
    assert 'id="home-dashboard"' in body and 'id="dashboard-data"' in body and "dash-chart" in body


def test_staff_home_links_into_their_scope_dashboard(tree, users, refreshed, client_for):
    body = client_for(users.district_staff).get(reverse("core:home")).content.decode()
    assert f"{reverse('dashboards:dashboard')}?org={tree.district_a.code}" in body
    assert 'id="dashboard-data"' not in body


def test_secretary_home_has_no_dashboard_panel(tree, users, refreshed, client_for):
    assert 'id="home-dashboard"' not in client_for(users.secretary_a).get(reverse("core:home")).content.decode()


def _count(client, name, org):
    _get(client, name, org)
    with CaptureQueriesContext(connection) as ctx:
        resp = _get(client, name, org)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", PAGES)
def test_page_query_count_does_not_grow_with_children_or_members(tree, users, world, client_for, name):
    client = client_for(users.city_staff)
    stats_refresh()
    few = _count(client, name, tree.street_a)
    more_branches(tree, 28)
    stats_refresh()
    assert _count(client, name, tree.street_a) == few


def test_every_panel_shows_when_its_data_is_from(tree, users, refreshed, client_for):
    import re

    from apps.dashboards.models import MemberStatsSnapshot

    t = timezone.localtime(MemberStatsSnapshot.objects.get(organization=tree.city).refreshed_at)
    stamp = f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"
    html = client_for(users.leader).get(reverse("dashboards:dashboard") + f"?org={tree.city.code}").content.decode()
    cards = html.split('data-panel-card="')[1:]
    assert len(cards) >= 12
    for card in cards:
        footer = re.search(r"card-footer[^>]*>\s*数据截至 ([^<]+)<", card)
        assert footer and footer.group(1).strip() == stamp, card[:80]
    screen = client_for(users.leader).get(reverse("dashboards:screen") + f"?org={tree.city.code}").content.decode()
    assert f"数据截至 {stamp}" in screen
