import datetime

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.models import AuditLog, WorkCalendarDay
from apps.core.workdays import add_working_days, calendar_day_set, is_workday, working_days_between

pytestmark = pytest.mark.django_db
D = datetime.date


def test_add_working_days_skips_a_weekend():
    # Friday 2026-11-27 + 1 working day = Monday 2026-11-30
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)
    assert add_working_days(D(2026, 11, 27), 5) == D(2026, 12, 4)
    assert add_working_days(D(2026, 11, 28), 0) == D(2026, 11, 28)


def test_add_working_days_jumps_the_national_day_holiday_week_and_counts_the_make_up_saturday():
    # 2026: 10月1日–7日放假; 9月20日(日)与10月10日(六)调休上班
    assert not is_workday(D(2026, 10, 1)) and not is_workday(D(2026, 10, 7))
    assert is_workday(D(2026, 10, 10)) and is_workday(D(2026, 9, 20))
    # Wednesday 30 Sep + 1 working day: the holiday week is skipped, Thursday 8 Oct
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # Friday 9 Oct + 1 = the make-up Saturday 10 Oct
    assert add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    # Saturday 19 Sep + 1 = the make-up Sunday 20 Sep
    assert add_working_days(D(2026, 9, 19), 1) == D(2026, 9, 20)


def test_spring_festival_2026_is_nine_days_off_with_two_make_up_saturdays():
    assert all(not is_workday(D(2026, 2, 15) + datetime.timedelta(days=i)) for i in range(9))
    assert is_workday(D(2026, 2, 14)) and is_workday(D(2026, 2, 28))
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_2027_has_only_the_fixed_date_holidays_seeded():
    assert not is_workday(D(2027, 1, 1)) and not is_workday(D(2027, 10, 1))
    assert WorkCalendarDay.objects.filter(date__year=2027).count() == 2


def test_working_days_between_is_the_inverse_of_add():
    a = D(2026, 9, 28)
    for n in range(0, 15):
        b = add_working_days(a, n)
        assert working_days_between(a, b) == n
    assert working_days_between(D(2026, 10, 8), D(2026, 9, 30)) == -1
    # a datetime counts by its local date
    assert add_working_days(datetime.datetime(2026, 11, 27, 23, 0), 1) == D(2026, 11, 30)


def test_calendar_change_by_root_admin_is_audited_and_takes_effect(users, django_capture_on_commit_callbacks):
    assert is_workday(D(2026, 12, 24))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(acting_user=users.admin, date=D(2026, 12, 24), is_workday=False, note="测试放假")
    assert not is_workday(D(2026, 12, 24))
    assert AuditLog.objects.filter(event="workcalendarday.create").exists()
    # setting it back to the default week removes the row (one row per date that differs)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(acting_user=users.admin, date=D(2026, 12, 24), is_workday=True)
    assert not WorkCalendarDay.objects.filter(date=D(2026, 12, 24)).exists()
    assert is_workday(D(2026, 12, 24))


def test_calendar_change_refused_for_a_district_user(users):
    with pytest.raises(PermissionDenied):
        calendar_day_set(acting_user=users.district_staff, date=D(2026, 12, 24), is_workday=False)
