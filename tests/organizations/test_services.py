import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditLog
from apps.organizations import services
from apps.organizations.models import Organization
from tests.factories.accounts import make_user
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db


def test_create_sets_path_depth_and_ancestor_counts(tree):
    assert tree.group_a.path == f"{tree.branch_a.path}{tree.group_a.pk}/"
    assert tree.group_a.depth == 4
    tree.city.refresh_from_db()
    assert tree.city.descendant_count == 7
    assert tree.street_a.descendant_count == 3


def test_party_group_only_under_a_branch(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.organization_create(
            acting_user=users.city_staff, parent=tree.district_a, kind="party_group", name="错误的党小组", code="X1"
        )
    assert "党小组只能设在党支部" in str(exc.value.message_dict["parent"])


def test_branch_may_only_contain_party_groups(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.organization_create(
            acting_user=users.city_staff, parent=tree.branch_a, kind="branch", name="支部下的支部", code="X2"
        )
    assert "只能设党小组" in str(exc.value.message_dict["kind"])


def test_create_under_sibling_organization_is_refused(tree, users):
    with pytest.raises(PermissionDenied):
        services.organization_create(
            acting_user=users.district_b_staff, parent=tree.street_a, kind="branch", name="越权支部", code="X3"
        )


def test_duplicate_code_is_refused_with_field_message(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.organization_create(
            acting_user=users.city_staff, parent=tree.street_a, kind="branch", name="重复代码", code="B000A"
        )
    assert "code" in exc.value.message_dict


def test_term_due_date_from_start_and_default_years(tree, users):
    org = services.organization_create(
        acting_user=users.city_staff,
        parent=tree.street_a,
        kind="branch",
        sector="community",
        name="社区支部",
        code="X4",
        term_started_on=datetime.date(2024, 2, 29),
    )
    assert org.term_years == 5  # communities: 5 years
    assert org.term_due_on == datetime.date(2029, 2, 28)
    gov = services.organization_create(
        acting_user=users.city_staff,
        parent=tree.district_a,
        kind="general_branch",
        sector="government",
        name="机关总支",
        code="X5",
        term_started_on=datetime.date(2025, 1, 1),
    )
    assert gov.term_years == 3


def test_move_rewrites_subtree_paths_and_counts(tree, users):
    services.organization_move(acting_user=users.city_staff, organization=tree.branch_a, new_parent=tree.district_b)
    group = Organization.objects.get(pk=tree.group_a.pk)
    branch = Organization.objects.get(pk=tree.branch_a.pk)
    assert branch.path == f"{tree.district_b.path}{branch.pk}/" and branch.depth == 2
    assert group.path == f"{branch.path}{group.pk}/" and group.depth == 3
    assert Organization.objects.get(pk=tree.street_a.pk).descendant_count == 1
    assert Organization.objects.get(pk=tree.district_b.pk).descendant_count == 3
    assert Organization.objects.get(pk=tree.city.pk).descendant_count == 7
    # The district B user now sees the moved branch; the district A user no longer does.
    assert Organization.objects.visible_to(users.district_b_staff).filter(pk=group.pk).exists()
    assert not Organization.objects.visible_to(users.district_staff).filter(pk=group.pk).exists()


def test_moving_under_own_descendant_is_refused(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.organization_move(acting_user=users.city_staff, organization=tree.district_a, new_parent=tree.street_a)
    assert "下级组织之下" in str(exc.value.message_dict["parent"])


def test_dissolve_refused_while_children_remain(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.organization_dissolve(
            acting_user=users.city_staff, organization=tree.street_a, dissolved_on=datetime.date(2026, 1, 1)
        )
    assert "下级党组织" in str(exc.value)


def test_dissolve_leaf_then_no_new_children(tree, users):
    services.organization_dissolve(
        acting_user=users.city_staff, organization=tree.branch_b, dissolved_on=datetime.date(2026, 1, 1)
    )
    assert not Organization.objects.get(pk=tree.branch_b.pk).is_active
    with pytest.raises(ValidationError):
        services.organization_create(
            acting_user=users.city_staff,
            parent=Organization.objects.get(pk=tree.branch_b.pk),
            kind="party_group",
            name="撤销后的小组",
            code="X6",
        )


def test_delete_refused_while_users_belong_to_it(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.organization_delete(acting_user=users.city_staff, organization=tree.branch_b)
    assert "用户" in str(exc.value)


def test_delete_leaf_updates_counts(tree, users):
    leaf = make_org(tree.branch_b, kind="party_group", name="待删小组")
    services.organization_delete(acting_user=users.city_staff, organization=leaf)
    assert not Organization.objects.filter(pk=leaf.pk).exists()
    assert Organization.objects.get(pk=tree.branch_b.pk).descendant_count == 0


def test_update_writes_audit_with_before_and_after(tree, users):
    services.organization_update(
        acting_user=users.district_staff, organization=tree.branch_a, secretary_name="王芳", star_rating=4
    )
    log = AuditLog.objects.filter(event="organization.update").latest("id")
    assert log.actor == users.district_staff
    assert log.changes["secretary_name"] == ["", "王芳"]
    assert log.changes["star_rating"] == [None, 4]
    assert log.org_path == tree.branch_a.path


def test_leader_cannot_write(tree, users):
    with pytest.raises(PermissionDenied):
        services.organization_update(acting_user=users.leader, organization=tree.branch_a, name="改名")


def test_star_rating_out_of_range_refused(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.organization_update(acting_user=users.city_staff, organization=tree.branch_a, star_rating=6)
    assert "star_rating" in exc.value.message_dict


def test_user_of_a_dissolved_organization_sees_nothing(tree):
    leaf = make_org(tree.branch_b, kind="party_group", name="将撤销小组")
    user = make_user(leaf, "branch_secretary")
    Organization.objects.filter(pk=leaf.pk).update(is_active=False)
    user.refresh_from_db()
    assert Organization.objects.visible_to(user).count() == 0
