"""组织生活日: inherited down the tree and overridable, holiday-shifted, a reminder before it and a letter item
after it when no 主题党日 is recorded; set on the settings hub, validated, audited, refused outside scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.due_items import collect_due_items
from apps.core.models import AuditLog, WorkCalendarDay
from apps.core.periods import Period
from apps.core.workdays import invalidate as workdays_invalidate
from apps.responsibility import life_day
from apps.responsibility.models import OrgLifeDay
from tests.factories.responsibility import make_ledger, make_meeting

pytestmark = pytest.mark.django_db

FIRST_TUESDAY = {"rule": "weekday", "week": 1, "weekday": 1, "postpone_on_holiday": True}


def test_dates_first_tuesday_last_friday_and_fixed_day():
    s = OrgLifeDay(rule="weekday", week=1, weekday=1)
    assert s.nominal_date(2026, 12) == datetime.date(2026, 12, 1)
    assert OrgLifeDay(rule="weekday", week=5, weekday=4).nominal_date(2026, 12) == datetime.date(2026, 12, 25)
    assert OrgLifeDay(rule="monthday", day=10).nominal_date(2026, 2) == datetime.date(2026, 2, 10)


@pytest.fixture
def calendar_reset():
    yield
    workdays_invalidate()  # the calendar cache must not keep this test's holiday after its rollback


def test_a_holiday_moves_the_day_to_the_next_working_day(calendar_reset):
    WorkCalendarDay.objects.update_or_create(date=datetime.date(2026, 12, 1), defaults={"is_workday": False})
    workdays_invalidate()
    s = OrgLifeDay(rule="weekday", week=1, weekday=1, postpone_on_holiday=True)
    assert life_day.date_in(s, Period(2026, 12)) == datetime.date(2026, 12, 2)
    s.postpone_on_holiday = False
    assert life_day.date_in(s, Period(2026, 12)) == datetime.date(2026, 12, 1)


def test_inherited_down_the_tree_and_overridable(tree, users):
    life_day.life_day_set(acting_user=users.district_staff, organization=tree.district_a, data=FIRST_TUESDAY)
    life_day.life_day_set(acting_user=users.secretary_a, organization=tree.branch_a,
                          data={"rule": "monthday", "day": 10, "postpone_on_holiday": False})  # fmt: skip
    days = life_day.branch_days(period=Period(2026, 12))
    assert days[tree.branch_a.pk] == datetime.date(2026, 12, 10)  # its own
    assert days[tree.branch_b.pk] == datetime.date(2026, 12, 1)  # the district's
    assert tree.branch_c.pk not in days  # another district: none set
    setting, own = life_day.effective_for(tree.branch_b)
    assert setting.organization == tree.district_a and not own
    life_day.life_day_clear(acting_user=users.secretary_a, organization=tree.branch_a)
    assert life_day.branch_days(period=Period(2026, 12))[tree.branch_a.pk] == datetime.date(2026, 12, 1)
    events = set(AuditLog.objects.filter(event__startswith="orglifeday.").values_list("event", flat=True))
    assert events == {"orglifeday.create", "orglifeday.delete"}


def test_invalid_input_is_refused_naming_the_field(tree, users):
    with pytest.raises(ValidationError) as exc:
        life_day.life_day_set(acting_user=users.district_staff, organization=tree.district_a,
                              data={"rule": "monthday", "day": 31})  # fmt: skip
    assert "day" in exc.value.message_dict and "1至28" in exc.value.message_dict["day"][0]
    with pytest.raises(ValidationError) as exc:
        life_day.life_day_set(acting_user=users.district_staff, organization=tree.district_a,
                              data={"rule": "weekday", "week": 2})  # fmt: skip
    assert "weekday" in exc.value.message_dict


def test_a_sibling_district_is_refused_in_the_service_and_on_the_page(client_for, tree, users):
    with pytest.raises(PermissionDenied):
        life_day.life_day_set(acting_user=users.district_b_staff, organization=tree.district_a, data=FIRST_TUESDAY)
    client = client_for(users.district_b_staff)
    url = reverse("responsibility:life_day_settings") + f"?org={tree.branch_a.code}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"org": tree.branch_a.code, **FIRST_TUESDAY}).status_code == 404
    assert not OrgLifeDay.objects.exists()


def test_settings_page_saves_shows_inheritance_and_is_on_the_hub(client_for, tree, users):
    client = client_for(users.district_staff)
    assert reverse("responsibility:life_day_settings") in client.get(reverse("core:org_settings")).content.decode()
    url = reverse("responsibility:life_day_settings")
    bad = client.post(url, {"rule": "monthday", "day": "40"})
    assert bad.status_code == 200 and "1至28" in bad.content.decode()
    assert (
        client.post(url, {"rule": "weekday", "week": "1", "weekday": "1", "postpone_on_holiday": "on"}).status_code
        == 302
    )
    assert OrgLifeDay.objects.get(organization=tree.district_a).describe() == "每月第一个星期二"
    page = client_for(users.secretary_a).get(url).content.decode()
    assert "执行上级“甲区委”的组织生活日：每月第一个星期二" in page


def test_letters_list_a_branch_whose_day_passed_without_a_theme_day(tree, users):
    life_day.life_day_set(acting_user=users.district_staff, organization=tree.district_a, data=FIRST_TUESDAY)
    make_meeting(make_ledger(tree.branch_b, Period(2026, 11)), "theme_day", day=3)
    items = [i for i in collect_due_items(period=Period(2026, 11), stage="warning") if i.kind == "life_day_missed"]
    assert [i.organization_id for i in items] == [tree.branch_a.pk]
    assert "11月3日（星期二）组织生活日已过" in items[0].title
    assert not [i for i in collect_due_items(period=Period(2026, 11), stage="reminder") if i.kind == "life_day_missed"]


def test_reminder_the_day_before_reaches_the_branch_users_once(tree, users):
    from apps.notifications.models import Notice
    from apps.notifications.reminders import reminders_run

    life_day.life_day_set(acting_user=users.district_staff, organization=tree.district_a, data=FIRST_TUESDAY)
    assert reminders_run(today=datetime.date(2026, 11, 1), only=["life_day"]) == {"life_day": 0}
    counts = reminders_run(today=datetime.date(2026, 11, 2), only=["life_day"])
    assert counts["life_day"] >= 1
    notice = Notice.objects.get(recipient=users.secretary_a, category="life_day")
    assert "11月3日（星期二）是本支部的组织生活日" in notice.title
    assert reminders_run(today=datetime.date(2026, 11, 2), only=["life_day"]) == {"life_day": 0}  # idempotent


def test_api_reads_and_sets_within_scope_and_refuses_a_sibling(api_for, tree, users):
    api = api_for(users.district_staff)
    assert api.get("/api/v1/responsibility/life-day/").json()["rule"] is None
    resp = api.put("/api/v1/responsibility/life-day/", {"rule": "weekday", "week": 1, "weekday": 1}, format="json")
    assert resp.status_code == 200 and resp.json()["own"] and resp.json()["description"] == "每月第一个星期二"
    bad = api.put("/api/v1/responsibility/life-day/", {"rule": "monthday", "day": None}, format="json")
    assert bad.status_code == 400 and "day" in bad.json()
    below = api_for(users.secretary_a).get("/api/v1/responsibility/life-day/").json()
    assert below["own"] is False and below["source_organization_name"] == "甲区委"
    sibling = api_for(users.district_b_staff)
    assert sibling.get(f"/api/v1/responsibility/life-day/?org={tree.branch_a.code}").status_code == 404
    assert sibling.put(f"/api/v1/responsibility/life-day/?org={tree.branch_a.code}",
                       {"rule": "monthday", "day": 5}, format="json").status_code == 404  # fmt: skip
    assert api_for(users.leader).get("/api/v1/responsibility/life-day/").status_code == 403


def test_the_letters_source_and_the_reminder_take_a_fixed_number_of_queries(tree, users, django_assert_max_num_queries):
    life_day.life_day_set(acting_user=users.district_staff, organization=tree.district_a, data=FIRST_TUESDAY)
    life_day.life_day_set(acting_user=users.secretary_a, organization=tree.branch_a,
                          data={"rule": "monthday", "day": 10, "postpone_on_holiday": False})  # fmt: skip
    life_day.date_in(OrgLifeDay(rule="monthday", day=1), Period(2026, 11))  # warm the calendar cache
    with django_assert_max_num_queries(3):  # settings, branches, theme days held: whatever the tree's size
        life_day.life_day_due_items(period=Period(2026, 11), stage="warning")
    with django_assert_max_num_queries(3):
        life_day.life_day_reminders(datetime.date(2026, 11, 2))
