"""Back-office edits go through services: every save and delete of a configuration row leaves an audit row;
workflow rows are read-only in the admin; the admin offers no roster export."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from apps.core.models import AuditLog, Parameter
from apps.members.models import Member, RecruitmentRule
from apps.responsibility.models import MeetingRequirement
from apps.supervision.models import Accountability, InspectionPlan, LetterRule, LetterTemplate

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    return request


def _save_through_admin(model, obj, user, *, change):
    admin.site._registry[model].save_model(_request(user), obj, None, change)


@pytest.mark.parametrize("model", [RecruitmentRule, MeetingRequirement, LetterTemplate])
def test_admin_change_of_a_rule_row_is_audited(users, model):
    obj = model.objects.first()
    assert obj is not None, "seeded by a migration"
    before = AuditLog.objects.count()
    _save_through_admin(model, obj, users.admin, change=True)
    row = AuditLog.objects.latest("id")
    assert AuditLog.objects.count() == before + 1
    # each is saved by its settings page's validating service (rule_settings), under the page's events
    assert row.event == f"{model._meta.model_name}.update" and row.actor == users.admin


def test_admin_parameter_create_and_delete_are_audited(users):
    param = Parameter(key="ledger_due_day", value="7", description="")
    _save_through_admin(Parameter, param, users.admin, change=False)
    admin.site._registry[Parameter].delete_model(_request(users.admin), param)
    events = list(AuditLog.objects.order_by("id").values_list("event", flat=True))[-2:]
    assert events == ["parameter.update", "parameter.delete"]  # the parameters page's service (params.py)


def test_admin_letter_rule_is_scope_checked_and_audited_under_the_issuer(tree, users):
    from django.core.exceptions import PermissionDenied

    rule = LetterRule(issuer=tree.district_a)
    _save_through_admin(LetterRule, rule, users.admin, change=False)
    assert AuditLog.objects.latest("id").org_path == tree.district_a.path
    with pytest.raises(PermissionDenied):
        _save_through_admin(LetterRule, LetterRule(issuer=tree.district_a), users.district_b_staff, change=False)


@pytest.mark.parametrize("model", [Accountability, InspectionPlan])
def test_workflow_rows_are_read_only_in_the_admin(users, model):
    model_admin = admin.site._registry[model]
    request = _request(users.admin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_admin_offers_no_roster_export(users):
    member_admin = admin.site._registry[Member]
    assert not hasattr(member_admin, "export_action")
    assert "export" not in {a for a in member_admin.get_actions(_request(users.admin))}


def test_admin_refuses_an_invalid_letter_rule_with_the_settings_page_message(client, tree, users):
    """The admin goes through supervision.rule_settings: the same validation as the page, in Chinese."""
    client.force_login(users.admin)
    data = {"issuer": tree.district_a.pk, "is_active": "on", "reminder_enabled": "on", "reminder_day": "40",
            "supervision_enabled": "on", "supervision_day": "15", "warning_enabled": "on", "warning_day": "0",
            "response_days": "7", "warning_threshold": "2", "warning_window_months": "3"}  # fmt: skip
    resp = client.post("/admin/supervision/letterrule/add/", data)
    assert resp.status_code == 200 and "请填写1至28之间的日期" in resp.content.decode()
    assert not LetterRule.objects.filter(issuer=tree.district_a).exists()
    data["reminder_day"] = "3"
    resp = client.post("/admin/supervision/letterrule/add/", data)
    assert resp.status_code == 302
    rule = LetterRule.objects.get(issuer=tree.district_a)
    assert rule.reminder_day == 3
    assert AuditLog.objects.filter(event="letterrule.create", object_id=str(rule.pk)).exists()


def test_admin_refuses_an_unknown_placeholder_in_a_letter_template(client, tree, users):
    client.force_login(users.admin)
    resp = client.post("/admin/supervision/lettertemplate/add/", {
        "issuer": tree.district_a.pk, "kind": "reminder", "title": "关于{收件人}的提示", "body": "请于{deadline}前答复。",
    })  # fmt: skip
    assert resp.status_code == 200 and "不认识的占位符" in resp.content.decode()
    assert not LetterTemplate.objects.filter(issuer=tree.district_a).exists()
