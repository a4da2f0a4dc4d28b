"""The year's changes (发展, 转入, 转出, 停止党籍/出党, 死亡) link to the list behind each figure, on the dashboard
and in 党内统计's reconciliation table: following a link lists exactly as many rows as the figure counts, in
the scope's subtree only (a sibling's members are never counted nor listed)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from apps.dashboards.refresh import stats_refresh
from apps.members.models import Member
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

CHANGES = ["members.admitted_count", "members.stopped_or_left_count", "members.deceased_count"]


def _changes(tree, world):
    """This year: admitted in branch_a (1 Jan), branch_b (1 Feb) and branch_c (today); expelled in branch_a and
    stopped in branch_c; died in branch_a and branch_c. Not this year: branch_b's withdrawal and the fixture's
    death in branch_a (last year), and a member admitted last year."""
    today = world.today
    last_year = today.replace(year=today.year - 1)
    make_member(tree.branch_c, joined_on=today, category="probationary")
    make_member(tree.branch_b, joined_on=last_year, category="probationary")
    Member.objects.filter(pk=world.a[3].pk).update(status="expelled", status_changed_on=today)
    Member.objects.filter(pk=world.c[0].pk).update(status="membership_stopped", status_changed_on=today)
    Member.objects.filter(pk=world.b[0].pk).update(status="withdrawn", status_changed_on=last_year)
    Member.objects.filter(pk=world.a[1].pk).update(status="deceased", status_changed_on=today)
    Member.objects.filter(pk=world.c[1].pk).update(status="deceased", status_changed_on=today)
    stats_refresh()


def _count(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.context["paginator"].count, {m.pk for m in resp.context["object_list"]}


# (user, scope, expected 发展 / 停止党籍·出党 / 死亡)
CASES = [
    ("leader", "city", [3, 2, 2]),
    ("district_staff", "district_a", [2, 1, 1]),
    ("street_staff", "street_a", [2, 1, 1]),
    ("district_b_staff", "district_b", [1, 1, 1]),
]


@pytest.mark.parametrize(("user", "scope", "expected"), CASES)
def test_change_bars_list_the_members_they_count(tree, users, world, client_for, api_for, user, scope, expected):
    _changes(tree, world)
    org = getattr(tree, scope)
    client = client_for(getattr(users, user))
    resp = client.get(reverse("dashboards:dashboard") + f"?org={org.code}")
    panel = next(p for p in resp.context["chart_data"]["panels"] if p["id"] == "members-changes")
    items = {i["key"]: i for i in panel["items"]}
    assert [items[k]["value"] for k in CHANGES] == expected
    for key in CHANGES:
        item = items[key]
        assert f"within={org.pk}" in item["url"] and "counted=" in item["url"], item["url"]
        count, _pks = _count(client, item["url"])
        assert count == item["value"], (key, item["url"])
        # the same filter in the API
        api = api_for(getattr(users, user)).get("/api/v1/members/?" + item["url"].split("?", 1)[1])
        assert api.status_code == 200 and api.json()["count"] == item["value"], key
    # every bar of the panel links somewhere
    assert all(i["url"] for i in panel["items"])


def test_change_links_never_list_a_siblings_members(tree, users, world, client_for):
    _changes(tree, world)
    client = client_for(users.district_staff)  # district_a; district_b (branch_c) is the sibling subtree
    resp = client.get(reverse("dashboards:dashboard") + f"?org={tree.district_a.code}")
    panel = next(p for p in resp.context["chart_data"]["panels"] if p["id"] == "members-changes")
    sibling = {m.pk for m in Member.objects.filter(org_path__startswith=tree.district_b.path)}
    for item in panel["items"]:
        if item["key"] not in CHANGES:
            continue
        _n, pks = _count(client, item["url"])
        assert not pks & sibling, item["key"]
        other = item["url"].replace(f"within={tree.district_a.pk}", f"within={tree.district_b.pk}")
        assert _count(client, other)[0] == 0, item["key"]  # out of scope: nothing listed


def test_party_stats_change_cells_link_to_what_they_count(tree, users, world, client_for):
    _changes(tree, world)
    client = client_for(users.district_staff)
    resp = client.get(reverse("dashboards:party_stats") + f"?org={tree.street_a.code}")
    changes = resp.context["changes"]
    body = resp.content.decode()
    labels = changes.columns
    assert labels == ["发展党员", "转入", "转出", "停止党籍/出党", "死亡"]
    checked = 0
    for row in changes.rows:  # 合计 (street_a), branch_a, branch_b
        for value, url in row["linked_cells"]:
            assert url, (row["label"], value)
            assert url.replace("&", "&amp;") in body
            assert _count(client, url)[0] == value, (row["label"], url)
            checked += bool(value)
    assert changes.rows[0]["cells"] == [2, 0, 0, 1, 1]
    assert checked >= 5


def test_counted_filter_dates_bound_the_change_date(tree, users, world, client_for):
    _changes(tree, world)
    client = client_for(users.leader)
    url = reverse("members:member_list") + f"?within={tree.city.pk}"
    year = world.today.year
    assert _count(client, url + "&counted=deceased")[0] == 3  # every death, last year's too
    assert _count(client, url + f"&counted=deceased&counted_from={year}-01-01")[0] == 2
    assert _count(client, url + f"&counted=deceased&counted_to={year - 1}-12-31")[0] == 1
    assert _count(client, url + f"&counted=admitted&counted_from={year}-01-01&counted_to={year}-01-01")[0] == 1


def test_members_changes_source_and_filter_share_one_rule(tree, world):
    """The figure's own counts and the roster filter agree for a period in the past too."""
    from apps.core.metrics import metric_values
    from apps.members.filters import MemberFilterSet

    _changes(tree, world)
    start, end = datetime.date(world.today.year - 1, 1, 1), datetime.date(world.today.year - 1, 12, 31)
    for name, change, expected in (("members.deceased_count", "deceased", 1), ("members.stopped_or_left_count",
                                                                            "stopped_or_left", 1)):  # fmt: skip
        value = metric_values(name, organizations=[tree.city, tree.district_b], start=start, end=end)
        fs = MemberFilterSet(
            {"counted": change, "counted_from": start.isoformat(), "counted_to": end.isoformat()},
            queryset=Member.objects.filter(org_path__startswith=tree.city.path),
        )
        assert fs.is_valid()
        assert fs.qs.count() == expected
        assert value[tree.city.pk].value == expected
        assert value[tree.district_b.pk].value == 0  # last year's withdrawal and death were in district_a


