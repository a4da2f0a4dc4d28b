"""工作日历 on a page: root administrators list a year's holidays and make-up days with their source, add and
remove days (validated, audited) or paste a year's list; deadlines computed afterwards follow the change."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from apps.core.calendar_settings import calendar_day_add, calendar_import, parse_calendar_text
from apps.core.models import AuditLog, WorkCalendarDay
from apps.core.workdays import add_working_days, is_workday
from tests.factories.accounts import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "core:work_calendar_settings"


def test_root_admin_sees_the_year_with_the_state_council_notice_as_source(client_for, users):
    html = client_for(users.admin).get(reverse(URL), {"year": 2026}).content.decode()
    assert "2026-10-01" in html and "国庆节" in html and "调休上班" in html and "2026-10-10" in html
    assert "国务院办公厅关于2026年部分节假日安排的通知" in html
    html = client_for(users.admin).get(reverse(URL), {"year": 2027}).content.decode()
    assert "《全国年节及纪念日放假办法》" in html


def test_pages_and_writes_are_refused_below_the_root(client_for, tree, users):
    district_admin = make_user(tree.district_b, "system_admin", username="district_b_admin")
    delete = reverse("core:work_calendar_delete", args=["2026-10-01"])
    for user in (users.city_staff, users.district_staff, users.district_b_staff, users.secretary_a, district_admin):
        client = client_for(user)
        assert client.get(reverse(URL)).status_code == 403
        assert client.post(reverse(URL), {"date": "2026-12-24", "kind": "holiday", "source": "x"}).status_code == 403
        assert client.get(delete).status_code == 403 and client.post(delete).status_code == 403
    assert WorkCalendarDay.objects.filter(date=D(2026, 10, 1)).exists()
    assert not WorkCalendarDay.objects.filter(date=D(2026, 12, 24)).exists()
    with pytest.raises(PermissionDenied):
        calendar_day_add(acting_user=district_admin, date=D(2026, 12, 24), kind="holiday", source="x")


def test_adding_a_holiday_moves_a_working_day_deadline_and_is_audited(
    client_for, users, django_capture_on_commit_callbacks
):
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 24)
    form = {"action": "add", "date": "2026-12-24", "kind": "holiday", "note": "临时放假", "source": "某某通知"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(users.admin).post(reverse(URL), form).status_code == 302
    assert not is_workday(D(2026, 12, 24))
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 25)
    assert WorkCalendarDay.objects.get(date=D(2026, 12, 24)).source == "某某通知"
    assert AuditLog.objects.filter(event="workcalendarday.create", object_repr__contains="2026-12-24").exists()
    # removing it puts the deadline back
    delete = reverse("core:work_calendar_delete", args=["2026-12-24"])
    assert client_for(users.admin).get(delete).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(users.admin).post(delete).status_code == 302
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 24)
    assert AuditLog.objects.filter(event="workcalendarday.delete").exists()


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"date": "2026-12-23", "kind": "workday"}, "date", "调休上班日应为周六或周日"),
        ({"date": "2026-12-26", "kind": "holiday"}, "date", "是周末，本来就休息"),
        ({"date": "2026-10-10", "kind": "holiday"}, "date", "是周末"),
        ({"date": "2026-10-01", "kind": "holiday"}, "date", "同一天不能既放假又调休上班"),
        ({"date": "2026-12-24", "kind": "holiday", "source": ""}, "source", "依据：请填写依据"),
        ({"date": "", "kind": "holiday"}, "date", "日期：请选择日期"),
        ({"date": "2026-12-24", "kind": ""}, "kind", "类型：请选择"),
    ],
)
def test_bad_days_are_refused_on_the_field_naming_it(client_for, users, form, field, words):
    data = {"action": "add", "source": "某某通知", **form}
    resp = client_for(users.admin).post(reverse(URL), data)
    assert resp.status_code == 400
    errors = resp.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert not AuditLog.objects.filter(event__startswith="workcalendarday.").exists()


def test_a_make_up_saturday_added_on_the_page_counts_as_a_working_day(client_for, users):
    form = {"action": "add", "date": "2026-12-26", "kind": "workday", "note": "调休", "source": "某某通知"}
    assert client_for(users.admin).post(reverse(URL), form).status_code == 302
    assert WorkCalendarDay.objects.get(date=D(2026, 12, 26)).is_workday


def test_a_pasted_year_replaces_the_seeded_days_and_moves_deadlines(
    client_for, users, django_capture_on_commit_callbacks
):
    text = "\n".join(
        [
            "1月1日 放假 元旦",
            "2027-02-06至2027-02-14 放假 春节",
            "2月20日 上班 春节调休",
            "10月1日至7日 放假 国庆节",
            "10月9日 上班 国庆节调休",
        ]
    )
    form = {"action": "import", "year": "2027", "text": text, "source": "", "replace": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_for(users.admin).post(reverse(URL), form)
    assert resp.status_code == 302
    days = dict(WorkCalendarDay.objects.filter(date__year=2027).values_list("date", "is_workday"))
    assert days[D(2027, 2, 8)] is False and D(2027, 2, 6) not in days  # a Saturday inside the span: not stored
    assert days[D(2027, 2, 20)] is True and days[D(2027, 10, 9)] is True
    assert D(2027, 10, 1) in days
    sources = set(WorkCalendarDay.objects.filter(date__year=2027).values_list("source", flat=True))
    assert sources == {"国务院办公厅关于2027年部分节假日安排的通知"}
    # Friday 5 Feb + 1 working day: the holiday week is skipped
    assert add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 15)
    assert AuditLog.objects.filter(event="workcalendarday.create").count() >= 10


def test_a_pasted_list_is_checked_line_by_line_with_all_errors_at_once(client_for, users):
    text = "2月8日 上班 调休\n看不懂的一行\n2028-01-03 放假 元旦\n10月1日 放假 国庆\n10月1日 上班 国庆调休"
    resp = client_for(users.admin).post(reverse(URL), {"action": "import", "year": "2027", "text": text})
    assert resp.status_code == 400
    errors = " ".join(resp.context["import_form"].errors["text"])
    assert "第1行" in errors and "调休上班日应为周六或周日" in errors
    assert "第2行" in errors and "第3行：日期不在2027年" in errors
    assert "第5行" in errors and "10月1日（星期五）" in errors  # both a holiday and a make-up day
    assert not AuditLog.objects.filter(event__startswith="workcalendarday.").exists()


def test_import_keeps_the_other_days_of_the_year_unless_asked_to_replace_them(users):
    result = calendar_import(acting_user=users.admin, year=2026, text="2026-12-24至2026-12-27 放假 测试", source="x")
    assert result == {"written": 2, "removed": 0, "skipped_weekends": 2}  # 26–27 Dec are a weekend
    assert WorkCalendarDay.objects.filter(date=D(2026, 10, 1)).exists()
    assert parse_calendar_text("2026年12月24日 放假", 2026).days == [(D(2026, 12, 24), False, "")]
    with pytest.raises(PermissionDenied):
        calendar_import(acting_user=users.district_staff, year=2026, text="2026-12-28 放假", source="x")
    assert not WorkCalendarDay.objects.filter(date=D(2026, 12, 28)).exists()
