"""Thin Celery tasks: fetch by id / argument, call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError, close_old_connections


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def deliveries_send_task() -> dict[str, int]:
    from .services import deliveries_send

    close_old_connections()
    try:
        return deliveries_send()
    finally:
        close_old_connections()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def reminders_daily_task(date: str | None = None) -> dict[str, int]:
    import datetime

    from django.utils import timezone

    from .reminders import reminders_run

    close_old_connections()
    try:
        day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        return reminders_run(today=day)
    finally:
        close_old_connections()
