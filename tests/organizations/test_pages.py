import pytest
from django.urls import reverse

from apps.organizations.models import Organization
from tests.factories.organizations import make_org
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

DETAIL_PAGES = [
    "organization_detail",
    "organization_update",
    "organization_move",
    "organization_dissolve",
    "organization_delete",
    "organization_children",
]


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_sibling_user_gets_404_on_every_organization_page(tree, users, client_for, name):
    client = client_for(users.district_b_staff)
    assert client.get(reverse(f"organizations:{name}", args=[tree.branch_a.pk])).status_code == 404
    if name != "organization_detail" and name != "organization_children":
        assert client.post(reverse(f"organizations:{name}", args=[tree.branch_a.pk]), {}).status_code == 404


def test_tree_shows_own_root_only(tree, users, client_for):
    html = client_for(users.district_staff).get(reverse("organizations:organization_tree")).content.decode()
    assert "甲区委" in html and "乙区委" not in html and "测试市委" not in html


def test_tree_children_partial_lists_children(tree, users, client_for):
    html = (
        client_for(users.district_staff)
        .get(reverse("organizations:organization_children", args=[tree.street_a.pk]))
        .content.decode()
    )
    assert "甲支部" in html and "乙支部" in html


def test_search_by_name_stays_in_scope(tree, users, client_for):
    html = (
        client_for(users.district_staff).get(reverse("organizations:organization_tree"), {"q": "支部"}).content.decode()
    )
    assert "甲支部" in html and "丙支部" not in html


def test_search_by_exact_code(tree, users, client_for):
    html = client_for(users.city_staff).get(reverse("organizations:organization_tree"), {"q": "B000C"}).content.decode()
    assert "丙支部" in html and "甲支部" not in html


def test_list_filters_by_kind_and_excludes_out_of_scope(tree, users, client_for):
    html = (
        client_for(users.district_staff)
        .get(reverse("organizations:organization_list"), {"kind": "branch"})
        .content.decode()
    )
    assert "甲支部" in html and "乙支部" in html and "丙支部" not in html
    assert f'href="/organizations/{tree.street_a.pk}/"' not in html


def test_list_page_queries_do_not_grow_with_rows(tree, users, client_for):
    client = client_for(users.city_staff)
    url = reverse("organizations:organization_list")
    few, _r = count_queries(lambda: client.get(url), warm=True)  # warm: session, content types
    for i in range(30):
        make_org(tree.street_a, kind="branch", name=f"新增支部{i}")
    many, resp = count_queries(lambda: client.get(url))
    assert "共 38 条" in resp.content.decode()
    assert many == few <= 10


def test_detail_shows_history_of_changes(tree, users, client_for):
    client = client_for(users.district_staff)
    client.post(
        reverse("organizations:organization_update", args=[tree.branch_a.pk]),
        {"name": "甲支部（新）", "code": "B000A", "kind": "branch", "sector": "community", "secretary_name": "李四"},
    )
    html = client.get(reverse("organizations:organization_detail", args=[tree.branch_a.pk])).content.decode()
    assert "变更历史" in html and "修改了党组织信息" in html and "organization.update" not in html and "李四" in html


