from __future__ import annotations

import datetime

from apps.core.tasks import service_task


@service_task()
def dashboard_stats_refresh_task(as_of: str | None = None) -> int:
    """Nightly: rebuild the dashboard snapshots (idempotent; an explicit date re-runs an old day)."""
    from .refresh import stats_refresh

    run = stats_refresh(as_of=datetime.date.fromisoformat(as_of) if as_of else None)
    return run.member_rows + run.metric_rows
