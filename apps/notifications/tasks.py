"""Thin Celery tasks: fetch by id / argument, call a service."""

from __future__ import annotations

from apps.core.tasks import service_task


@service_task()
def deliveries_send_task() -> dict[str, int]:
    from .services import deliveries_send

    return deliveries_send()


@service_task()
def reminders_daily_task(date: str | None = None) -> dict[str, int]:
    import datetime

    from django.utils import timezone

    from .reminders import reminders_run

    day = datetime.date.fromisoformat(date) if date else timezone.localdate()
    return reminders_run(today=day)
