from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def dashboard_stats_refresh_task(as_of: str | None = None) -> int:
    """Nightly: rebuild the dashboard snapshots (idempotent; an explicit date re-runs an old day)."""
    import datetime

    from .refresh import stats_refresh

    run = stats_refresh(as_of=datetime.date.fromisoformat(as_of) if as_of else None)
    return run.member_rows + run.metric_rows
