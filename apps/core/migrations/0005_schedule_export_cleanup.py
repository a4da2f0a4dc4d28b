"""Schedule the hourly cleanup of expired background-export files (editable in admin: django-celery-beat)."""

from django.db import migrations

NAME = "导出Excel：删除过期的后台导出文件"


def schedule(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="17", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    Task.objects.get_or_create(
        name=NAME, defaults={"task": "apps.core.tasks.export_jobs_cleanup_task", "crontab": crontab}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_export_job"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
