from __future__ import annotations

from apps.core.periods import Period
from apps.core.tasks import service_task


@service_task()
def stats_refresh_task(period: str | None = None) -> int:
    """Refresh the roll-up figures of one month (default: this month and the previous one)."""
    from .stats import stats_refresh

    periods = [Period.parse(period)] if period else [Period.current().previous(), Period.current()]
    return sum(stats_refresh(period=p) for p in periods)


@service_task()
def stats_refresh_org_task(organization_id: int, period: str) -> bool:
    from .stats import stats_refresh_org

    return stats_refresh_org(organization_id=organization_id, period=Period.parse(period))


def schedule_stats_refresh(organization_id: int, period: Period) -> None:
    """After the current transaction commits, update the roll-ups for one organization and month."""
    from django.db import transaction

    transaction.on_commit(lambda: stats_refresh_org_task.delay(organization_id, str(period)))
