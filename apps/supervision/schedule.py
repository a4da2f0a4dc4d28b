"""The default beat schedule, stored in django_celery_beat so an admin can edit it.

The letter entries run daily; each issuer's rule (LetterRule: 1st / 15th / last day by default) decides on
which day its letters go out. Run exactly one ``celery beat`` process (the DatabaseScheduler has no
cross-process lock); a second beat would enqueue every job twice — harmless for the letters (the service is
idempotent) but wasteful.
"""

from __future__ import annotations

import json
from typing import Any

DEFAULT_ENTRIES = [
    # name, task, minute, hour, kwargs
    ("三函：工作提示函（按规则日期，默认每月1日）", "apps.supervision.tasks.letters_issue_scheduled_task", "0", "7",
     {"kind": "reminder"}),
    ("三函：工作督办函（按规则日期，默认每月15日）", "apps.supervision.tasks.letters_issue_scheduled_task", "10", "7",
     {"kind": "supervision"}),
    ("三函：工作预警函（按规则日期，默认月末）", "apps.supervision.tasks.letters_issue_scheduled_task", "20", "7",
     {"kind": "warning"}),
    ("通知：每日提醒（换届、转正、台账、介绍信、政治生日）", "apps.notifications.tasks.reminders_daily_task",
     "0", "8", {}),
    ("通知：重试发送失败的邮件和短信", "apps.notifications.tasks.deliveries_send_task", "*/10", "*", {}),
]  # fmt: skip


def install_default_schedule(apps: Any = None) -> int:
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    created = 0
    for name, task, minute, hour, kwargs in DEFAULT_ENTRIES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        cron, _ = Crontab.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.create(name=name, task=task, crontab=cron, kwargs=json.dumps(kwargs), enabled=True)
        created += 1
    return created
