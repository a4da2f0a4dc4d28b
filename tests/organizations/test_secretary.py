import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.organizations import services
from apps.organizations.models import Organization
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def test_secretary_links_to_a_member_of_the_branch_and_copies_the_name(tree, users):
    m = make_member(tree.branch_a, name="王芳")
    org = services.organization_update(acting_user=users.district_staff, organization=tree.branch_a, secretary_member=m)
    assert org.secretary_member_id == m.pk and org.secretary_name == "王芳"


def test_secretary_from_another_branch_is_refused(tree, users):
    outsider = make_member(tree.branch_b)
    with pytest.raises(ValidationError) as exc:
        services.organization_update(
            acting_user=users.district_staff, organization=tree.branch_a, secretary_member=outsider
        )
    assert "本组织的在册党员" in exc.value.message_dict["secretary_member"][0]


def test_edit_form_offers_only_the_branchs_members(tree, users, client_for):
    mine, other = make_member(tree.branch_a, name="甲支部党员"), make_member(tree.branch_b, name="乙支部党员")
    client = client_for(users.district_staff)
    html = client.get(reverse("organizations:organization_update", args=[tree.branch_a.pk])).content.decode()
    assert "甲支部党员" in html and "乙支部党员" not in html
    resp = client.post(
        reverse("organizations:organization_update", args=[tree.branch_a.pk]),
        {"name": "甲支部", "code": "B000A", "kind": "branch", "sector": "community", "secretary_member": other.pk},
    )
    assert resp.status_code == 200 and "secretary_member" in resp.content.decode()
    resp = client.post(
        reverse("organizations:organization_update", args=[tree.branch_a.pk]),
        {"name": "甲支部", "code": "B000A", "kind": "branch", "sector": "community", "secretary_member": mine.pk},
    )
    assert resp.status_code == 302
    assert Organization.objects.get(pk=tree.branch_a.pk).secretary_name == "甲支部党员"
