"""China's public holidays and make-up working days (调休上班) as exceptions to the Monday–Friday week.

2026: the State Council's schedule (国务院办公厅关于2026年部分节假日安排的通知, 2025年11月4日).
2027: the schedule was not published when this was written, so only the fixed-date statutory holidays that
fall on weekdays are seeded (元旦 1月1日, 国庆 10月1日; 劳动节 5月1–2日 fall on a weekend). The lunar
holidays (春节, 清明, 端午, 中秋) and all make-up working days of 2027 must be entered on the settings page
(工作日历) once the State Council publishes them, usually in November of the year before.
"""

import datetime

from django.db import migrations

HOLIDAY, WORKDAY = False, True


def _span(first: str, last: str, note: str) -> list[tuple[str, bool, str]]:
    a, b = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    out = []
    while a <= b:
        if a.weekday() < 5:  # weekend holidays equal the default week: no row
            out.append((a.isoformat(), HOLIDAY, note))
        a += datetime.timedelta(days=1)
    return out


DAYS = [
    *_span("2026-01-01", "2026-01-03", "元旦"),
    ("2026-01-04", WORKDAY, "元旦调休上班"),
    *_span("2026-02-15", "2026-02-23", "春节"),
    ("2026-02-14", WORKDAY, "春节调休上班"),
    ("2026-02-28", WORKDAY, "春节调休上班"),
    *_span("2026-04-04", "2026-04-06", "清明节"),
    *_span("2026-05-01", "2026-05-05", "劳动节"),
    ("2026-05-09", WORKDAY, "劳动节调休上班"),
    *_span("2026-06-19", "2026-06-21", "端午节"),
    *_span("2026-09-25", "2026-09-27", "中秋节"),
    *_span("2026-10-01", "2026-10-07", "国庆节"),
    ("2026-09-20", WORKDAY, "国庆节调休上班"),
    ("2026-10-10", WORKDAY, "国庆节调休上班"),
    # 2027: fixed-date statutory holidays only (see the module docstring).
    *_span("2027-01-01", "2027-01-01", "元旦"),
    *_span("2027-05-01", "2027-05-02", "劳动节"),
    *_span("2027-10-01", "2027-10-03", "国庆节"),
]


def seed(apps, schema_editor):
    Day = apps.get_model("core", "WorkCalendarDay")
    existing = set(Day.objects.values_list("date", flat=True))
    Day.objects.bulk_create(
        [
            Day(date=datetime.date.fromisoformat(d), is_workday=w, note=n)
            for d, w, n in DAYS
            if datetime.date.fromisoformat(d) not in existing
        ]
    )


def unseed(apps, schema_editor):
    Day = apps.get_model("core", "WorkCalendarDay")
    Day.objects.filter(date__in=[datetime.date.fromisoformat(d) for d, _w, _n in DAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_work_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
