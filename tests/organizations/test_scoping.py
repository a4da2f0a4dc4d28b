import pytest
from django.urls import reverse

from apps.organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_subtree_visible_sibling_not(tree, users):
    visible = set(Organization.objects.visible_to(users.secretary_a).values_list("name", flat=True))
    assert visible == {"甲支部", "甲支部第一党小组"}


def test_path_prefix_does_not_leak_to_similar_ids(tree, users):
    # "/1/7/" must never match "/1/70/": paths end with a separator.
    assert all(p.endswith("/") for p in Organization.objects.values_list("path", flat=True))


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
