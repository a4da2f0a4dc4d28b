"""/api/v1/service-categories/: the 服务类别 page as an API. Lists what the page lists (own, active or not, and the
ancestors' active ones), creates and changes the organization's own through services.category_save (validated in
Chinese per field, audited), refuses a role without the permission (403) and a sibling organization (404)."""

import pytest

from apps.core.models import AuditLog
from apps.service_requests.models import ServiceCategory
from tests.api.schema import assert_documented
from tests.factories.service_requests import make_category

pytestmark = pytest.mark.django_db

URL = "/api/v1/service-categories/"


def _detail(cat, query=""):
    return f"{URL}{cat.pk}/{query}"


def _names(body):
    return [row["full_name"] for row in body["results"]]


def test_list_mirrors_the_page_own_and_the_ancestors_active_ones(api_for, tree, users, sr):
    own = make_category(tree.district_a, name="区级矛盾调解")
    own_sub = make_category(tree.district_a, name="邻里纠纷", parent=own)
    retired = make_category(tree.district_a, name="旧类别")
    ServiceCategory.objects.filter(pk=retired.pk).update(is_active=False)
    city_retired = make_category(tree.city, name="市级停用")
    ServiceCategory.objects.filter(pk=city_retired.pk).update(is_active=False)
    make_category(tree.district_b, name="乙区专属类别")
    make_category(tree.street_a, name="街道类别")  # below: not usable at the district
    ServiceCategory.objects.filter(pk=sr.cat.pk).update(sort_order=5)

    body = assert_documented(api_for(users.district_staff).get(URL))
    # each top-level category followed by its sub-kinds, as on the page
    assert _names(body) == ["区级矛盾调解", "区级矛盾调解·邻里纠纷", "旧类别", "民事代办", "民事代办·社保"]
    rows = {row["id"]: row for row in body["results"]}
    assert rows[own.pk]["own"] and rows[own.pk]["editable"] and rows[own.pk]["organization_name"] == "甲区委"
    assert rows[own_sub.pk]["parent"] == own.pk and rows[own_sub.pk]["parent_name"] == "区级矛盾调解"
    assert rows[retired.pk]["is_active"] is False
    city = rows[sr.sub.pk]
    assert (city["own"], city["editable"], city["organization_name"]) == (False, False, "测试市委")
    assert (city["response_limit_days"], city["closure_limit_days"], city["follow_up_days"]) == (1, 3, 3)

    # filters: active, parent (the sub-kinds of one), top
    api = api_for(users.district_staff)
    assert "旧类别" not in _names(assert_documented(api.get(URL, {"active": "true"})))
    assert _names(assert_documented(api.get(URL, {"parent": sr.cat.pk}))) == ["民事代办·社保"]
    assert _names(assert_documented(api.get(URL, {"top": "true", "active": "true"}))) == ["区级矛盾调解", "民事代办"]
    bad = api.get(URL, {"parent": "1e30", "active": "maybe"})
    assert bad.status_code == 400 and "parent" in assert_documented(bad)

    # a secretary lists what their branch may use (to register a request), none of it editable
    body = assert_documented(api_for(users.secretary_a).get(URL))
    assert _names(body) == ["区级矛盾调解", "区级矛盾调解·邻里纠纷", "街道类别", "民事代办", "民事代办·社保"]
    assert not any(row["own"] or row["editable"] for row in body["results"])


