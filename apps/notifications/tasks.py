"""Thin Celery tasks: fetch by id / argument, call a service. (``deliveries_send_task`` lives in ``queue``,
under its historical name, so the services can enqueue it without importing this module.)"""

from __future__ import annotations

import datetime

from django.utils import timezone

from apps.core.tasks import service_task

from .queue import deliveries_send_task
from .reminders import reminders_run

__all__ = ["deliveries_send_task", "reminders_daily_task"]


@service_task()
def reminders_daily_task(date: str | None = None) -> dict[str, int]:
    day = datetime.date.fromisoformat(date) if date else timezone.localdate()
    return reminders_run(today=day)
