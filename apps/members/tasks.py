from __future__ import annotations

from apps.core.tasks import service_task


@service_task(max_retries=3)
def member_import_task(job_id: int) -> str:
    from .roster_import.run import member_import_job_run

    return member_import_job_run(job_id=job_id).status


@service_task()
def members_daily_task(day: str = "") -> dict:
    """Nightly: the lost-contact scan and this month's dues roll-up (idempotent)."""
    from .yearly_jobs import members_daily

    return members_daily(day=day or None)


@service_task()
def members_monthly_task(period: str = "") -> dict:
    """On the 1st: last month's points from every registered source, then this month's six-colour cards."""
    from .yearly_jobs import members_monthly

    return members_monthly(period=period or None)