def test_org_parameter_reaches_an_organization_below_and_a_sibling_gets_404(api_for, tree, users, sr):
    own = make_category(tree.district_a, name="区级矛盾调解")
    city = api_for(users.city_staff)
    mine = assert_documented(city.get(URL))
    assert _names(mine) == ["民事代办", "民事代办·社保"] and all(row["editable"] for row in mine["results"])
    below = assert_documented(city.get(URL, {"org": tree.district_a.code}))
    rows = {row["id"]: row for row in below["results"]}
    assert rows[own.pk]["own"] and not rows[sr.cat.pk]["own"]
    assert assert_documented(city.get(_detail(own, f"?org={tree.district_a.code}")))["own"] is True
    changed = city.patch(_detail(own, f"?org={tree.district_a.code}"), {"closure_limit_days": 9}, format="json")
    assert assert_documented(changed)["closure_limit_days"] == 9

    sibling = api_for(users.district_b_staff)
    for resp in (
        sibling.get(URL, {"org": tree.district_a.code}),
        sibling.get(_detail(own)),
        sibling.patch(_detail(own), {"name": "改名"}, format="json"),
        sibling.put(_detail(own), {"name": "改名"}, format="json"),
        sibling.post(f"{URL}?org={tree.district_a.code}", {"name": "乙区插手"}, format="json"),
        city.get(URL, {"org": "NOPE"}),
        city.get(URL, {"org": "x" * 500}),
        city.get(_detail(own, "?org=%00")),
        city.get(f"{URL}abc/"),
        city.get(f"{URL}{2**70}/"),
        city.patch(f"{URL}0/", {"name": "x"}, format="json"),
    ):
        assert resp.status_code == 404, resp.content
        assert_documented(resp)
    own.refresh_from_db()
    assert own.name == "区级矛盾调解" and not ServiceCategory.objects.filter(name="乙区插手").exists()


def test_roles_without_the_permission_are_refused(api_for, tree, users, sr):
    for user in (users.secretary_a, users.leader):
        api = api_for(user)
        assert assert_documented(api.get(_detail(sr.cat)))["editable"] is False
        for resp in (
            api.post(URL, {"name": "越权类别"}, format="json"),
            api.patch(_detail(sr.cat), {"closure_limit_days": 9}, format="json"),
            api.put(_detail(sr.cat), {"name": "改名"}, format="json"),
        ):
            assert resp.status_code == 403
            assert_documented(resp)
    assert api_for(users.roster_admin).get(URL).status_code == 403
    assert not ServiceCategory.objects.filter(name="越权类别").exists()
    sr.cat.refresh_from_db()
    assert (sr.cat.name, sr.cat.closure_limit_days) == ("民事代办", 5)


def test_create_is_validated_in_chinese_per_field_and_audited(api_for, tree, users, sr):
    api = api_for(users.district_staff)
    resp = api.post(URL, {"name": "养老服务", "parent": sr.cat.pk, "follow_up_days": 4}, format="json")
    body = assert_documented(resp)
    assert resp.status_code == 201 and body["own"] and body["editable"] and body["full_name"] == "民事代办·养老服务"
    cat = ServiceCategory.objects.get(pk=body["id"])
    assert (cat.organization_id, cat.org_path, cat.parent_id) == (tree.district_a.pk, tree.district_a.path, sr.cat.pk)
    assert (cat.response_limit_days, cat.closure_limit_days, cat.follow_up_days, cat.is_active) == (1, 5, 4, True)
    assert AuditLog.objects.filter(event="servicecategory.create", object_id=str(cat.pk)).exists()

    def refused(data, field, message):
        resp = api.post(URL, data, format="json")
        assert resp.status_code == 400, resp.content
        body = assert_documented(resp)
        assert message in body[field][0], body
        return body

    refused({"name": "急难", "response_limit_days": 9, "closure_limit_days": 3}, "response_limit_days",
            "受理时限不能长于办结时限")  # fmt: skip
    refused({"name": "急难", "follow_up_days": 0}, "follow_up_days", "回访时限须为1到60之间的整数")
    refused({"name": "急难", "closure_limit_days": 10**30}, "closure_limit_days", "办结时限须为1到365之间的整数")
    refused({"name": "三级", "parent": sr.sub.pk}, "parent", "类别最多两级")
    refused({"name": "养老服务", "parent": sr.cat.pk}, "name", "本单位已有同名类别「养老服务」")
    refused({"name": "  "}, "name", "请填写类别名称")
    refused({"name": "长" * 51}, "name", "类别名称最多50个字")
    refused({}, "name", "请填写类别名称")
    sibling_cat = make_category(tree.district_b, name="乙区类别")
    refused({"name": "挂错", "parent": sibling_cat.pk}, "parent", "上级类别不适用于该区域")
    street_cat = make_category(tree.street_a, name="街道类别")  # below: visible, but not usable at the district
    refused({"name": "挂错", "parent": street_cat.pk}, "parent", "上级类别不适用于该区域")
    # garbage of every type is a 400 naming the field, never a 500
    refused({"name": "急难", "parent": 2**70}, "parent", "上级类别不适用于该区域")
    refused({"name": "急难", "parent": "abc"}, "parent", "上级类别须填写整数")
    refused({"name": "急难", "response_limit_days": "1" * 2000}, "response_limit_days", "受理时限须填写整数")
    refused({"name": "急难", "sort_order": -1}, "sort_order", "排序须为0到32767之间的整数")
    refused({"name": "急难", "is_active": "maybe"}, "is_active", "启用须为")
    refused({"name": ["急难"]}, "name", "类别名称须为文字")
    assert not ServiceCategory.objects.filter(name__in=["急难", "三级", "挂错"]).exists()
    assert AuditLog.objects.filter(event="servicecategory.create").count() == 1


