import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.core.scoping import path_in_subtree
from apps.organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_subtree_visible_sibling_not(tree, users):
    visible = set(Organization.objects.visible_to(users.secretary_a).values_list("name", flat=True))
    assert visible == {"甲支部", "甲支部第一党小组"}


def test_path_prefix_does_not_leak_to_similar_ids(tree, users):
    # "/1/7/" must never match "/1/70/": paths end with a separator.
    assert all(p.endswith("/") for p in Organization.objects.values_list("path", flat=True))
    seven, seventy = tree.branch_a, tree.branch_b
    Organization.objects.filter(pk=seven.pk).update(path="/1/7/")
    Organization.objects.filter(pk=seventy.pk).update(path="/1/70/")
    seven.refresh_from_db()
    seventy.refresh_from_db()
    user = User.objects.select_related("organization").get(pk=users.secretary_a.pk)
    assert user.organization_id == seven.pk
    visible = set(Organization.objects.visible_to(user).values_list("path", flat=True))
    assert "/1/7/" in visible and "/1/70/" not in visible
    assert not seventy.is_descendant_of(seven) and not seven.is_descendant_of(seventy)
    assert not path_in_subtree("/1/70/", "/1/7/") and path_in_subtree("/1/7/42/", "/1/7/")
    assert seven.is_descendant_of(seven, include_self=True) and not seven.is_descendant_of(seven)


def test_sibling_branch_secretary_gets_404_on_org_detail_page(tree, users, client_for):
    resp = client_for(users.secretary_b).get(reverse("organizations:organization_detail", args=[tree.branch_a.pk]))
    assert resp.status_code == 404


def test_sibling_branch_secretary_gets_404_on_org_api(tree, users, api_for):
    resp = api_for(users.secretary_b).get(f"/api/v1/organizations/{tree.branch_a.pk}/")
    assert resp.status_code == 404


def test_own_branch_detail_page_renders(tree, users, client_for):
    resp = client_for(users.secretary_a).get(reverse("organizations:organization_detail", args=[tree.branch_a.pk]))
    assert resp.status_code == 200
    assert "甲支部" in resp.content.decode()


def test_user_root_is_the_own_organization_or_the_tree_root_for_a_superuser(tree, users):
    from apps.core.scoping import oversees, user_root

    assert user_root(users.secretary_a) == tree.branch_a
    nobody = User.objects.create_superuser(username="root_admin", password="x-Root-2026")
    assert nobody.organization_id is None and user_root(nobody) == tree.city
    assert user_root(User.objects.create_user(username="no_org", password="x-No-2026")) is None
    assert oversees(users.district_staff, tree.branch_a) and not oversees(users.district_staff, tree.district_a)
    assert not oversees(users.district_b_staff, tree.branch_a) and oversees(nobody, tree.city)
