"""Schedule the members' yearly-cycle jobs in django-celery-beat (editable in admin; never overwritten)."""

from django.db import migrations

# name, task, minute, hour, day of month
ENTRIES = [
    ("党员：失联排查与党费统计（每日）", "apps.members.tasks.members_daily_task", "40", "1", "*"),
    ("党员：积分汇总与六色卡重算（每月1日）", "apps.members.tasks.members_monthly_task", "10", "3", "1"),
]


def schedule(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, day in ENTRIES:
        crontab, _ = Crontab.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month=day, month_of_year="*", timezone="Asia/Shanghai"
        )
        Task.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab, "kwargs": "{}"})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[e[0] for e in ENTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_import_job_new_preview"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