def test_update_changes_only_the_own_categories_and_is_audited(api_for, tree, users, sr):
    own = make_category(tree.district_a, name="区级矛盾调解", closure=5)
    api = api_for(users.district_staff)
    resp = api.patch(_detail(own), {"closure_limit_days": 8, "is_active": False}, format="json")
    body = assert_documented(resp)
    assert (body["closure_limit_days"], body["is_active"], body["name"]) == (8, False, "区级矛盾调解")
    log = AuditLog.objects.get(event="servicecategory.update", object_id=str(own.pk))
    assert log.changes["closure_limit_days"] == [5, 8]
    # a retired category stays listed (and editable) for its own organization, as on the page
    assert own.pk in [row["id"] for row in assert_documented(api.get(URL))["results"]]

    # a form-encoded PATCH without is_active leaves it alone (no checkbox semantics)
    resp = api.patch(_detail(own), {"sort_order": "3"})
    assert assert_documented(resp)["is_active"] is False
    # PUT needs the name; the rest it leaves as they are when not sent
    bad = api.put(_detail(own), {"closure_limit_days": 6}, format="json")
    assert bad.status_code == 400 and "请填写类别名称" in assert_documented(bad)["name"][0]
    resp = api.put(_detail(own), {"name": "调解", "is_active": True}, format="json")
    assert (assert_documented(resp)["name"], resp.json()["closure_limit_days"]) == ("调解", 8)

    # the rules between fields see the stored values: a response limit longer than the stored closure limit
    bad = api.patch(_detail(own), {"response_limit_days": 9}, format="json")
    assert "受理时限不能长于办结时限" in assert_documented(bad)["response_limit_days"][0]
    child = make_category(tree.district_a, name="邻里纠纷", parent=own)
    bad = api.patch(_detail(own), {"parent": sr.cat.pk}, format="json")
    assert "该类别已有下级类别" in assert_documented(bad)["parent"][0]
    bad = api.patch(_detail(child), {"parent": child.pk}, format="json")
    assert "上级类别不能是它自己" in assert_documented(bad)["parent"][0]

    # the ancestor's category is read only here: the service refuses it, naming the organization
    bad = api.patch(_detail(sr.cat), {"closure_limit_days": 9}, format="json")
    assert bad.status_code == 400 and "只能修改本单位设置的类别" in assert_documented(bad)["organization"][0]
    sr.cat.refresh_from_db()
    assert sr.cat.closure_limit_days == 5
    assert not AuditLog.objects.filter(event="servicecategory.update", object_id=str(sr.cat.pk)).exists()


def test_no_delete_categories_are_retired_instead(api_for, users, sr):
    resp = api_for(users.city_staff).delete(_detail(sr.cat))
    assert resp.status_code == 405 and ServiceCategory.objects.filter(pk=sr.cat.pk).exists()
