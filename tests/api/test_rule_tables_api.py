"""The root rule tables over the API (issue 16): recruitment intervals, meeting requirements, dues brackets, the
work calendar and the rule parameters. Any signed-in user reads them; only a root administrator writes (403
for others, city org staff included: they lack core.change_parameter), each write audited, bad input a 400
naming the field in Chinese; every answer matches the schema strictly."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from apps.core.models import AuditLog, WorkCalendarDay
from apps.core.scoping import is_root_admin
from apps.members.models import RecruitmentRule
from apps.responsibility.models import MeetingRequirement

from .schema import assert_documented

pytestmark = pytest.mark.django_db


def _refused(resp):
    assert resp.status_code == 403, resp.content
    assert "系统管理员" in assert_documented(resp)["detail"]


def _bad(resp, field, words):
    assert resp.status_code == 400, resp.content
    body = assert_documented(resp)
    assert field in body, body
    assert words in str(body[field]), body
    return body


def test_city_org_staff_is_not_a_root_administrator(users):
    assert is_root_admin(users.admin) and not is_root_admin(users.city_staff)


# --- recruitment intervals -----------------------------------------------------------------------------------

RULES = "/api/v1/members/recruitment-rules/"


def test_recruitment_rules_read_by_a_county_user_with_labels_and_source(users, api_for):
    api = api_for(users.district_staff)
    rows = assert_documented(api.get(RULES))
    assert rows and rows == sorted(rows, key=lambda r: r["code"])
    rule = RecruitmentRule.objects.order_by("code").first()
    one = assert_documented(api.get(f"{RULES}{rule.pk}/"))
    assert one["source"] == rule.message
    assert (
        one["from_field_label"] and one["from_field_label"] != rule.from_field
    )  # 「递交入党申请书日期」, not a column
    assert assert_documented(api.get(f"{RULES}999999/")).get("error") == "not_found"


@pytest.mark.parametrize("who", ["district_staff", "city_staff", "leader", "secretary_a"])
def test_recruitment_rule_writes_refused_for_non_root(users, api_for, who):
    api = api_for(getattr(users, who))
    rule = RecruitmentRule.objects.first()
    _refused(api.patch(f"{RULES}{rule.pk}/", {"min_months": 1}, format="json"))
    _refused(api.put(f"{RULES}{rule.pk}/", {"message": "x", "is_active": True}, format="json"))
    _refused(api.post(RULES, {"code": "x"}, format="json"))
    assert not AuditLog.objects.filter(event__startswith="recruitmentrule.").exists()


def test_recruitment_rule_update_and_create_by_root_are_audited(users, api_for):
    api = api_for(users.admin)
    rule = RecruitmentRule.objects.exclude(min_months=None).first()
    body = assert_documented(api.patch(f"{RULES}{rule.pk}/", {"message": "依据：某省规定"}, format="json"))
    assert body["message"] == body["source"] == "依据：某省规定"
    assert AuditLog.objects.filter(event="recruitmentrule.update", object_id=str(rule.pk)).exists()
    put = api.put(f"{RULES}{rule.pk}/", {"min_months": 2, "message": "两个月", "is_active": False}, format="json")
    body = assert_documented(put)
    assert (body["min_months"], body["min_days"], body["max_months"], body["is_active"]) == (2, None, None, False)
    assert body["min_interval"] == "2个月"
    resp = api.post(RULES, {"code": "talk-within", "from_field": "applied_on", "to_field": "talked_on",
                            "max_months": 1, "message": "收到入党申请书后一个月内派人谈话（《发展党员工作细则》第七条）"},
                    format="json")  # fmt: skip
    assert resp.status_code == 201
    body = assert_documented(resp)
    assert body["to_field_label"] == "谈话日期" and body["is_active"] is True
    assert AuditLog.objects.filter(event="recruitmentrule.create", object_id=str(body["id"])).exists()


def test_recruitment_rule_bad_input_names_the_field(users, api_for):
    api = api_for(users.admin)
    rule = RecruitmentRule.objects.first()
    _bad(api.patch(f"{RULES}{rule.pk}/", {"min_months": -1}, format="json"), "min_months", "最短间隔（月）")
    _bad(api.patch(f"{RULES}{rule.pk}/", {"min_days": "abc"}, format="json"), "min_days", "最短间隔（天）")
    _bad(api.patch(f"{RULES}{rule.pk}/", {"message": "x" * 201}, format="json"), "message", "提示信息")
    _bad(api.put(f"{RULES}{rule.pk}/", {"message": "x"}, format="json"), "is_active", "启用")
    _bad(api.post(RULES, {"code": "c1", "from_field": "nope", "to_field": "talked_on", "min_days": 1,
                          "message": "m"}, format="json"), "from_field", "起始日期字段")  # fmt: skip
    _bad(api.post(RULES, {"code": rule.code, "from_field": "applied_on", "to_field": "talked_on", "min_days": 1,
                          "message": "m"}, format="json"), "code", "规则代码")  # fmt: skip
    assert not AuditLog.objects.filter(event__startswith="recruitmentrule.").exists()


# --- meeting requirements ------------------------------------------------------------------------------------

MEETINGS = "/api/v1/responsibility/meeting-requirements/"


def test_meeting_requirements_read_by_a_county_user_with_labels(users, api_for):
    rows = assert_documented(api_for(users.district_staff).get(MEETINGS))
    lecture = next(r for r in rows if r["kind"] == "party_lecture")
    assert lecture["kind_display"] == "党课" and lecture["period_display"] == "每季度" and lecture["source"]
    assert_documented(api_for(users.secretary_a).get(f"{MEETINGS}{lecture['id']}/"))
    assert api_for(users.leader).get(f"{MEETINGS}999999/").status_code == 404


@pytest.mark.parametrize("who", ["district_staff", "city_staff", "leader"])
def test_meeting_requirement_writes_refused_for_non_root(users, api_for, who):
    api = api_for(getattr(users, who))
    req = MeetingRequirement.objects.first()
    _refused(api.patch(f"{MEETINGS}{req.pk}/", {"minimum_count": 2}, format="json"))
    _refused(api.post(MEETINGS, {"kind": "party_lecture", "period": "month", "minimum_count": 1}, format="json"))
    assert not AuditLog.objects.filter(event__startswith="meetingrequirement.").exists()


def test_meeting_requirement_update_and_create_by_root_are_audited(users, api_for):
    api = api_for(users.admin)
    req = MeetingRequirement.objects.get(kind="party_lecture")
    body = assert_documented(api.patch(f"{MEETINGS}{req.pk}/", {"minimum_count": 2}, format="json"))
    assert body["minimum_count"] == 2
    assert AuditLog.objects.filter(event="meetingrequirement.update", object_id=str(req.pk)).exists()
    body = assert_documented(api.put(f"{MEETINGS}{req.pk}/", {"period": "month", "minimum_count": 1,
                                                               "per_party_group": False, "is_active": True},
                                     format="json"))  # fmt: skip
    assert (body["period"], body["period_display"], body["source"]) == ("month", "每月", "")
    MeetingRequirement.objects.filter(pk=req.pk).delete()
    resp = api.post(MEETINGS, {"kind": "party_lecture", "period": "quarter", "minimum_count": 1,
                               "source": "某省规定"}, format="json")  # fmt: skip
    assert resp.status_code == 201
    body = assert_documented(resp)
    assert AuditLog.objects.filter(event="meetingrequirement.create", object_id=str(body["id"])).exists()


def test_meeting_requirement_bad_input_names_the_field(users, api_for):
    api = api_for(users.admin)
    req = MeetingRequirement.objects.first()
    _bad(api.patch(f"{MEETINGS}{req.pk}/", {"minimum_count": 0}, format="json"), "minimum_count", "最少次数")
    _bad(api.patch(f"{MEETINGS}{req.pk}/", {"period": "week"}, format="json"), "period", "周期")
    _bad(api.patch(f"{MEETINGS}{req.pk}/", {"minimum_count": 10**30}, format="json"), "minimum_count", "最少次数")
    _bad(api.post(MEETINGS, {"kind": req.kind, "period": "month", "minimum_count": 1}, format="json"),
         "kind", "会议类型")  # fmt: skip


# --- dues brackets -------------------------------------------------------------------------------------------

BRACKETS = "/api/v1/members/dues-brackets/"
ROWS = [
    {"upper_bound": "4000", "rate_percent": "0.5"},
    {"upper_bound": None, "rate_percent": "1"},
]


def _next_year() -> int:
    return timezone.localdate().year + 1


def test_dues_brackets_list_the_builtin_tables_and_a_province_table(users, api_for):
    year = _next_year()
    resp = api_for(users.admin).put(f"{BRACKETS}{year}/employed/", {"rows": ROWS, "note": "某省党费办法第三条"},
                                    format="json")  # fmt: skip
    body = assert_documented(resp)
    assert resp.status_code == 200 and body["year"] == year and not body["builtin"] and not body["in_use"]
    assert body["source"] == "某省党费办法第三条" and [r["value_display"] for r in body["rows"]] == ["0.5%", "1%"]
    assert AuditLog.objects.filter(event="duesbracket.create").exists()
    api = api_for(users.district_staff)
    tables = assert_documented(api.get(BRACKETS))
    builtin = [t for t in tables if t["builtin"]]
    assert len(builtin) == 6 and all("中组发〔2008〕3号" in t["source"] for t in builtin)
    assert any(t["year"] == year and t["category"] == "employed" for t in tables)
    assert [t["year"] for t in assert_documented(api.get(BRACKETS, {"year": year}))] == [year]
    assert len(assert_documented(api.get(BRACKETS, {"year": 2008}))) == 6
    one = assert_documented(api.get(f"{BRACKETS}{year}/employed/"))
    assert one["rows"][0]["range_display"] == "4000元以下（含）"
    assert assert_documented(api.get(f"{BRACKETS}2008/farmer/"))["builtin"] is True


def test_dues_brackets_replace_and_delete_by_root_are_audited(users, api_for):
    api, year = api_for(users.admin), _next_year()
    api.put(f"{BRACKETS}{year}/retiree/", {"rows": ROWS, "note": "办法"}, format="json")
    body = assert_documented(api.put(f"{BRACKETS}{year}/retiree/", {"rows": [{"rate_percent": "1"}], "note": "新办法"},
                                     format="json"))  # fmt: skip
    assert len(body["rows"]) == 1 and AuditLog.objects.filter(event="duesbracket.update").exists()
    resp = api.delete(f"{BRACKETS}{year}/retiree/")
    assert resp.status_code == 204
    assert_documented(resp)
    assert AuditLog.objects.filter(event="duesbracket.delete").exists()
    assert assert_documented(api.delete(f"{BRACKETS}{year}/retiree/"))["error"] == "not_found"


@pytest.mark.parametrize("who", ["district_staff", "city_staff", "leader"])
def test_dues_bracket_writes_refused_for_non_root(users, api_for, who):
    api, year = api_for(getattr(users, who)), _next_year()
    _refused(api.put(f"{BRACKETS}{year}/employed/", {"rows": ROWS, "note": "办法"}, format="json"))
    _refused(api.delete(f"{BRACKETS}{year}/employed/"))
    assert not AuditLog.objects.filter(event__startswith="duesbracket.").exists()


def test_dues_bracket_bad_input_and_bad_paths(users, api_for):
    api, year = api_for(users.admin), _next_year()
    url = f"{BRACKETS}{year}/employed/"
    _bad(api.put(url, {"rows": ROWS, "note": ""}, format="json"), "note", "依据")
    _bad(api.put(url, {"rows": [{"rate_percent": "abc"}], "note": "n"}, format="json"), "rows", "比例")
    _bad(api.put(url, {"rows": "x", "note": "n"}, format="json"), "rows", "各档标准")
    _bad(api.put(url, {"rows": [{"upper_bound": "100", "rate_percent": "1"}], "note": "n"}, format="json"),
         "upper_bound_1", "第1档")  # fmt: skip
    _bad(api.put(f"{BRACKETS}2008/employed/", {"rows": ROWS, "note": "n"}, format="json"), "year", "执行年度")
    _bad(api.put(f"{BRACKETS}{10**12}/employed/", {"rows": ROWS, "note": "n"}, format="json"), "year", "执行年度")
    _bad(api.get(BRACKETS, {"year": "abc"}), "year", "执行年度")
    for path in (f"{BRACKETS}abc/employed/", f"{BRACKETS}{year}/nope/", f"{BRACKETS}{10**12}/employed/",
                 f"{BRACKETS}-1/employed/", f"{BRACKETS}{year}/employed/"):  # fmt: skip
        resp = api.get(path)
        assert resp.status_code == 404, path
        if path.startswith(f"{BRACKETS}-") or "/abc/" in path:
            continue  # not an operation of the schema (the URL pattern does not match)
        assert_documented(resp)
    assert api.put(f"{BRACKETS}{year}/nope/", {"rows": ROWS, "note": "n"}, format="json").status_code == 404
    assert not AuditLog.objects.filter(event__startswith="duesbracket.").exists()


# --- work calendar -------------------------------------------------------------------------------------------

DAYS = "/api/v1/work-calendar/days/"
MONDAY = datetime.date(2031, 1, 6)
SATURDAY = datetime.date(2031, 1, 11)


def test_work_calendar_read_by_any_user(users, api_for):
    WorkCalendarDay.objects.create(date=MONDAY, is_workday=False, note="元旦", source="通知")
    body = assert_documented(api_for(users.secretary_a).get(DAYS, {"year": 2031}))
    assert body == [{"date": "2031-01-06", "weekday": "星期一", "kind": "holiday", "kind_display": "放假",
                     "note": "元旦", "source": "通知"}]  # fmt: skip
    assert_documented(api_for(users.leader).get(DAYS))
    for year in ("abc", "1999", "99999", "２０３１"):
        _bad(api_for(users.leader).get(DAYS, {"year": year}), "year", "年度")


def test_work_calendar_writes_refused_for_non_root(users, api_for):
    for who in ("city_staff", "district_staff", "leader"):
        api = api_for(getattr(users, who))
        _refused(api.post(DAYS, {"date": "2031-01-06", "kind": "holiday", "source": "通知"}, format="json"))
        _refused(api.delete(f"{DAYS}2031-01-06/"))
        _refused(api.post("/api/v1/work-calendar/import/", {"year": 2031, "text": "1月6日 放假"}, format="json"))
    assert not WorkCalendarDay.objects.filter(date=MONDAY).exists()


def test_work_calendar_add_remove_and_import_by_root_are_audited(users, api_for):
    api = api_for(users.admin)
    resp = api.post(DAYS, {"date": "2031-01-11", "kind": "workday", "note": "调休", "source": "通知"}, format="json")
    assert resp.status_code == 201
    assert assert_documented(resp)["weekday"] == "星期六"
    assert AuditLog.objects.filter(event="workcalendarday.create").exists()
    resp = api.delete(f"{DAYS}2031-01-11/")
    assert resp.status_code == 204
    assert_documented(resp)
    assert AuditLog.objects.filter(event="workcalendarday.delete").exists()
    assert not WorkCalendarDay.objects.filter(date=SATURDAY).exists()
    resp = api.post("/api/v1/work-calendar/import/",
                    {"year": 2031, "text": "1月4日至6日 放假 元旦\n1月11日 上班 调休", "replace": True}, format="json")  # fmt: skip
    assert assert_documented(resp) == {"written": 2, "removed": 0, "skipped_weekends": 2}
    row = WorkCalendarDay.objects.get(date=MONDAY)
    assert row.source == "国务院办公厅关于2031年部分节假日安排的通知"


def test_work_calendar_bad_input_names_the_field(users, api_for):
    api = api_for(users.admin)
    _bad(api.post(DAYS, {"date": "2031-01-11", "kind": "holiday", "source": "通知"}, format="json"), "date", "周末")
    _bad(api.post(DAYS, {"date": "2031-01-06", "kind": "x", "source": "通知"}, format="json"), "kind", "类型")
    _bad(api.post(DAYS, {"date": "0001-01-01", "kind": "holiday", "source": "通知"}, format="json"), "date", "日期")
    _bad(api.post(DAYS, {"date": "not a date", "kind": "holiday", "source": "s"}, format="json"), "date", "日期")
    _bad(api.post(DAYS, {"date": "2031-01-06", "kind": "holiday", "source": ""}, format="json"), "source", "依据")
    _bad(api.post("/api/v1/work-calendar/import/", {"year": 2031, "text": "胡言乱语"}, format="json"), "text", "第1行")
    _bad(api.post("/api/v1/work-calendar/import/", {"year": 10**20, "text": "1月6日 放假"}, format="json"),
         "year", "年度")  # fmt: skip
    for date in ("2031-01-06", "garbage", "0001-01-01"):
        resp = api.delete(f"{DAYS}{date}/")
        assert resp.status_code == 404
        assert_documented(resp)
    assert not AuditLog.objects.filter(event__startswith="workcalendarday.").exists()


# --- rule parameters -----------------------------------------------------------------------------------------

PARAMS = "/api/v1/parameters/"


def test_parameters_read_by_any_user(users, api_for):
    rows = assert_documented(api_for(users.district_staff).get(PARAMS))
    row = next(r for r in rows if r["key"] == "branch_max_members")
    assert row["default"] == row["value"] == "50" and row["description"] and row["overridden"] is False
    assert assert_documented(api_for(users.leader).get(f"{PARAMS}branch_max_members/"))["value"] == "50"
    assert assert_documented(api_for(users.leader).get(f"{PARAMS}no_such_key/"))["error"] == "not_found"


def test_parameter_set_and_reset_by_root_are_audited_and_refused_for_others(users, api_for):
    for who in ("city_staff", "district_staff", "leader"):
        _refused(api_for(getattr(users, who)).patch(f"{PARAMS}branch_max_members/", {"value": "40"}, format="json"))
        _refused(api_for(getattr(users, who)).delete(f"{PARAMS}branch_max_members/"))
    api = api_for(users.admin)
    body = assert_documented(api.patch(f"{PARAMS}branch_max_members/", {"value": "40"}, format="json"))
    assert body["value"] == "40" and body["overridden"] is True
    assert AuditLog.objects.filter(event="parameter.update").exists()
    body = assert_documented(api.delete(f"{PARAMS}branch_max_members/"))
    assert body["value"] == "50" and body["overridden"] is False
    assert AuditLog.objects.filter(event="parameter.delete").exists()


def test_parameter_bad_input_names_the_field(users, api_for):
    api = api_for(users.admin)
    _bad(api.patch(f"{PARAMS}branch_max_members/", {"value": "abc"}, format="json"), "value", "参数值")
    _bad(api.patch(f"{PARAMS}branch_max_members/", {}, format="json"), "value", "参数值")
    _bad(api.patch(f"{PARAMS}branch_max_members/", {"value": "9" * 300}, format="json"), "value", "参数值")
    resp = api.patch(f"{PARAMS}no_such_key/", {"value": "1"}, format="json")
    assert resp.status_code == 404
    assert_documented(resp)
    assert not AuditLog.objects.filter(event__startswith="parameter.").exists()
