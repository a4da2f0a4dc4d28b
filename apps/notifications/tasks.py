"""Thin Celery tasks: fetch by id / argument, call a service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from celery import shared_task
from django.db import OperationalError, close_old_connections, connection


@contextmanager
def fresh_connection() -> Iterator[None]:
    """Drop a stale or broken connection before and after the work (Celery 5.5+ may keep one across tasks, or
    close it after each). Inside an atomic block — an eager task called from a request or a test — leave it."""
    if not connection.in_atomic_block:
        close_old_connections()
    try:
        yield
    finally:
        if not connection.in_atomic_block:
            close_old_connections()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def deliveries_send_task() -> dict[str, int]:
    from .services import deliveries_send

    with fresh_connection():
        return deliveries_send()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def reminders_daily_task(date: str | None = None) -> dict[str, int]:
    import datetime

    from django.utils import timezone

    from .reminders import reminders_run

    with fresh_connection():
        day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        return reminders_run(today=day)
