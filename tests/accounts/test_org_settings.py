"""本单位设置: an issuer's letter rule and wording on pages, and the root tables for root administrators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditLog, Parameter
from apps.core.params import get_int_param
from apps.members.models import RecruitmentRule
from apps.responsibility.models import MeetingRequirement
from apps.supervision.letters import letter_template
from apps.supervision.models import LetterRule, LetterTemplate

pytestmark = pytest.mark.django_db


def test_hub_lists_unit_sections_for_staff_and_root_tables_only_for_root_admins(client_for, users):
    staff = client_for(users.district_staff).get(reverse("core:org_settings")).content.decode()
    assert "三函规则" in staff and "函件模板" in staff
    assert "发展党员时间规则" not in staff and "规则参数" not in staff
    root = client_for(users.admin).get(reverse("core:org_settings")).content.decode()
    assert "发展党员时间规则" in root and "组织生活频次要求" in root and "规则参数" in root


def test_district_staff_saves_its_own_letter_rule_validated_and_audited(client_for, tree, users):
    client = client_for(users.district_staff)
    url = reverse("supervision:letter_rule_settings")
    form = {
        "is_active": "on", "reminder_enabled": "on", "reminder_day": "3", "supervision_enabled": "on",
        "supervision_day": "2", "warning_enabled": "on", "warning_day": "0", "response_days": "5",
        "warning_threshold": "2", "warning_window_months": "3",
    }  # fmt: skip
    bad = client.post(url, form)
    assert bad.status_code == 200 and "supervision_day" in bad.context["form"].errors
    assert not LetterRule.objects.filter(issuer=tree.district_a).exists()
    form["supervision_day"] = "16"
    assert client.post(url, form).status_code == 302
    rule = LetterRule.objects.get(issuer=tree.district_a)
    assert (rule.reminder_day, rule.supervision_day, rule.response_days) == (3, 16, 5)
    assert AuditLog.objects.filter(event="letterrule.create", object_id=str(rule.pk)).exists()
    assert not LetterRule.objects.filter(issuer=tree.district_b).exists()


def test_secretary_cannot_open_the_letter_settings(client_for, users):
    assert client_for(users.secretary_a).get(reverse("supervision:letter_rule_settings")).status_code == 403
    assert client_for(users.secretary_a).get(reverse("supervision:letter_template_settings")).status_code == 403


def test_letter_template_preview_renders_and_unknown_placeholders_are_named(client_for, tree, users):
    client = client_for(users.district_staff)
    url = reverse("supervision:letter_template_settings_kind", args=["supervision"])
    preview = client.post(url, {"title": "{period_label}督办函", "body": "{addressee}：请于{deadline}前办理。",
                                "preview": "1"})  # fmt: skip
    html = preview.content.decode()
    assert "2026年11月督办函" in html and "春华社区第一网格党支部：请于2026年11月22日前办理。" in html
    assert not LetterTemplate.objects.filter(issuer=tree.district_a).exists()
    bad = client.post(url, {"title": "督办函", "body": "{收件人}请办理"})
    assert bad.status_code == 200 and "不认识的占位符" in bad.content.decode()
    assert client.post(url, {"title": "{period_label}督办函", "body": "{addressee}：请办理。"}).status_code == 302
    assert letter_template(tree.district_a.pk, "supervision") == ("{period_label}督办函", "{addressee}：请办理。")
    assert letter_template(tree.district_b.pk, "supervision")[0] != "{period_label}督办函"
    client.post(url, {"reset": "1"})
    assert not LetterTemplate.objects.filter(issuer=tree.district_a).exists()
    events = set(AuditLog.objects.filter(event__startswith="lettertemplate.").values_list("event", flat=True))
    assert events == {"lettertemplate.create", "lettertemplate.delete"}


def test_root_tables_refuse_staff_below_the_root(client_for, users):
    for name in ("members:recruitment_rule_settings", "responsibility:meeting_requirement_settings",
                 "core:parameter_settings"):  # fmt: skip
        assert client_for(users.district_staff).get(reverse(name)).status_code == 403


def test_root_admin_edits_a_meeting_requirement_with_its_source_shown(client_for, users):
    client = client_for(users.admin)
    listing = client.get(reverse("responsibility:meeting_requirement_settings")).content.decode()
    req = MeetingRequirement.objects.order_by("id").first()
    assert req.source and req.source in listing
    url = reverse("responsibility:meeting_requirement_edit", args=[req.pk])
    bad = client.post(url, {"period": req.period, "minimum_count": "0", "source": req.source, "is_active": "on"})
    assert bad.status_code == 200 and "minimum_count" in bad.context["form"].errors
    ok = client.post(url, {"period": req.period, "minimum_count": "2", "source": req.source, "is_active": "on"})
    assert ok.status_code == 302
    req.refresh_from_db()
    assert req.minimum_count == 2
    assert AuditLog.objects.filter(event="meetingrequirement.update", object_id=str(req.pk)).exists()


def test_root_admin_edits_a_recruitment_interval_and_bad_bounds_are_refused(client_for, users):
    rule = RecruitmentRule.objects.filter(min_months__isnull=False).order_by("code").first()
    client = client_for(users.admin)
    url = reverse("members:recruitment_rule_edit", args=[rule.pk])
    bad = client.post(url, {"min_months": "12", "max_months": "1", "message": rule.message, "is_active": "on"})
    assert bad.status_code == 200 and "max_months" in bad.context["form"].errors
    ok = client.post(url, {"min_months": str(rule.min_months), "message": rule.message + "（已核对）",
                           "is_active": "on"})  # fmt: skip
    assert ok.status_code == 302
    assert AuditLog.objects.filter(event="recruitmentrule.update", object_id=str(rule.pk)).exists()


def test_root_admin_sets_a_parameter_typed_and_audited(client_for, users):
    client = client_for(users.admin)
    url = reverse("core:parameter_settings")
    bad = client.post(url, {"key": "branch_max_members", "value": "五十"})
    assert bad.status_code == 400 and "该参数应为整数" in bad.content.decode()
    assert client.post(url, {"key": "branch_max_members", "value": "60"}).status_code == 302
    assert Parameter.objects.get(key="branch_max_members").value == "60"
    assert get_int_param("branch_max_members") == 60
    assert AuditLog.objects.filter(event="parameter.update").exists()
    assert client_for(users.city_staff).post(url, {"key": "branch_max_members", "value": "1"}).status_code == 403


def test_letter_rule_page_opens_for_staff(client_for, users):
    resp = client_for(users.district_staff).get(reverse("supervision:letter_rule_settings"))
    assert resp.status_code == 200 and "提示函" in resp.content.decode()


def test_letter_placeholders_are_shown_and_typed_in_chinese_and_stored_as_keys(client_for, tree, users):
    client = client_for(users.district_staff)
    url = reverse("supervision:letter_template_settings_kind", args=["supervision"])
    html = client.get(url).content.decode()
    assert "{收函单位}" in html and "{addressee}" not in html
    assert client.post(url, {"title": "{月份}督办函", "body": "{收函单位}：请于{答复期限}前办理。"}).status_code == 302
    assert letter_template(tree.district_a.pk, "supervision") == (
        "{period_label}督办函",
        "{addressee}：请于{deadline}前办理。",
    )
    html = client.get(url).content.decode()
    assert "{收函单位}：请于{答复期限}前办理。" in html


def test_sessions_show_the_device_in_chinese_not_the_user_agent(client, users):
    from apps.core.templatetags.dangjian import device_label

    ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
    assert device_label(ua) == "谷歌浏览器 · 电脑"
    assert device_label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) MicroMessenger/8.0") == "微信 · 苹果手机"
    assert device_label("") == "—"


def test_a_list_of_codes_parameter_is_shown_and_typed_as_labels(client_for, users):
    client = client_for(users.admin)
    url = reverse("core:parameter_settings")
    html = client.get(url).content.decode()
    assert "三函、换届提醒" in html and "letter,term_due" not in html
    assert client.post(url, {"key": "notice_sms_categories", "value": "三函、组织生活日提醒"}).status_code == 302
    assert Parameter.objects.get(key="notice_sms_categories").value == "letter,life_day"
    bad = client.post(url, {"key": "notice_sms_categories", "value": "三函，天气预报"})
    assert bad.status_code == 400 and "不认识“天气预报”" in bad.content.decode()
    assert client.post(url, {"key": "notice_sms_categories", "value": ""}).status_code == 302
    from apps.notifications.services import _categories

    assert _categories("notice_sms_categories") == set()
