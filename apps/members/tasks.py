from __future__ import annotations

from apps.core.tasks import service_task


@service_task(max_retries=3)
def member_import_task(job_id: int) -> str:
    from .roster_import.jobs import member_import_job_run

    return member_import_job_run(job_id=job_id).status
