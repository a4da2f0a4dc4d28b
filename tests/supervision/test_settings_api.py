"""本单位设置 of supervision through the API (issue 16): the issuer's letter rule with its number code word, and
its letter wording with a rendered preview — scoped, role-checked, validated in Chinese, audited, documented."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditLog
from apps.supervision.letters import letter_template
from apps.supervision.models import LetterRule, LetterTemplate
from tests.api.schema import assert_documented
from tests.factories.accounts import make_user

pytestmark = pytest.mark.django_db
RULE = "/api/v1/supervision/letter-rule/"
TEMPLATES = "/api/v1/supervision/letter-templates/"


def test_rule_reads_the_defaults_then_saves_the_fields_given_audited(api_for, tree, users):
    api = api_for(users.district_staff)
    body = assert_documented(api.get(RULE))
    assert body["own"] is False and body["organization"] == tree.district_a.pk
    assert (body["reminder_day"], body["supervision_day"], body["warning_day"]) == (1, 15, 0)
    assert [row["kind"] for row in body["schedule"]] == ["reminder", "supervision", "warning"]
    resp = api.put(RULE, {"supervision_day": 10, "response_days": 5}, format="json")
    body = assert_documented(resp)
    assert resp.status_code == 200 and body["own"] is True and body["supervision_day"] == 10
    rule = LetterRule.objects.get(issuer=tree.district_a)
    assert (rule.reminder_day, rule.supervision_day, rule.response_days) == (1, 10, 5)
    supervision = next(row for row in body["schedule"] if row["kind"] == "supervision")
    assert supervision["issue_date"].endswith("-10")
    log = AuditLog.objects.get(event="letterrule.create", object_id=str(rule.pk))
    assert log.actor_id == users.district_staff.pk
    assert not LetterRule.objects.filter(issuer=tree.district_b).exists()


def test_rule_refuses_days_out_of_order_naming_the_field_in_chinese(api_for, tree, users):
    api = api_for(users.district_staff)
    resp = api.put(RULE, {"reminder_day": 20, "supervision_day": 10}, format="json")
    body = assert_documented(resp)
    assert resp.status_code == 400 and "督办函日期应晚于提示函日期" in body["supervision_day"][0]
    resp = api.put(RULE, {"reminder_day": 40}, format="json")
    assert resp.status_code == 400 and "reminder_day" in assert_documented(resp)
    assert not LetterRule.objects.exists()


def test_rule_number_code_word_is_set_through_the_organization_validated_and_audited(api_for, tree, users):
    api = api_for(users.district_staff)
    resp = api.put(RULE, {"doc_prefix": "甲组"}, format="json")
    body = assert_documented(resp)
    assert resp.status_code == 200 and body["doc_prefix"] == "甲组" and body["number_sample"].startswith("甲组函〔")
    tree.district_a.refresh_from_db()
    assert tree.district_a.doc_prefix == "甲组"
    assert not LetterRule.objects.exists()  # only the code word changed: the defaults still apply
    assert AuditLog.objects.filter(event="organization.update", object_id=str(tree.district_a.pk)).exists()
    for bad, words in (("甲组函", "不用写“函”字"), ("甲组〔2026〕", "年份和序号由系统生成"), ("甲 组", "空格")):
        resp = api.put(RULE, {"doc_prefix": bad}, format="json")
        assert resp.status_code == 400 and words in assert_documented(resp)["doc_prefix"][0]
    tree.district_a.refresh_from_db()
    assert tree.district_a.doc_prefix == "甲组"


def test_rule_delete_restores_the_defaults_audited(api_for, tree, users):
    api = api_for(users.district_staff)
    api.put(RULE, {"response_days": 9}, format="json")
    resp = api.delete(RULE)
    body = assert_documented(resp)
    assert resp.status_code == 200 and body["own"] is False and body["response_days"] == 7
    assert AuditLog.objects.filter(event="letterrule.delete").exists()


def test_rule_of_an_organization_below_and_a_sibling_refused(api_for, tree, users):
    city = api_for(users.city_staff)
    resp = city.put(f"{RULE}?org={tree.district_a.code}", {"warning_threshold": 3}, format="json")
    assert resp.status_code == 200 and LetterRule.objects.get(issuer=tree.district_a).warning_threshold == 3
    sibling = api_for(users.district_b_staff)
    for call in (
        sibling.get(f"{RULE}?org={tree.district_a.code}"),
        sibling.put(f"{RULE}?org={tree.district_a.code}", {"warning_threshold": 5}, format="json"),
        sibling.delete(f"{RULE}?org={tree.district_a.code}"),
        sibling.get(f"{TEMPLATES}?org={tree.district_a.code}"),
        sibling.put(f"{TEMPLATES}warning/?org={tree.district_a.code}", {"title": "x", "body": "y"}, format="json"),
    ):
        assert call.status_code == 404
        assert_documented(call)
    assert LetterRule.objects.get(issuer=tree.district_a).warning_threshold == 3
    assert not LetterTemplate.objects.filter(issuer__isnull=False).exists()


def test_roles_without_the_right_are_refused(api_for, users):
    secretary = api_for(users.secretary_a)
    for resp in (secretary.get(RULE), secretary.get(TEMPLATES), secretary.get(f"{TEMPLATES}reminder/")):
        assert resp.status_code == 403
        assert_documented(resp)
    leader = api_for(users.leader)
    assert leader.get(RULE).status_code == 200  # read-only roles read the rule …
    resp = leader.put(RULE, {"response_days": 3}, format="json")
    assert resp.status_code == 403 and "不能修改三函规则" in assert_documented(resp)["detail"]  # … and change nothing
    resp = leader.put(f"{TEMPLATES}reminder/", {"title": "t", "body": "b"}, format="json")
    assert resp.status_code == 403
    assert not LetterRule.objects.exists()
    assert not LetterTemplate.objects.filter(issuer__isnull=False).exists()


def test_templates_list_set_preview_and_reset(api_for, tree, users):
    api = api_for(users.district_staff)
    rows = assert_documented(api.get(TEMPLATES))
    assert [r["kind"] for r in rows] == ["reminder", "supervision", "warning"]
    assert all(not r["own"] for r in rows) and "{收函单位}" in {p["name"] for p in rows[0]["placeholders"]}
    resp = api.put(f"{TEMPLATES}supervision/", {"title": "{月份}督办函", "body": "{收函单位}：请于{答复期限}前办理。"},
                   format="json")  # fmt: skip
    body = assert_documented(resp)
    assert body["own"] is True and body["title"] == "{月份}督办函"
    assert body["preview"]["title"] == "2026年11月督办函" and body["preview"]["body"].startswith("春华社区")
    assert letter_template(tree.district_a.pk, "supervision") == (
        "{period_label}督办函",
        "{addressee}：请于{deadline}前办理。",
    )
    assert letter_template(tree.district_b.pk, "supervision")[0] != "{period_label}督办函"
    preview = api.post(f"{TEMPLATES}warning/preview/", {"title": "{文号}", "body": "{发函单位}"}, format="json")
    assert assert_documented(preview) == {"title": "〔2026〕12号", "body": tree.district_a.name}
    bad = api.post(f"{TEMPLATES}warning/preview/", {"title": "{单位}", "body": "x"}, format="json")
    assert bad.status_code == 400 and "不认识的占位符" in assert_documented(bad)["title"][0]
    bad = api.put(f"{TEMPLATES}warning/", {"title": "预警函", "body": "{收函单位"}, format="json")
    assert bad.status_code == 400 and "大括号不成对" in assert_documented(bad)["body"][0]
    reset = api.delete(f"{TEMPLATES}supervision/")
    assert assert_documented(reset)["own"] is False
    events = set(AuditLog.objects.filter(event__startswith="lettertemplate.").values_list("event", flat=True))
    assert events == {"lettertemplate.create", "lettertemplate.delete"}


def test_an_unknown_letter_kind_is_a_documented_404(api_for, users):
    api = api_for(users.district_staff)
    for resp in (api.get(f"{TEMPLATES}notice/"), api.post(f"{TEMPLATES}x/preview/", {"title": "a", "body": "b"})):
        assert resp.status_code == 404
        assert_documented(resp)


def test_the_page_shows_the_code_word_the_number_and_next_months_schedule(client_for, tree, users):
    tree.district_a.doc_prefix = "甲组"
    tree.district_a.save(update_fields=["doc_prefix"])
    client = client_for(users.district_staff)
    url = reverse("supervision:letter_rule_settings")
    html = client.get(url).content.decode()
    assert 'value="甲组"' in html and "甲组函〔" in html and "发函安排" in html
    form = {
        "doc_prefix": "甲组函", "is_active": "on", "reminder_enabled": "on", "reminder_day": "1",
        "supervision_enabled": "on", "supervision_day": "15", "warning_enabled": "on", "warning_day": "0",
        "response_days": "7", "warning_threshold": "2", "warning_window_months": "3",
    }  # fmt: skip
    resp = client.post(url, form)
    assert resp.status_code == 200 and "不用写“函”字" in resp.content.decode()
    form["doc_prefix"] = "甲区组"
    assert client.post(url, form).status_code == 302
    tree.district_a.refresh_from_db()
    assert tree.district_a.doc_prefix == "甲区组"


def test_inspectors_keep_rules_but_not_the_organizations_code_word(client_for, api_for, tree, users):
    """The code word belongs to the organization's record: a role that may set letter rules but not change
    organizations sees it disabled on the page and is refused in the API."""
    client = client_for(users.inspector)
    resp = client.get(reverse("supervision:letter_rule_settings"))
    assert resp.status_code == 200 and resp.context["form"].fields["doc_prefix"].disabled
    resp = api_for(users.inspector).put(RULE, {"doc_prefix": "测组"}, format="json")
    assert resp.status_code == 403
    tree.city.refresh_from_db()
    assert tree.city.doc_prefix == ""


@pytest.mark.parametrize(
    "url",
    [RULE, TEMPLATES, f"{TEMPLATES}warning/", "/api/v1/responsibility/life-day/", "/api/v1/service-categories/",
     "/api/v1/service-stats/"],
)  # fmt: skip
def test_an_org_code_with_a_nul_byte_is_a_404_not_a_500(api_for, users, url):
    """PostgreSQL refuses NUL in a query: the fuzzer's ``?org=%00…`` used to end in a 500."""
    resp = api_for(users.city_staff).get(url, {"org": "C0\x0001"})
    assert resp.status_code == 404
    assert_documented(resp)


def test_an_account_without_an_organization_acts_on_none(api_for, tree, users):
    """The one rule (apps.core.scoping.org_in_scope_or_own): ``?org=`` in scope, else the user's own; an account
    with no organization (not a superuser) gets a 404 — the service rates used to fall back to the tree's root."""
    from apps.accounts.models import User

    orphan = make_user(tree.city, "org_staff", username="orphan")
    User.objects.filter(pk=orphan.pk).update(organization=None)  # e.g. its organization was dissolved
    orphan.refresh_from_db()
    api = api_for(orphan)
    for url in (RULE, "/api/v1/service-stats/", "/api/v1/service-categories/", "/api/v1/responsibility/life-day/"):
        resp = api.get(url)
        assert resp.status_code in (403, 404), (url, resp.status_code)
        assert_documented(resp)
