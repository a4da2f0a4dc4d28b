"""The one way to write a Celery task: ``@service_task()``.

A task is thin: it takes ids / ISO dates, calls a service and returns a small JSON-able result. The decorator
gives every task the same delivery rules: retried with backoff on a database ``OperationalError``,
acknowledged late (a worker that dies mid-task leaves it to another worker, so the service must be
idempotent), and run inside ``fresh_connection()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from django.db import OperationalError, close_old_connections, connection

TASK_MAX_RETRIES = 5


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


def service_task(*, max_retries: int = TASK_MAX_RETRIES, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``shared_task`` with retry on OperationalError (exponential backoff), late ack and a fresh connection.
    The task keeps the function's module and name (so beat schedules and routes stay valid)."""

    def decorate(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with fresh_connection():
                return func(*args, **kwargs)

        return shared_task(
            autoretry_for=(OperationalError,),
            retry_backoff=True,
            max_retries=max_retries,
            acks_late=True,
            **options,
        )(run)

    return decorate


@service_task(max_retries=2)
def export_job_task(job_id: int) -> str:
    """Build one background export's file (apps/core/export_jobs.py)."""
    from .export_jobs import export_job_run

    return export_job_run(job_id=job_id).status


@service_task()
def export_jobs_cleanup_task() -> dict:
    """Hourly: delete expired export files, end jobs whose worker died."""
    from .export_jobs import export_jobs_cleanup

    return export_jobs_cleanup()
