"""#16: the back office writes deployment-wide tables (parameters, meeting requirements, recruitment intervals)
through the same validating, audited services as their settings pages: an invalid admin save is refused with
a Chinese message naming the field, a valid one is audited like a page save."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditLog, Parameter
from apps.core.params import get_param
from apps.members.models import RecruitmentRule
from apps.responsibility.models import MeetingRequirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def requirements():
    """The seeded meeting requirements — recreated when a transactional test earlier in this worker flushed
    the rows the data migrations put in, so these tests never depend on the order files run in."""
    if not MeetingRequirement.objects.exists():
        MeetingRequirement.objects.create(
            kind="general_meeting", period="quarter", minimum_count=1, source="支部工作条例"
        )
        MeetingRequirement.objects.create(
            kind="committee_meeting", period="month", minimum_count=1, source="支部工作条例"
        )
    return list(MeetingRequirement.objects.order_by("id"))


@pytest.fixture
def interval_rule():
    rule = RecruitmentRule.objects.filter(min_months__isnull=False).order_by("code").first()
    return rule or RecruitmentRule.objects.create(
        code="candidate-after-1-year", from_field="activist_on", to_field="candidate_on", min_months=12,
        message="发展对象确定时间须在确定为入党积极分子满一年之后（《发展党员工作细则》第十三条）",
    )  # fmt: skip


def _text(resp) -> str:
    return resp.content.decode()


def test_parameter_admin_refuses_a_non_integer_and_names_the_field(client_for, users):
    client = client_for(users.admin)
    resp = client.post(reverse("admin:core_parameter_add"), {"key": "term_due_warn_months", "value": "六个月"})
    assert resp.status_code == 200 and "参数值：该参数应为整数" in _text(resp)
    assert not Parameter.objects.filter(key="term_due_warn_months").exists()
    resp = client.post(reverse("admin:core_parameter_add"), {"key": "no_such_key", "value": "3"})
    assert resp.status_code == 200 and "参数键：没有这个参数" in _text(resp)


def test_parameter_admin_save_and_delete_are_the_page_service(client_for, users):
    client = client_for(users.admin)
    resp = client.post(reverse("admin:core_parameter_add"), {"key": "term_due_warn_months", "value": " 9 "})
    assert resp.status_code == 302
    param = Parameter.objects.get(key="term_due_warn_months")
    assert param.value == "9" and param.description  # the description comes from the defaults
    assert get_param("term_due_warn_months") == "9"  # the cache was dropped
    assert AuditLog.objects.filter(event="parameter.update", object_id=str(param.pk)).exists()
    resp = client.post(reverse("admin:core_parameter_change", args=[param.pk]), {"value": "abc"})
    assert resp.status_code == 200 and "该参数应为整数" in _text(resp)
    resp = client.post(reverse("admin:core_parameter_delete", args=[param.pk]), {"post": "yes"})
    assert resp.status_code == 302 and not Parameter.objects.filter(key="term_due_warn_months").exists()
    assert get_param("term_due_warn_months") == "6"
    assert AuditLog.objects.filter(event="parameter.delete").exists()


def _requirement_form(req, **changes):
    data = {
        "period": req.period,
        "minimum_count": req.minimum_count,
        "source": req.source,
        "is_active": "on" if req.is_active else "",
        "per_party_group": "on" if req.per_party_group else "",
        "_save": "保存",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_meeting_requirement_admin_validates_like_the_page(client_for, users, requirements):
    req = requirements[0]
    before = req.minimum_count
    client = client_for(users.admin)
    url = reverse("admin:responsibility_meetingrequirement_change", args=[req.pk])
    resp = client.post(url, _requirement_form(req, minimum_count=40))
    assert resp.status_code == 200 and "最少次数：应为1至31次" in _text(resp)
    req.refresh_from_db()
    assert req.minimum_count == before
    resp = client.post(url, _requirement_form(req, minimum_count=before + 1))
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.minimum_count == before + 1
    assert AuditLog.objects.filter(event="meetingrequirement.update", object_id=str(req.pk)).exists()


def test_meeting_requirement_list_editable_row_is_validated_too(client_for, users, requirements):
    reqs = requirements
    data = {
        "form-TOTAL_FORMS": str(len(reqs)),
        "form-INITIAL_FORMS": str(len(reqs)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    for i, r in enumerate(reqs):
        data[f"form-{i}-id"] = str(r.pk)
        data[f"form-{i}-period"] = r.period
        data[f"form-{i}-minimum_count"] = "0" if i == 0 else str(r.minimum_count)
        if r.per_party_group:
            data[f"form-{i}-per_party_group"] = "on"
        if r.is_active:
            data[f"form-{i}-is_active"] = "on"
    resp = client_for(users.admin).post(reverse("admin:responsibility_meetingrequirement_changelist"), data)
    assert resp.status_code == 200 and "最少次数：应为1至31次" in _text(resp)
    reqs[0].refresh_from_db()
    assert reqs[0].minimum_count >= 1


def test_recruitment_rule_admin_validates_like_the_page(client_for, users, interval_rule):
    rule = interval_rule
    client = client_for(users.admin)
    url = reverse("admin:members_recruitmentrule_change", args=[rule.pk])
    form = {
        "min_months": rule.min_months,
        "min_days": rule.min_days or "",
        "max_months": 0,
        "max_days": 0,
        "message": rule.message,
        "is_active": "on",
        "_save": "保存",
    }
    resp = client.post(url, {k: v for k, v in form.items() if v != ""})
    assert resp.status_code == 200 and "最长间隔（月）：最长间隔不能短于最短间隔" in _text(resp)
    resp = client.post(url, {**{k: v for k, v in form.items() if v != ""}, "max_months": "", "max_days": "",
                             "message": "  "})  # fmt: skip
    assert resp.status_code == 200 and "提示信息（含依据）" in _text(resp)
    old_message = rule.message
    resp = client.post(url, {**{k: v for k, v in form.items() if v != ""}, "max_months": "", "max_days": "",
                             "message": old_message + "（修订）"})  # fmt: skip
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert rule.message.endswith("（修订）")
    assert AuditLog.objects.filter(event="recruitmentrule.update", object_id=str(rule.pk)).exists()
    resp = client.post(
        reverse("admin:members_recruitmentrule_add"),
        {"code": "bad-rule", "from_field": "applied_on", "to_field": "no_such_date", "min_months": "1",
         "message": "依据", "is_active": "on"},
    )  # fmt: skip
    assert resp.status_code == 200 and "终止日期字段" in _text(resp)
    assert not RecruitmentRule.objects.filter(code="bad-rule").exists()