def test_trend_data_table_has_a_row_per_month_and_cells_link_to_the_list_behind_each_point(
    tree, users, world, client_for
):
    from django.utils.html import escape

    from tests.factories.supervision import make_letter

    month = world.today.replace(day=1)
    make_letter(tree.district_a, tree.branch_a, kind="warning", period=f"{month:%Y-%m}", issued_on=month)
    make_letter(tree.city, tree.branch_c, kind="warning", period=f"{month:%Y-%m}", issued_on=month)  # sibling
    stats_refresh()
    client = client_for(users.district_staff)
    resp = client.get(reverse("dashboards:dashboard") + f"?org={tree.district_a.code}")
    panel = next(p for p in resp.context["chart_data"]["panels"] if p["id"] == "trend-letters")
    i = next(n for n, s in enumerate(panel["series"]) if s["key"] == "supervision.letters.warning")
    cell = panel["rows"][-1]["cells"][i]
    assert cell["value"] == 1 and cell["url"] == panel["series"][i]["urls"][-1]
    body = resp.content.decode()
    table = body[body.index('id="table-trend-letters"') :].split("</table>", 1)[0]
    assert table.count('<th scope="row"') == 12  # one row per month, a column per series
    assert f"{month.year}年{month.month}月" in table
    assert f'<a href="{escape(cell["url"])}">1</a>' in table  # the cell links where the point does
    assert client.get(cell["url"]).context["paginator"].count == 1


def test_joined_this_year_lists_those_admitted_up_to_the_snapshot_date(tree, users, world, client_for):
    """本年发展党员 is as of the snapshot: someone admitted after that date is neither counted nor listed."""
    year = world.today.year - 1
    make_member(tree.branch_a, joined_on=datetime.date(year, 3, 1), category="probationary")
    make_member(tree.branch_a, joined_on=datetime.date(year, 8, 1), category="probationary")  # after the date
    make_member(tree.branch_c, joined_on=datetime.date(year, 3, 1), category="probationary")  # the sibling's
    stats_refresh(as_of=datetime.date(year, 6, 30), months=1)
    client = client_for(users.district_staff)
    resp = client.get(reverse("dashboards:dashboard") + f"?org={tree.district_a.code}")
    head = next(h for h in resp.context["headline"] if h["key"] == "joined_this_year:yes")
    assert head["value"] == 1
    assert _count(client, head["url"])[0] == 1
