"""Findings 4 and 11: no ID number in URLs, logs or audit notes; nothing revealed outside the scope."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from apps.core.logging import MaskIdNumbersFilter, mask_id_shaped
from apps.core.models import AuditLog
from apps.members.services import member_create
from tests.factories.accounts import make_user
from tests.factories.members import make_id_number, make_member

pytestmark = pytest.mark.django_db


def test_the_log_filter_masks_id_numbers_in_request_lines():
    number = make_id_number()
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET /members/?q=%s HTTP/1.1" 200 %s', (number, 512), None
    )
    assert MaskIdNumbersFilter().filter(record)
    line = record.getMessage()
    assert number not in line and number[:6] in line and number[-4:] in line
    assert mask_id_shaped("id 12345 page 2") == "id 12345 page 2"


def test_the_request_loggers_carry_the_filter(settings):
    config = settings.LOGGING
    assert "mask_id_numbers" in config["handlers"]["console"]["filters"]
    for name in ("django.server", "django.request", "gunicorn.access"):
        assert config["loggers"][name]["handlers"] == ["console"]


def test_an_id_search_leaves_no_id_number_in_the_address(client_for, users, tree):
    member = make_member(tree.branch_a, name="王强")
    resp = client_for(users.district_staff).get(reverse("members:member_list"), {"q": member.id_number})
    assert resp.status_code == 302
    assert member.id_number not in resp["Location"] and "idh=" in resp["Location"]
    html = client_for(users.district_staff).get(resp["Location"]).content.decode()
    assert "王强" in html and member.id_number not in html


def test_audit_rows_after_an_id_search_and_export_hold_no_id_number(client_for, users, tree):
    member = make_member(tree.branch_a, name="王强")
    client = client_for(users.roster_admin)
    client.get(reverse("members:member_list"), {"q": member.id_number}, follow=True)
    client.get(reverse("members:member_export"), {"q": member.id_number})
    for row in AuditLog.objects.all():
        assert member.id_number not in f"{row.note} {row.object_repr} {row.changes}"


def test_an_id_on_the_roll_in_another_district_is_not_revealed_and_the_attempt_is_audited(tree, users):
    from django.core.exceptions import ValidationError

    elsewhere = make_member(tree.branch_c, name="外区党员")
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff,
            organization=tree.branch_a,
            id_number=elsewhere.id_number,
            name="张三",
            joined_on=elsewhere.joined_on,
            confirmed_on=elsewhere.confirmed_on,
        )
    assert exc.value.message_dict["id_number"] == ["无法使用该号码，请联系上级党员信息管理员。"]
    row = AuditLog.objects.filter(event="member.id_number_unavailable").get()
    assert row.actor_id == users.district_staff.pk and elsewhere.id_number not in row.note


def test_an_id_on_the_roll_inside_the_scope_gets_the_plain_message(tree, users):
    from django.core.exceptions import ValidationError

    here = make_member(tree.branch_b, name="本区党员")
    with pytest.raises(ValidationError) as exc:
        member_create(
            acting_user=users.district_staff,
            organization=tree.branch_a,
            id_number=here.id_number,
            name="张三",
            joined_on=here.joined_on,
            confirmed_on=here.confirmed_on,
        )
    assert "已存在" in exc.value.message_dict["id_number"][0]


def test_the_edit_form_masks_the_phone_for_roles_that_see_it_masked(client_for, tree):
    member = make_member(tree.branch_a, name="王强", phone="13812345678")
    secretary = make_user(tree.branch_a, "branch_secretary", username="sec_phone")
    html = client_for(secretary).get(reverse("members:member_update", args=[member.pk])).content.decode()
    assert "13812345678" not in html and "138****5678" in html


def test_submitting_the_masked_phone_keeps_the_number(tree, users):
    from apps.members.forms import MemberContactForm

    member = make_member(tree.branch_a, name="王强", phone="13812345678")
    secretary = make_user(tree.branch_a, "branch_secretary", username="sec_phone2")
    form = MemberContactForm(
        data={"phone": "138****5678", "work_unit": "", "position": ""}, instance=member, user=secretary
    )
    form.is_valid()
    assert form.cleaned_data.get("phone") == "13812345678"
