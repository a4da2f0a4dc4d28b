"""Celery tasks of the service pipeline: thin, idempotent, calling services."""

from __future__ import annotations

import datetime

from apps.core.tasks import service_task


@service_task()
def close_unfollowed_task(today: str | None = None) -> int:
    """Nightly: close the requests whose follow-up (回访) window passed without one (rerunnable)."""
    from .workflow import close_unfollowed

    return close_unfollowed(today=datetime.date.fromisoformat(today) if today else None)