def test_create_form_shows_chinese_field_error_for_party_group_under_committee(tree, users, client_for):
    resp = client_for(users.city_staff).post(
        reverse("organizations:organization_create"),
        {"parent": "D000A", "name": "错位党小组", "code": "NEW1", "kind": "party_group", "sector": ""},
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "党小组只能设在党支部" in html and "is-invalid" in html
    assert not Organization.objects.filter(code="NEW1").exists()


def test_create_form_refuses_parent_out_of_scope(tree, users, client_for):
    resp = client_for(users.district_b_staff).post(
        reverse("organizations:organization_create"),
        {"parent": "S000A", "name": "越权", "code": "NEW2", "kind": "branch"},
    )
    assert resp.status_code == 200
    assert "不在您的管理范围内" in resp.content.decode()
    assert not Organization.objects.filter(code="NEW2").exists()


def test_create_form_success_redirects_to_detail(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("organizations:organization_create"),
        {
            "parent": "S000A",
            "name": "丁支部",
            "code": "NEW3",
            "kind": "branch",
            "sector": "community",
            "term_started_on": "2025-03-01",
        },
    )
    org = Organization.objects.get(code="NEW3")
    assert resp.status_code == 302 and resp["Location"] == org.get_absolute_url()
    assert org.parent_id == tree.street_a.pk and str(org.term_due_on) == "2030-03-01"


def test_move_form_refuses_cycle_with_message(tree, users, client_for):
    resp = client_for(users.city_staff).post(
        reverse("organizations:organization_move", args=[tree.district_a.pk]), {"parent": "S000A"}
    )
    assert resp.status_code == 200 and "不能把党组织移动到它自己或它的下级组织之下" in resp.content.decode()


def test_dissolve_form_explains_why_not(tree, users, client_for):
    resp = client_for(users.city_staff).post(
        reverse("organizations:organization_dissolve", args=[tree.street_a.pk]), {"dissolved_on": "2026-01-01"}
    )
    assert resp.status_code == 200 and "仍有下级党组织 2 个" in resp.content.decode()


def test_delete_page_removes_leaf(tree, users, client_for):
    leaf = make_org(tree.branch_b, kind="party_group", name="误建小组")
    resp = client_for(users.district_staff).post(reverse("organizations:organization_delete", args=[leaf.pk]))
    assert resp.status_code == 302 and not Organization.objects.filter(pk=leaf.pk).exists()


def test_leader_is_refused_create_page(tree, users, client_for):
    assert client_for(users.leader).get(reverse("organizations:organization_create")).status_code == 403


def test_lookup_suggests_only_in_scope(tree, users, client_for):
    html = (
        client_for(users.district_b_staff)
        .get(reverse("organizations:organization_lookup"), {"q": "支部"})
        .content.decode()
    )
    assert "丙支部" in html and "甲支部" not in html


def test_home_shows_own_organization_counts(tree, users, client_for):
    html = client_for(users.street_staff).get(reverse("core:home")).content.decode()
    assert "甲街道党工委" in html and 'data-stat="branches">2<' in html


def test_audit_log_page_is_scoped(tree, users, client_for):
    html = client_for(users.district_b_staff).get(reverse("core:auditlog_list")).content.decode()
    assert "丙支部" in html and "甲支部" not in html


def test_tree_opens_own_organization_one_level(tree, users, client_for):
    html = client_for(users.district_staff).get(reverse("organizations:organization_tree")).content.decode()
    assert "甲街道党工委" in html and "甲支部" not in html


def test_create_form_shows_every_error_at_once(tree, users, client_for):
    resp = client_for(users.city_staff).post(
        reverse("organizations:organization_create"),
        {
            "parent": "D000A",
            "name": "多处错误",
            "code": "B000A",
            "kind": "party_group",
            "sector": "",
            "established_on": "2099-01-01",
            "demonstration_year": "2025",
            "venue_area": "-5",
        },
    )
    html = resp.content.decode()
    for message in (
        "党小组只能设在党支部",
        "该组织代码已被其他党组织使用",
        "成立日期不能晚于今天",
        "未标记为示范点时不应填写示范点年度",
        "确保该值大于或等于0",
    ):
        assert message in html, message


def test_invalid_filter_shows_error_and_no_rows(tree, users, client_for):
    html = (
        client_for(users.city_staff)
        .get(reverse("organizations:organization_list"), {"term_due_within": "abc"})
        .content.decode()
    )
    assert "请输入整数" in html and "没有符合条件的党组织" in html


def test_list_filters_by_parent_code(tree, users, client_for):
    html = (
        client_for(users.city_staff)
        .get(reverse("organizations:organization_list"), {"within_code": "S000A"})
        .content.decode()
    )
    assert "甲支部" in html and "乙支部" in html and "丙支部" not in html


def test_history_shows_field_labels_and_choice_names(tree, users, client_for):
    client = client_for(users.district_staff)
    client.post(
        reverse("organizations:organization_update", args=[tree.branch_a.pk]),
        {
            "name": "甲支部",
            "code": "B000A",
            "kind": "branch",
            "sector": "rural",
            "is_weak": "on",
            "consolidation_status": "in_progress",
        },
    )
    html = client.get(reverse("organizations:organization_detail", args=[tree.branch_a.pk])).content.decode()
    assert "所属领域</span>：城市社区 → 农村" in html and "软弱涣散</span>：否 → 是" in html


def test_home_shows_the_secretarys_ledger_panel(tree, users, client_for):
    html = client_for(users.secretary_a).get(reverse("core:home")).content.decode()
    assert 'id="resp-home-panel"' in html and "本月台账与逾期事项" in html


def test_list_marks_a_term_already_due_in_red(tree, users, client_for):
    """docs/ui.md: overdue is red. A term that ended months ago looked the same as one due in five years."""
    import datetime

    today = datetime.date.today()
    Organization.objects.filter(pk=tree.branch_a.pk).update(term_due_on=today - datetime.timedelta(days=30))
    Organization.objects.filter(pk=tree.branch_b.pk).update(term_due_on=today + datetime.timedelta(days=400))
    html = client_for(users.city_staff).get("/organizations/list/?kind=branch").content.decode()
    overdue = (today - datetime.timedelta(days=30)).isoformat()
    later = (today + datetime.timedelta(days=400)).isoformat()
    assert f'<span class="text-danger" title="已逾期">{overdue}</span>' in html
    assert f"<td>{later}</td>" in html
