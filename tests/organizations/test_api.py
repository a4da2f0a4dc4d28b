import pytest

from apps.organizations.models import Organization
from tests.factories.organizations import make_org
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/organizations/"


def test_list_only_in_scope(tree, users, api_for):
    data = api_for(users.district_b_staff).get(URL).data
    assert {r["name"] for r in data["results"]} == {"乙区委", "丙支部"}
    assert data["count"] == 2 and data["count_is_capped"] is False


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_sibling_gets_404_on_read_update_delete(tree, users, api_for, method):
    api = api_for(users.district_b_staff)
    resp = getattr(api, method)(
        f"{URL}{tree.branch_a.pk}/", {"name": "x"} if method == "patch" else None, format="json"
    )
    assert resp.status_code == 404
    assert Organization.objects.get(pk=tree.branch_a.pk).name == "甲支部"


def test_sibling_branch_secretary_cannot_read_or_write(tree, users, api_for):
    api = api_for(users.secretary_b)
    assert api.get(f"{URL}{tree.branch_a.pk}/").status_code == 404
    assert api.patch(f"{URL}{tree.branch_a.pk}/", {"name": "x"}, format="json").status_code in (403, 404)
    assert api.delete(f"{URL}{tree.branch_a.pk}/").status_code in (403, 404)
    assert Organization.objects.filter(pk=tree.branch_a.pk, name="甲支部").exists()


@pytest.mark.parametrize("action", ["move", "dissolve", "children"])
def test_sibling_gets_404_on_actions(tree, users, api_for, action):
    api = api_for(users.district_b_staff)
    call = api.get if action == "children" else api.post
    assert call(f"{URL}{tree.branch_a.pk}/{action}/", {}, format="json").status_code == 404


def test_filters(tree, users, api_for):
    api = api_for(users.city_staff)
    names = {r["name"] for r in api.get(URL, {"kind": "branch", "within": tree.district_a.pk}).data["results"]}
    assert names == {"甲支部", "乙支部"}
    assert {r["name"] for r in api.get(URL, {"q": "丙"}).data["results"]} == {"丙支部"}


def test_within_an_out_of_scope_root_returns_nothing(tree, users, api_for):
    assert api_for(users.district_b_staff).get(URL, {"within": tree.district_a.pk}).data["results"] == []


def test_create_with_rule_error_returns_chinese_400(tree, users, api_for):
    resp = api_for(users.city_staff).post(
        URL, {"parent": tree.district_a.pk, "name": "错位党小组", "code": "A1", "kind": "party_group"}, format="json"
    )
    assert resp.status_code == 400 and "党小组只能设在党支部" in resp.data["parent"][0]


def test_create_under_out_of_scope_parent_is_400(tree, users, api_for):
    resp = api_for(users.district_b_staff).post(
        URL, {"parent": tree.street_a.pk, "name": "越权", "code": "A2", "kind": "branch"}, format="json"
    )
    assert resp.status_code == 400 and "parent" in resp.data


def test_create_update_move_dissolve_delete_roundtrip(tree, users, api_for):
    api = api_for(users.district_staff)
    created = api.post(
        URL,
        {"parent": tree.street_a.pk, "name": "戊支部", "code": "A3", "kind": "branch", "sector": "community"},
        format="json",
    )
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert api.patch(f"{URL}{pk}/", {"secretary_name": "赵六"}, format="json").data["secretary_name"] == "赵六"
    moved = api.post(f"{URL}{pk}/move/", {"parent": tree.district_a.pk}, format="json")
    assert moved.status_code == 200 and moved.data["parent"] == tree.district_a.pk
    assert api.post(f"{URL}{pk}/dissolve/", {"dissolved_on": "2026-06-30"}, format="json").data["is_active"] is False
    assert api.delete(f"{URL}{pk}/").status_code == 204


def test_leader_gets_403_on_write(tree, users, api_for):
    resp = api_for(users.leader).patch(f"{URL}{tree.branch_a.pk}/", {"name": "x"}, format="json")
    assert resp.status_code == 403


def test_api_list_queries_do_not_grow_with_rows(tree, users, api_for):
    api = api_for(users.city_staff)
    few, _r = count_queries(lambda: api.get(URL), warm=True)
    for i in range(30):
        make_org(tree.street_a, kind="branch", name=f"批量支部{i}")
    many, resp = count_queries(lambda: api.get(URL))
    assert resp.data["count"] == 38
    assert many == few <= 8
