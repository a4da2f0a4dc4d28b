from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "安装（或补齐）三函和通知的默认定时任务到 django_celery_beat（已存在的条目不覆盖，管理员修改保留）"

    def handle(self, *args: Any, **kw: Any) -> None:
        from apps.supervision.schedule import install_default_schedule

        created = install_default_schedule()
        self.stdout.write(f"新增定时任务 {created} 个")
