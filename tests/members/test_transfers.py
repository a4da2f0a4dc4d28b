import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.params import get_int_param
from apps.core.periods import add_months
from apps.members.models import Member, Transfer
from apps.members.transfers import (
    transfer_approve,
    transfer_cancel,
    transfer_receive,
    transfer_request,
    transfer_return,
)
from tests.factories.members import make_member


def test_internal_transfer_moves_member_on_receipt_only(tree, users):
    m = make_member(tree.branch_a)
    t = transfer_request(acting_user=users.district_staff, member=m, to_org=tree.branch_c, reason="工作调动")
    # requested: the receiving district does not see it yet; the member stays with the sender
    assert not Transfer.objects.visible_to(users.district_b_staff).filter(pk=t.pk).exists()
    t = transfer_approve(acting_user=users.district_staff, transfer=t)
    assert t.valid_until == add_months(datetime.date.today(), get_int_param("transfer_letter_valid_months"))
    assert Transfer.objects.visible_to(users.district_b_staff).filter(pk=t.pk).exists()
    assert Member.objects.visible_to(users.district_staff).filter(pk=m.pk).exists()
    assert not Member.objects.visible_to(users.district_b_staff).filter(pk=m.pk).exists()
    transfer_receive(acting_user=users.district_b_staff, transfer=t)
    m.refresh_from_db()
    assert (m.organization, m.org_path) == (tree.branch_c, tree.branch_c.path)
    assert Member.objects.visible_to(users.district_b_staff).filter(pk=m.pk).exists()
    assert not Member.objects.visible_to(users.district_staff).filter(pk=m.pk).exists()
    # the sender keeps the transfer record in its history
    assert Transfer.objects.visible_to(users.district_staff).filter(pk=t.pk, status="received").exists()


def test_sender_cannot_receive_its_own_transfer_to_another_district(tree, users):
    t = transfer_approve(
        acting_user=users.district_staff,
        transfer=transfer_request(
            acting_user=users.district_staff, member=make_member(tree.branch_a), to_org=tree.branch_c
        ),
    )
    with pytest.raises(PermissionDenied):
        transfer_receive(acting_user=users.district_staff, transfer=t)


def test_receiver_cannot_approve_for_the_sender(tree, users):
    t = transfer_request(acting_user=users.district_staff, member=make_member(tree.branch_a), to_org=tree.branch_c)
    with pytest.raises(PermissionDenied):
        transfer_approve(acting_user=users.district_b_staff, transfer=t)


def test_return_needs_a_reason_and_leaves_member_in_place(tree, users):
    m = make_member(tree.branch_a)
    t = transfer_approve(
        acting_user=users.district_staff,
        transfer=transfer_request(acting_user=users.district_staff, member=m, to_org=tree.branch_c),
    )
    with pytest.raises(ValidationError) as exc:
        transfer_return(acting_user=users.district_b_staff, transfer=t, reason=" ")
    assert "退回原因" in exc.value.message_dict["return_reason"][0]
    t = transfer_return(acting_user=users.district_b_staff, transfer=t, reason="介绍信抬头有误")
    m.refresh_from_db()
    assert (t.status, m.organization) == ("returned", tree.branch_a)


def test_one_pending_transfer_per_member(tree, users):
    m = make_member(tree.branch_a)
    transfer_request(acting_user=users.district_staff, member=m, to_org=tree.branch_b)
    with pytest.raises(ValidationError) as exc:
        transfer_request(acting_user=users.district_staff, member=m, to_org=tree.branch_c)
    assert "正在办理" in exc.value.message_dict["member"][0]


def test_transfer_to_same_branch_refused(tree, users):
    with pytest.raises(ValidationError):
        transfer_request(acting_user=users.district_staff, member=make_member(tree.branch_a), to_org=tree.branch_a)


def test_outside_transfer_issues_letter_and_marks_member_transferred_out(tree, users):
    m = make_member(tree.branch_a)
    t = transfer_request(
        acting_user=users.district_staff, member=m, kind="outside", outside_destination="外省某县委组织部"
    )
    t = transfer_approve(acting_user=users.district_staff, transfer=t, letter_number="甲组转〔2026〕12号")
    m.refresh_from_db()
    assert (t.status, t.letter_number, m.status) == ("issued", "甲组转〔2026〕12号", "transferred_out")
    assert t.valid_until is not None


def test_outside_transfer_needs_destination(tree, users):
    with pytest.raises(ValidationError) as exc:
        transfer_request(acting_user=users.district_staff, member=make_member(tree.branch_a), kind="outside")
    assert "转往单位" in exc.value.message_dict["outside_destination"][0]


def test_sender_may_cancel_before_receipt(tree, users):
    t = transfer_request(acting_user=users.district_staff, member=make_member(tree.branch_a), to_org=tree.branch_c)
    t = transfer_cancel(acting_user=users.district_staff, transfer=t)
    assert t.status == "cancelled"
    with pytest.raises(ValidationError):
        transfer_receive(acting_user=users.city_staff, transfer=t)


def test_out_of_scope_member_cannot_be_transferred(tree, users):
    with pytest.raises(PermissionDenied):
        transfer_request(acting_user=users.district_b_staff, member=make_member(tree.branch_a), to_org=tree.branch_c)
