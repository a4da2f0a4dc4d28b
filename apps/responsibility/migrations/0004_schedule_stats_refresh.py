"""Schedule the nightly refresh of the roll-up figures (editable in admin: django-celery-beat)."""

from django.db import migrations

NAME = "责任清单与台账：刷新月度统计"


def schedule(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    Task.objects.get_or_create(
        name=NAME, defaults={"task": "apps.responsibility.tasks.stats_refresh_task", "crontab": crontab}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0003_meeting_attendance"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
