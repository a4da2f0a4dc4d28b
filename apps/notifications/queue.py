"""The send queue: the Celery task that sends due e-mail/SMS deliveries, and ``enqueue_send`` for the services
that create them (after commit). Its own module so that services enqueue and the task sends without the two
importing each other: services -> queue -> sending."""

from __future__ import annotations

from apps.core.tasks import service_task

from .sending import deliveries_send


@service_task(name="apps.notifications.tasks.deliveries_send_task")
def deliveries_send_task() -> dict[str, int]:
    return deliveries_send()


def enqueue_send() -> None:
    deliveries_send_task.delay()
