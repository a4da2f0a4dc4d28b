import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditLog
from apps.members.models import Member
from apps.members.services import member_change_status, member_create, member_reveal_id_number, member_update
from apps.organizations.services import organization_dissolve
from tests.factories.members import make_id_number, make_member

DATES = {"joined_on": datetime.date(2012, 7, 1), "confirmed_on": datetime.date(2013, 7, 1)}


def test_member_create_derives_birth_date_and_gender_and_path(tree, users):
    number = make_id_number(datetime.date(1990, 3, 4), male=False)
    m = member_create(
        acting_user=users.district_staff, organization=tree.branch_a, id_number=number, name="李娜", **DATES
    )
    assert (m.birth_date, m.gender, m.org_path) == (datetime.date(1990, 3, 4), "2", tree.branch_a.path)


def test_member_create_refuses_bad_checksum_in_chinese(tree, users):
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff, organization=tree.branch_a, id_number="340524198001010013", name="张三"
        )
    assert "校验码" in exc.value.message_dict["id_number"][0]


def test_member_create_refuses_birth_date_that_disagrees_with_id(tree, users):
    number = make_id_number(datetime.date(1990, 3, 4))
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff,
            organization=tree.branch_a,
            id_number=number,
            name="张三",
            birth_date=datetime.date(1990, 3, 5),
        )
    assert "不一致" in exc.value.message_dict["birth_date"][0]


def test_member_create_refuses_gender_that_disagrees_with_id(tree, users):
    number = make_id_number(male=True)
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff, organization=tree.branch_a, id_number=number, name="张三", gender="2"
        )
    assert "性别" in exc.value.message_dict["gender"][0]


def test_member_create_refuses_joining_before_18(tree, users):
    number = make_id_number(datetime.date(2000, 1, 1))
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff,
            organization=tree.branch_a,
            id_number=number,
            name="张三",
            joined_on=datetime.date(2017, 12, 31),
        )
    assert "十八周岁" in exc.value.message_dict["joined_on"][0]


def test_member_create_refuses_duplicate_active_id(tree, users):
    number = make_id_number()
    make_member(tree.branch_b, id_number=number)
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff, organization=tree.branch_a, id_number=number, name="张三", **DATES
        )
    assert "已存在" in exc.value.message_dict["id_number"][0]


def test_member_create_refuses_committee_as_organization(tree, users):
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff, organization=tree.street_a, id_number=make_id_number(), name="张三"
        )
    assert "党支部" in exc.value.message_dict["organization"][0]


def test_member_create_out_of_scope_refused(tree, users):
    with pytest.raises(PermissionDenied):
        member_create(
            acting_user=users.district_b_staff, organization=tree.branch_a, id_number=make_id_number(), name="张三"
        )


def test_probationary_member_gets_probation_end(tree, users):
    m = member_create(
        acting_user=users.district_staff,
        organization=tree.branch_a,
        id_number=make_id_number(),
        name="张三",
        category="probationary",
        joined_on=datetime.date(2026, 1, 10),
    )
    assert m.probation_ends_on == datetime.date(2027, 1, 10)


def test_confirmation_before_one_year_refused(tree, users):
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff,
            organization=tree.branch_a,
            id_number=make_id_number(),
            name="张三",
            joined_on=datetime.date(2020, 1, 10),
            confirmed_on=datetime.date(2020, 12, 1),
        )
    assert "预备期" in exc.value.message_dict["confirmed_on"][0]


def test_secretary_may_change_phone_of_own_branch_member(tree, users):
    m = make_member(tree.branch_a)
    member_update(acting_user=users.secretary_a, member=m, phone="138 0013 8000", party_group=tree.group_a)
    m.refresh_from_db()
    assert (m.phone, m.party_group) == ("13800138000", tree.group_a)


def test_secretary_may_not_change_name(tree, users):
    m = make_member(tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        member_update(acting_user=users.secretary_a, member=m, name="改名")
    assert "只能修改" in exc.value.message_dict["name"][0]


def test_sibling_secretary_may_not_edit(tree, users):
    m = make_member(tree.branch_a)
    with pytest.raises(PermissionDenied):
        member_update(acting_user=users.secretary_b, member=m, phone="13800138000")


def test_leader_may_not_edit(tree, users):
    m = make_member(tree.branch_a)
    with pytest.raises(PermissionDenied):
        member_update(acting_user=users.leader, member=m, phone="13800138000")


def test_reveal_is_for_roster_admin_and_audited(tree, users):
    m = make_member(tree.branch_a)
    assert member_reveal_id_number(acting_user=users.roster_admin, member=m) == m.id_number
    assert AuditLog.objects.filter(object_id=str(m.pk), action=AuditLog.Action.VIEW_PII).count() == 1
    with pytest.raises(PermissionDenied):
        member_reveal_id_number(acting_user=users.district_staff, member=m)


def test_dissolving_a_branch_with_active_members_is_refused(tree, users):
    make_member(tree.branch_b)
    with pytest.raises(ValidationError) as exc:
        organization_dissolve(
            acting_user=users.district_staff, organization=tree.branch_b, dissolved_on=datetime.date.today()
        )
    assert "党员" in str(exc.value)


def test_status_change_frees_the_id_number(tree, users):
    m = make_member(tree.branch_a)
    member_change_status(acting_user=users.district_staff, member=m, status="deceased", on=datetime.date(2025, 1, 1))
    assert Member.objects.active().filter(pk=m.pk).count() == 0
    member_create(
        acting_user=users.district_staff, organization=tree.branch_b, id_number=m.id_number, name="x", **DATES
    )


def test_moving_a_branch_rewrites_member_paths(tree, users):
    from apps.organizations.services import organization_move

    m = make_member(tree.branch_b)
    organization_move(acting_user=users.city_staff, organization=tree.branch_b, new_parent=tree.district_b)
    m.refresh_from_db()
    tree.branch_b.refresh_from_db()
    assert m.org_path == tree.branch_b.path and m.org_path.startswith(tree.district_b.path)
    assert Member.objects.visible_to(users.district_b_staff).filter(pk=m.pk).exists()
