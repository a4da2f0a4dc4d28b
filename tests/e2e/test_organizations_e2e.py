import pytest

from apps.organizations.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_browses_tree_and_creates_a_branch_with_error_then_success(tree, users, page_for):
    page = page_for(users.district_staff)
    page.click("nav >> text=党组织")  # the menu
    page.click("text=党组织树")
    page.wait_for_selector(".org-tree")
    # The user's own district opens one level; deeper levels load on demand.
    page.wait_for_selector("text=甲街道党工委")
    page.click(f'li[data-org-id="{tree.street_a.pk}"] >> .toggle')
    page.wait_for_selector("text=乙支部")
    assert page.locator("text=乙区委").count() == 0

    page.click("text=新建党组织")
    page.fill("#id_parent", "G000A")  # a party group cannot have children
    page.fill("#id_name", "新建测试支部")
    page.fill("#id_code", "E2E001")
    page.select_option("#id_kind", "branch")
    page.click("button:has-text('保存')")
    assert "党小组之下不能再设党组织" in page.inner_text(".field-error")

    page.fill("#id_parent", "S000A")
    page.click("button:has-text('保存')")
    page.wait_for_selector("h1:has-text('新建测试支部')")
    assert Organization.objects.get(code="E2E001").parent_id == tree.street_a.pk
    assert "新建了党组织" in page.inner_text("#history")


def test_branch_secretary_on_a_phone_sees_only_own_branch(tree, users, page_for):
    page = page_for(users.secretary_a, width=390)
    page.goto(f"{page.base_url}/organizations/{tree.branch_b.pk}/")
    assert "未找到" in page.inner_text("main")
    page.goto(f"{page.base_url}/organizations/{tree.branch_a.pk}/")
    assert "甲支部" in page.inner_text("h1")
    # The collapsed navigation opens from the toggler on a narrow screen.
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainNav.show")
